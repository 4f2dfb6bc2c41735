"""Suggestions and praise sent as free messages, with the type the customer confirmed."""

from __future__ import annotations

from datetime import UTC, datetime
from typing import Any

from pymongo.errors import DuplicateKeyError

from storage.types import Database, Document


class Feedback:
    def __init__(self, db: Database) -> None:
        self._docs = db["feedback"]

    async def add(
        self,
        *,
        feedback_id: str,
        customer_id: str,
        kind: str,
        text: str,
        language: str | None,
        channel: str,
        received_at: datetime,
        classified_at: datetime,
    ) -> bool:
        """Store once per confirming event; False when this event stored it already."""
        doc: dict[str, Any] = {
            "_id": feedback_id,
            "customer_id": customer_id,
            "kind": kind,
            "text": text,
            "language": language,
            "channel": channel,
            "received_at": received_at,
            "classified_at": classified_at,
        }
        try:
            await self._docs.insert_one(doc)
        except DuplicateKeyError:
            return False
        return True

    async def get(self, *, feedback_id: str) -> Document | None:
        return await self._docs.find_one({"_id": feedback_id})

    async def for_customer(self, *, customer_id: str) -> list[Document]:
        return [doc async for doc in self._docs.find({"customer_id": customer_id}).sort("received_at", 1)]

    async def erase_for_customer(self, *, customer_id: str) -> int:
        result = await self._docs.delete_many({"customer_id": customer_id})
        return result.deleted_count

    async def kinds_between(self, *, start: datetime, end: datetime) -> dict[str, int]:
        """How many suggestions, praises… were received in [start, end)."""
        counts: dict[str, int] = {}
        cursor = self._docs.find({"received_at": {"$gte": start, "$lt": end}}, {"kind": 1})
        async for doc in cursor:
            kind = str(doc.get("kind") or "other")
            counts[kind] = counts.get(kind, 0) + 1
        return counts

    async def texts_between(self, *, start: datetime, end: datetime) -> list[Document]:
        """Suggestions and praise received in [start, end): words, language and time (no customer)."""
        query = {"received_at": {"$gte": start, "$lt": end}}
        return await self._docs.find(query, {"text": 1, "language": 1, "received_at": 1}).to_list(None)

    async def earliest_received(self) -> datetime | None:
        """When the oldest stored feedback arrived (None when there is none)."""
        async for doc in self._docs.find({}, {"received_at": 1}).sort("received_at", 1).limit(1):
            at: datetime = doc["received_at"]
            return at if at.tzinfo else at.replace(tzinfo=UTC)
        return None

    async def purge_received_before(self, *, cutoff: datetime) -> int:
        return (await self._docs.delete_many({"received_at": {"$lt": cutoff}})).deleted_count
