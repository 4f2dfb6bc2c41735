"""Accepted inbound events: stored before acknowledgement, de-duplicated, replayed after a crash."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta

from pymongo.errors import DuplicateKeyError

from conversations.events import InboundEvent
from storage.types import Database

MAX_ATTEMPTS = 8  # with the back-off below: retried for about an hour before it is parked
FIRST_RETRY = timedelta(seconds=30)
LONGEST_WAIT = timedelta(minutes=15)


class Inbox:
    def __init__(self, db: Database) -> None:
        self._docs = db["inbox"]

    async def accept(self, event: InboundEvent) -> bool:
        """Store the event; False when the platform redelivered one we already have."""
        try:
            await self._docs.insert_one(
                {
                    "_id": f"{event.channel}:{event.event_id}",
                    "channel": event.channel,
                    "event_id": event.event_id,
                    "chat_key": event.chat_key,
                    "event": event.to_document(),
                    "status": "pending",
                    "received_at": datetime.now(UTC),
                }
            )
        except DuplicateKeyError:
            return False
        return True

    async def mark_done(self, event: InboundEvent) -> None:
        await self._docs.update_one(
            {"_id": f"{event.channel}:{event.event_id}"},
            {"$set": {"status": "done", "done_at": datetime.now(UTC)}},
        )

    async def mark_failed(self, event: InboundEvent, *, reason: str, at: datetime | None = None) -> None:
        """Count a failed attempt and when to try again; after MAX_ATTEMPTS the event is parked."""
        key = f"{event.channel}:{event.event_id}"
        now = at or datetime.now(UTC)
        doc = await self._docs.find_one({"_id": key}, {"attempts": 1})
        attempts = int((doc or {}).get("attempts", 0)) + 1
        wait = min(FIRST_RETRY * 2 ** (attempts - 1), LONGEST_WAIT)
        await self._docs.update_one(
            {"_id": key},
            {"$set": {"attempts": attempts, "last_error": reason, "retry_at": now + wait}},
        )
        await self._docs.update_one(
            {"_id": key, "attempts": {"$gte": MAX_ATTEMPTS}}, {"$set": {"status": "failed"}}
        )

    async def due_for_retry(self, *, now: datetime) -> list[InboundEvent]:
        """Events whose processing failed (a platform or the database was down) and may run again."""
        cursor = self._docs.find({"status": "pending", "retry_at": {"$lte": now}}).sort("received_at", 1)
        return [InboundEvent.from_document(doc["event"]) async for doc in cursor]

    async def count_pending(self) -> int:
        return await self._docs.count_documents({"status": "pending"})

    async def pending(self) -> list[InboundEvent]:
        """Events accepted but never finished, oldest first (for replay at start-up)."""
        cursor = self._docs.find({"status": "pending"}).sort("received_at", 1)
        return [InboundEvent.from_document(doc["event"]) async for doc in cursor]

    async def scrub_chat(self, *, channel: str, chat_key: str) -> None:
        """Drop message content of a chat but keep the ids that recognise redeliveries."""
        await self._docs.update_many(
            {"channel": channel, "chat_key": chat_key},
            {"$set": {"event.text": "", "event.raw": {}}},
        )
