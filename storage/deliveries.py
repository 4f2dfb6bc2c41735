"""Delivery statuses the platforms report for messages the bot sent (sent, delivered, read, failed)."""

from __future__ import annotations

from datetime import UTC, datetime

from storage.types import Database, Document


class Deliveries:
    def __init__(self, db: Database) -> None:
        self._docs = db["deliveries"]

    async def record(self, *, channel: str, message_id: str, status: str, timestamp: str) -> None:
        """Keep every status once (platforms redeliver callbacks too)."""
        await self._docs.update_one(
            {"_id": f"{channel}:{message_id}"},
            {
                "$addToSet": {"statuses": {"status": status, "timestamp": timestamp}},
                "$set": {"channel": channel, "latest": status, "updated_at": datetime.now(UTC)},
            },
            upsert=True,
        )

    async def get(self, *, channel: str, message_id: str) -> Document | None:
        return await self._docs.find_one({"_id": f"{channel}:{message_id}"})
