"""Contact details a customer gave for a complaint (with the separate consent), kept apart and sealed."""

from __future__ import annotations

from datetime import UTC, datetime

from storage.sealing import Sealer
from storage.types import Database


class Contacts:
    def __init__(self, db: Database, sealer: Sealer) -> None:
        self._docs = db["contacts"]
        self._sealer = sealer

    async def save(self, *, ticket_id: str, customer_id: str, value: str) -> None:
        sealed = self._sealer.seal(value, bound_to=ticket_id)
        await self._docs.update_one(
            {"_id": ticket_id},
            {"$set": {"customer_id": customer_id, "sealed": sealed, "saved_at": datetime.now(UTC)}},
            upsert=True,
        )

    async def get(self, *, ticket_id: str) -> str | None:
        doc = await self._docs.find_one({"_id": ticket_id})
        if doc is None:
            return None
        return self._sealer.open(doc["sealed"], bound_to=ticket_id)

    async def reseal(self) -> int:
        """Re-encrypt every value sealed with an older key under the current one (key rotation)."""
        changed = 0
        async for doc in self._docs.find({"sealed.key": {"$ne": self._sealer.current}}):
            value = self._sealer.open(doc["sealed"], bound_to=str(doc["_id"]))
            sealed = self._sealer.seal(value, bound_to=str(doc["_id"]))
            result = await self._docs.update_one(
                {"_id": doc["_id"], "sealed": doc["sealed"]}, {"$set": {"sealed": sealed}}
            )
            changed += result.modified_count
        return changed

    async def erase_for_tickets(self, *, ticket_ids: list[str]) -> int:
        if not ticket_ids:
            return 0
        return (await self._docs.delete_many({"_id": {"$in": ticket_ids}})).deleted_count

    async def erase_for_customer(self, *, customer_id: str) -> int:
        result = await self._docs.delete_many({"customer_id": customer_id})
        return result.deleted_count
