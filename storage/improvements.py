"""Improvement actions admins record against a survey dimension or a complaint category, and the
improvement tasks approved reports hand to teams (the same documents, with a requirement and a goal)."""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass
from datetime import date, datetime
from enum import StrEnum
from typing import Any

from pymongo.errors import DuplicateKeyError

from storage.types import Database

TASK = "task"


class ImprovementStatus(StrEnum):
    OPEN = "open"
    DONE = "done"


@dataclass(frozen=True, slots=True)
class Goal:
    """A task's target: the dimension's CSAT to reach by a date."""

    dimension: str
    csat: float
    by: date


@dataclass(frozen=True, slots=True)
class Improvement:
    """An improvement action an admin recorded, or a task an approved report handed to a team (`kind`
    "task", with its requirement, goal and the report it came from)."""

    id: str
    target: str  # "dimension:<name>" or "category:<name>"
    team: str
    owner: str
    due: date
    status: ImprovementStatus
    created_at: datetime
    created_by: str | None = None
    done_at: datetime | None = None
    kind: str | None = None
    requirement: str = ""
    goal: Goal | None = None
    report: str = ""
    questionnaire: str = ""
    message: tuple[str, str] | None = None  # Slack channel and message ts, once posted
    verdict: str | None = None  # the stored evaluation's verdict, once evaluated

    @property
    def is_task(self) -> bool:
        return self.kind == TASK

    @classmethod
    def from_document(cls, doc: Mapping[str, Any]) -> Improvement:
        goal, message, evaluation = doc.get("goal"), doc.get("message"), doc.get("evaluation")
        return cls(
            id=str(doc["_id"]),
            target=str(doc["target"]),
            team=str(doc["team"]),
            owner=str(doc["owner"]),
            due=date.fromisoformat(str(doc["due"])),
            status=ImprovementStatus(doc.get("status") or ImprovementStatus.OPEN),
            created_at=doc["created_at"],
            created_by=None if doc.get("created_by") is None else str(doc["created_by"]),
            done_at=doc["done_at"] if isinstance(doc.get("done_at"), datetime) else None,
            kind=None if doc.get("kind") is None else str(doc["kind"]),
            requirement=str(doc.get("requirement") or ""),
            goal=(
                Goal(str(goal["dimension"]), float(goal["csat"]), date.fromisoformat(str(goal["by"])))
                if isinstance(goal, Mapping)
                else None
            ),
            report=str(doc.get("report") or ""),
            questionnaire=str(doc.get("questionnaire") or ""),
            message=(str(message["channel"]), str(message["ts"])) if message else None,
            verdict=str(evaluation["verdict"]) if isinstance(evaluation, Mapping) else None,
        )


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
                    "status": ImprovementStatus.OPEN,
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
                    "kind": TASK,
                    "target": f"dimension:{goal['dimension']}",
                    "team": team,
                    "owner": team,
                    "due": due.isoformat(),
                    "status": ImprovementStatus.OPEN,
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

    async def get(self, *, action_id: str) -> Improvement | None:
        doc = await self._docs.find_one({"_id": action_id})
        return None if doc is None else Improvement.from_document(doc)

    async def posted(self, *, action_id: str, channel: str, ts: str) -> None:
        await self._docs.update_one({"_id": action_id}, {"$set": {"message": {"channel": channel, "ts": ts}}})

    async def evaluated(self, *, action_id: str, evaluation: dict[str, Any]) -> None:
        await self._docs.update_one({"_id": action_id}, {"$set": {"evaluation": evaluation}})

    async def finish(self, *, action_id: str, at: datetime) -> bool:
        result = await self._docs.update_one(
            {"_id": action_id, "status": ImprovementStatus.OPEN},
            {"$set": {"status": ImprovementStatus.DONE, "done_at": at}},
        )
        return result.modified_count == 1

    async def all(self) -> list[Improvement]:
        return [Improvement.from_document(doc) async for doc in self._docs.find({}).sort("created_at", 1)]
