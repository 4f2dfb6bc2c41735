"""What admins do to questionnaires: the working copy and its review status, and the audit log."""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass
from datetime import UTC, datetime
from typing import Any

from pymongo.errors import DuplicateKeyError

from core.questionnaire_drafts import DraftStatus, QuestionnaireDraft
from storage.types import Database


class QuestionnaireDrafts:
    """One document per questionnaire id: the definition being edited and where it is in review.

    Statuses: draft → submitted → approved → published; closed stops new customers from starting it.
    Writes carry a version number, so two admins editing at once cannot overwrite each other.
    """

    def __init__(self, db: Database) -> None:
        self._docs = db["questionnaire_drafts"]

    async def get(self, *, questionnaire_id: str) -> QuestionnaireDraft | None:
        doc = await self._docs.find_one({"_id": questionnaire_id})
        return None if doc is None else QuestionnaireDraft.from_document(doc)

    async def all(self) -> list[QuestionnaireDraft]:
        return [QuestionnaireDraft.from_document(doc) async for doc in self._docs.find({}).sort("_id", 1)]

    async def create(
        self,
        *,
        questionnaire_id: str,
        definition: dict[str, Any],
        author: str,
        machine_translated: list[str] | None = None,
    ) -> bool:
        draft = QuestionnaireDraft(
            id=questionnaire_id,
            definition=definition,
            status=DraftStatus.DRAFT,
            version=1,
            author=author,
            edited_by=(author,),
            machine_translated=tuple(machine_translated or ()),
            updated_at=datetime.now(UTC),
        )
        try:
            await self._docs.insert_one(draft.to_document())
        except DuplicateKeyError:
            return False
        return True

    async def update(self, *, questionnaire_id: str, expected_version: int, changes: dict[str, Any]) -> bool:
        result = await self._docs.update_one(
            {"_id": questionnaire_id, "version": expected_version},
            {"$set": {**changes, "updated_at": datetime.now(UTC)}, "$inc": {"version": 1}},
        )
        return result.matched_count == 1

    async def is_closed(self, *, questionnaire_id: str) -> bool:
        doc = await self._docs.find_one({"_id": questionnaire_id}, {"status": 1})
        return doc is not None and doc.get("status") == DraftStatus.CLOSED


@dataclass(frozen=True, slots=True)
class AuditEntry:
    """One admin action, done or refused; refusals in aggregate carry how many there were (`count`)."""

    at: datetime
    actor: str
    action: str
    outcome: str
    target: str | None = None
    detail: str = ""
    count: int | None = None

    @classmethod
    def from_document(cls, doc: Mapping[str, Any]) -> AuditEntry:
        count = doc.get("count")
        return cls(
            at=doc["at"],
            actor=str(doc["actor"]),
            action=str(doc["action"]),
            outcome=str(doc["outcome"]),
            target=None if doc.get("target") is None else str(doc["target"]),
            detail=str(doc.get("detail") or ""),
            count=count if isinstance(count, int) else None,
        )


class AuditLog:
    def __init__(self, db: Database) -> None:
        self._docs = db["audit"]

    async def add(
        self, *, actor: str, action: str, target: str | None, outcome: str, detail: str = ""
    ) -> None:
        await self._docs.insert_one(
            {
                "at": datetime.now(UTC),
                "actor": actor,
                "action": action,
                "target": target,
                "outcome": outcome,
                "detail": detail[:500],
            }
        )

    async def forget_actors(self, *, actors: list[str]) -> int:
        """Entries by these platform identities (a customer who tried a staff command) keep what
        happened, not who: the customer asked to be erased."""
        if not actors:
            return 0
        result = await self._docs.update_many({"actor": {"$in": actors}}, {"$set": {"actor": "erased"}})
        return result.modified_count

    async def add_refusals(self, *, actor: str, action: str, detail: str, count: int, at: datetime) -> None:
        """Refusals in aggregate: one entry per actor, action and hour, counting them.

        A flood of refused calls must neither bury the real entries nor grow the collection with
        every call; the count (and the metric) still shows how many there were.
        """
        hour = at.astimezone(UTC).replace(minute=0, second=0, microsecond=0)
        await self._docs.update_one(
            {"actor": actor, "action": action, "outcome": "refused", "hour": hour},
            {
                "$inc": {"count": count},
                "$set": {"at": at, "detail": detail[:500]},
                "$setOnInsert": {"target": None},
            },
            upsert=True,
        )

    async def latest(self, *, limit: int = 20) -> list[AuditEntry]:
        return [
            AuditEntry.from_document(doc) async for doc in self._docs.find({}).sort("at", -1).limit(limit)
        ]
