"""The theme of each free text, stored once per text and method with what reports count (no words),
and per source the time up to which texts have been read (so each is read once)."""

from __future__ import annotations

from datetime import UTC, datetime
from typing import Any

from pymongo import UpdateOne

from storage.types import Database, Document

BATCH = 1000


class ThemeAssignments:
    def __init__(self, db: Database) -> None:
        self._docs = db["theme_assignments"]
        self._marks = db["theme_watermarks"]

    async def existing(self, *, keys: list[str], method: str) -> set[str]:
        """Which of these texts (by source key) have an assignment by `method`."""
        found: set[str] = set()
        for start in range(0, len(keys), BATCH):
            query = {"_id": {"$in": keys[start : start + BATCH]}, "method": method}
            found.update([str(doc["_id"]) async for doc in self._docs.find(query, {"_id": 1})])
        return found

    async def save_many(self, docs: list[dict[str, Any]]) -> None:
        """Store assignments (replacing one made by an older method for the same text)."""
        operations = [UpdateOne({"_id": doc["_id"]}, {"$set": doc}, upsert=True) for doc in docs]
        for start in range(0, len(operations), BATCH):
            await self._docs.bulk_write(operations[start : start + BATCH], ordered=False)

    async def between(self, *, start: datetime, end: datetime, method: str) -> list[Document]:
        query = {"method": method, "at": {"$gte": start, "$lt": end}}
        fields = {"theme": 1, "terms": 1, "at": 1, "dimensions": 1, "category": 1}
        return await self._docs.find(query, fields).to_list(None)

    async def watermark(self, *, source: str, method: str) -> datetime | None:
        doc = await self._marks.find_one({"_id": f"{method}:{source}"})
        if doc is None:
            return None
        at: datetime = doc["until"]
        return at if at.tzinfo else at.replace(tzinfo=UTC)

    async def advance(self, *, source: str, method: str, to: datetime) -> None:
        """Texts of `source` up to `to` have been read (never moves back)."""
        await self._marks.update_one({"_id": f"{method}:{source}"}, {"$max": {"until": to}}, upsert=True)
