"""Report counters: one document per day × questionnaire × breakdown value, updated with $inc."""

from __future__ import annotations

from datetime import date

from pymongo import UpdateOne

from storage.types import Database, Document

Key = tuple[str, str, str, str]


class Rollups:
    def __init__(self, db: Database) -> None:
        self._docs = db["rollups"]

    async def add(self, increments: dict[Key, dict[str, int | float]]) -> None:
        operations = [
            UpdateOne(
                {"_id": "|".join(key)},
                {
                    "$inc": amounts,
                    "$setOnInsert": {"day": key[0], "questionnaire": key[1], "axis": key[2], "value": key[3]},
                },
                upsert=True,
            )
            for key, amounts in increments.items()
            if amounts
        ]
        if operations:
            await self._docs.bulk_write(operations, ordered=False)

    async def read(
        self,
        *,
        start: date,
        end: date,
        questionnaire: str | None,
        axes: list[str],
        fields: list[str] | None = None,
    ) -> list[Document]:
        """The counter documents of the days and breakdowns; `fields` limits the counters returned."""
        query: Document = {
            "axis": {"$in": axes},
            "day": {"$gte": start.isoformat(), "$lte": end.isoformat()},
        }
        if questionnaire is not None:
            query["questionnaire"] = questionnaire
        projection = (
            None if fields is None else dict.fromkeys([*fields, "day", "questionnaire", "axis", "value"], 1)
        )
        return await self._docs.find(query, projection).to_list(None)

    async def clear(self) -> None:
        await self._docs.delete_many({})
