"""The theme each free text was given: stored once per text (and method), so analysis is incremental."""

from __future__ import annotations

from typing import Any

from pymongo import UpdateOne

from storage.types import Database, Document


class ThemeAssignments:
    def __init__(self, db: Database) -> None:
        self._docs = db["theme_assignments"]

    async def get_many(self, *, keys: list[str], method: str) -> dict[str, Document]:
        """Assignments made by `method` for these texts (by source key)."""
        found: dict[str, Document] = {}
        for start in range(0, len(keys), 1000):
            query = {"_id": {"$in": keys[start : start + 1000]}, "method": method}
            async for doc in self._docs.find(query):
                found[str(doc["_id"])] = doc
        return found

    async def save_many(self, docs: list[dict[str, Any]]) -> None:
        """Store assignments (replacing one made by an older method for the same text)."""
        operations = [UpdateOne({"_id": doc["_id"]}, {"$set": doc}, upsert=True) for doc in docs]
        for start in range(0, len(operations), 1000):
            await self._docs.bulk_write(operations[start : start + 1000], ordered=False)
