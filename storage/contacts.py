"""Contact details a customer gave for a complaint (with the separate consent), kept apart from it."""

from __future__ import annotations

from datetime import UTC, datetime

from storage.types import Database


class Contacts:
    def __init__(self, db: Database) -> None:
        self._docs = db["contacts"]

    async def save(self, *, ticket_id: str, customer_id: str, value: str) -> None:
        await self._docs.update_one(
            {"_id": ticket_id},
            {"$set": {"customer_id": customer_id, "value": value, "saved_at": datetime.now(UTC)}},
            upsert=True,
        )

    async def get(self, *, ticket_id: str) -> str | None:
        doc = await self._docs.find_one({"_id": ticket_id})
        return None if doc is None else str(doc["value"])

    async def erase_for_customer(self, *, customer_id: str) -> int:
        result = await self._docs.delete_many({"customer_id": customer_id})
        return result.deleted_count
