"""Improvement actions admins record against a survey dimension or a complaint category, and the
improvement tasks approved reports hand to teams (the same documents, with a requirement and a goal)."""

from __future__ import annotations

from datetime import date, datetime
from typing import Any

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

    async def add_task(
        self,
        *,
        task_id: str,
        team: str,
        requirement: str,
        goal: dict[str, Any],
        due: date,
        report: str,
        questionnaire: str,
        by: str,
        at: datetime,
    ) -> bool:
        """An improvement task from an approved report; False when it exists already."""
        try:
            await self._docs.insert_one(
                {
                    "_id": task_id,
                    "kind": "task",
                    "target": f"dimension:{goal['dimension']}",
                    "team": team,
                    "owner": team,
                    "due": due.isoformat(),
                    "status": "open",
                    "requirement": requirement,
                    "goal": goal,
                    "report": report,
                    "questionnaire": questionnaire,
                    "created_by": by,
                    "created_at": at,
                    "done_at": None,
                    "message": None,
                    "evaluation": None,
                }
            )
        except DuplicateKeyError:
            return False
        return True

    async def get(self, *, action_id: str) -> Document | None:
        return await self._docs.find_one({"_id": action_id})

    async def posted(self, *, action_id: str, channel: str, ts: str) -> None:
        await self._docs.update_one({"_id": action_id}, {"$set": {"message": {"channel": channel, "ts": ts}}})

    async def evaluated(self, *, action_id: str, evaluation: dict[str, Any]) -> None:
        await self._docs.update_one({"_id": action_id}, {"$set": {"evaluation": evaluation}})

    async def finish(self, *, action_id: str, at: datetime) -> bool:
        result = await self._docs.update_one(
            {"_id": action_id, "status": "open"}, {"$set": {"status": "done", "done_at": at}}
        )
        return result.modified_count == 1

    async def all(self) -> list[Document]:
        return await self._docs.find({}).sort("created_at", 1).to_list(None)
