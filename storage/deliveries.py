"""Delivery statuses the platforms report for messages the bot sent (sent, delivered, read, failed)."""

from __future__ import annotations

from datetime import UTC, datetime

from storage.types import Database, Document

# How far a message got. Platforms may report these out of order (read before delivered): the
# furthest one is the message's state. Unknown statuses rank lowest.
PROGRESS = {"sent": 1, "delivered": 2, "read": 3, "failed": 4}


class Deliveries:
    def __init__(self, db: Database) -> None:
        self._docs = db["deliveries"]

    async def record(self, *, channel: str, message_id: str, status: str, timestamp: str) -> None:
        """Keep every status once (platforms redeliver callbacks too); `latest` is the furthest."""
        rank = PROGRESS.get(status, 0)
        key = f"{channel}:{message_id}"
        await self._docs.update_one(
            {"_id": key},
            {
                "$addToSet": {"statuses": {"status": status, "timestamp": timestamp}},
                "$set": {"channel": channel, "updated_at": datetime.now(UTC)},
                "$max": {"rank": rank},
            },
            upsert=True,
        )
        # Only the status that holds the furthest rank names it; a late, lesser one changes nothing,
        # in whichever order two concurrent callbacks interleave these two writes.
        await self._docs.update_one({"_id": key, "rank": rank}, {"$set": {"latest": status}})

    async def get(self, *, channel: str, message_id: str) -> Document | None:
        return await self._docs.find_one({"_id": f"{channel}:{message_id}"})
