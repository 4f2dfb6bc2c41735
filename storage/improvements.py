"""Improvement actions admins record against a survey dimension or a complaint category."""

from __future__ import annotations

from datetime import date, datetime

from pymongo.errors import DuplicateKeyError

from storage.types import Database, Document


class Improvements:
    def __init__(self, db: Database) -> None:
        self._docs = db["improvements"]

    async def add(
        self, *, action_id: str, target: str, team: str, owner: str, due: date, by: str, at: datetime
    ) -> bool:
        try:
            await self._docs.insert_one(
                {
                    "_id": action_id,
                    "target": target,
                    "team": team,
                    "owner": owner,
                    "due": due.isoformat(),
                    "status": "open",
                    "created_by": by,
                    "created_at": at,
                    "done_at": None,
                }
            )
        except DuplicateKeyError:
            return False
        return True

    async def finish(self, *, action_id: str, at: datetime) -> bool:
        result = await self._docs.update_one(
            {"_id": action_id, "status": "open"}, {"$set": {"status": "done", "done_at": at}}
        )
        return result.modified_count == 1

    async def all(self) -> list[Document]:
        return await self._docs.find({}).sort("created_at", 1).to_list(None)
