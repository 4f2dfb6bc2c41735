"""The theme of each free text, stored once per text and method with what reports count (no words);
per day, the counts a report reads (so a year's report reads 365 small documents, not every text);
and per source the time up to which texts have been read (so each is read once)."""

from __future__ import annotations

import re
from collections import Counter
from datetime import UTC, datetime
from typing import Any

from pymongo import ReplaceOne
from pymongo.errors import BulkWriteError

from storage.types import Database, Document

BATCH = 5000
RECENT = 5  # keys of the most recent texts kept per theme and day, for quotes
DUPLICATE = 11000


class ThemeAssignments:
    def __init__(self, db: Database) -> None:
        self._docs = db["theme_assignments"]
        self._days = db["theme_days"]
        self._marks = db["theme_watermarks"]

    async def existing(self, *, keys: list[str], method: str) -> set[str]:
        """Which of these texts (by source key) have an assignment by `method`."""
        found: set[str] = set()
        for start in range(0, len(keys), BATCH):
            ids = [f"{method}|{key}" for key in keys[start : start + BATCH]]
            found.update(
                [str(doc["key"]) async for doc in self._docs.find({"_id": {"$in": ids}}, {"key": 1})]
            )
        return found

    async def add(self, docs: list[dict[str, Any]], *, method: str) -> None:
        """Store new assignments (`key`, `theme`, `day`…) and rebuild their days' counts.

        The days' earlier assignments are read before the insert, and the counts made from them and
        the new ones in memory: the new texts are not read back (a first reading of a year of texts
        spent as long reading them back as storing them). An assignment another worker stored
        meanwhile is kept, and counted once (by key)."""
        days = {str(doc["day"]) for doc in docs}
        earlier = await self._stored(days=days, method=method)
        rows = [{"_id": f"{method}|{doc['key']}", "method": method, **doc} for doc in docs]
        for start in range(0, len(rows), BATCH):
            try:
                await self._docs.insert_many(rows[start : start + BATCH], ordered=False)
            except BulkWriteError as error:
                if any(e.get("code") != DUPLICATE for e in error.details.get("writeErrors", [])):
                    raise
        await self._write_days(
            days=days, docs={**earlier, **{str(doc["key"]): doc for doc in docs}}, method=method
        )

    async def forget_other_methods(self, *, method: str) -> None:
        """Assignments and counts made by an older lexicon (its texts are assigned again)."""
        # The small watermark collection tells whether there are any, without scanning assignments.
        if await self._marks.find_one({"method": {"$ne": method}}) is None:
            return
        await self._docs.delete_many({"method": {"$ne": method}})
        await self._days.delete_many({"method": {"$ne": method}})
        await self._marks.delete_many({"method": {"$ne": method}})

    async def forget(self, *, keys: list[str], responses: list[str], method: str) -> None:
        """An erased customer's texts (these keys, and every answer of these responses) leave the
        assignments and the day counts."""
        clauses: list[dict[str, Any]] = [{"key": {"$in": keys}}] if keys else []
        clauses += [{"key": {"$regex": f"^answer:{re.escape(rid)}:"}} for rid in responses]
        if not clauses:
            return
        days = {
            str(doc["day"]) async for doc in self._docs.find({"$or": clauses}, {"day": 1}) if doc.get("day")
        }
        await self._docs.delete_many({"$or": clauses})
        await self.recount(days=days, method=method)

    async def recount(self, *, days: set[str], method: str) -> None:
        """Rebuild the day counts of these days from their stored assignments (idempotent)."""
        await self._write_days(days=days, docs=await self._stored(days=days, method=method), method=method)

    async def _stored(self, *, days: set[str], method: str) -> dict[str, dict[str, Any]]:
        """The assignments of these days by key, in one read (a month of days is one round trip)."""
        if not days:
            return {}
        query = {"method": method, "day": {"$in": sorted(days)}}
        fields = {
            "_id": 0,
            "key": 1,
            "at": 1,
            "theme": 1,
            "terms": 1,
            "dimensions": 1,
            "category": 1,
            "day": 1,
        }
        return {str(doc["key"]): doc async for doc in self._docs.find(query, fields).batch_size(BATCH * 10)}

    async def _write_days(self, *, days: set[str], docs: dict[str, dict[str, Any]], method: str) -> None:
        themes: dict[str, dict[str, dict[str, Counter[str]]]] = {day: {} for day in days}
        latest: dict[str, dict[str, list[tuple[datetime, str]]]] = {day: {} for day in days}
        for key, doc in docs.items():
            day, theme = str(doc["day"]), str(doc["theme"])
            counts = themes[day].setdefault(
                theme, {"n": Counter(), "terms": Counter(), "dimensions": Counter(), "categories": Counter()}
            )
            latest[day].setdefault(theme, []).append((_aware(doc["at"]), key))
            counts["n"]["texts"] += 1
            counts["terms"].update(set(doc.get("terms") or ()))
            counts["dimensions"].update(doc.get("dimensions") or ())
            if doc.get("category"):
                counts["categories"][str(doc["category"])] += 1
        operations = []
        for day in sorted(days):
            summary = [
                {
                    "theme": theme,
                    "n": counts["n"]["texts"],
                    # Pairs, not sub-documents: terms are customers' words and may hold dots or dollars.
                    **{part: sorted(counts[part].items()) for part in ("terms", "dimensions", "categories")},
                    "recent": [key for _, key in sorted(latest[day][theme], reverse=True)[:RECENT]],
                }
                for theme, counts in sorted(themes[day].items())
            ]
            operations.append(
                ReplaceOne(
                    {"_id": f"{method}:{day}"}, {"method": method, "day": day, "themes": summary}, upsert=True
                )
            )
        for start in range(0, len(operations), BATCH):
            await self._days.bulk_write(operations[start : start + BATCH], ordered=False)

    async def days(self, *, first: str, last: str, method: str) -> list[Document]:
        query = {"method": method, "day": {"$gte": first, "$lte": last}}
        return await self._days.find(query).to_list(None)

    async def watermark(self, *, source: str, method: str) -> datetime | None:
        doc = await self._marks.find_one({"_id": f"{method}:{source}"})
        if doc is None:
            return None
        at: datetime = doc["until"]
        return at if at.tzinfo else at.replace(tzinfo=UTC)

    async def advance(self, *, source: str, method: str, to: datetime) -> None:
        """Texts of `source` up to `to` have been read (never moves back)."""
        await self._marks.update_one(
            {"_id": f"{method}:{source}"}, {"$max": {"until": to}, "$set": {"method": method}}, upsert=True
        )


def _aware(moment: datetime) -> datetime:
    return moment if moment.tzinfo else moment.replace(tzinfo=UTC)
