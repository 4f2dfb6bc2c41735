"""Installed questionnaire versions; responses refer to (id, version)."""

from __future__ import annotations

from datetime import UTC, datetime

from pymongo.errors import DuplicateKeyError

from core.questionnaire import Questionnaire, QuestionnaireError
from storage.types import Database


class Questionnaires:
    def __init__(self, db: Database) -> None:
        self._docs = db["questionnaires"]
        self._cache: dict[tuple[str, int], Questionnaire] = {}

    async def install(self, questionnaire: Questionnaire, *, source: str) -> bool:
        """Store a version once; True if it was new. A changed text under an old version is refused."""
        key = f"{questionnaire.id}:{questionnaire.version}"
        digest = questionnaire.content_hash()
        try:
            await self._docs.insert_one(
                {
                    "_id": key,
                    "id": questionnaire.id,
                    "version": questionnaire.version,
                    "content_hash": digest,
                    "definition": questionnaire.model_dump(mode="json", by_alias=True),
                    "source": source,
                    "installed_at": datetime.now(UTC),
                }
            )
            return True
        except DuplicateKeyError:
            existing = await self._docs.find_one({"_id": key}, {"content_hash": 1})
            if existing is not None and existing["content_hash"] != digest:
                raise QuestionnaireError(
                    f"{source}: questionnaire {questionnaire.id!r} version {questionnaire.version} "
                    "is already installed with different content; raise its version"
                ) from None
            return False

    async def get(self, *, questionnaire_id: str, version: int) -> Questionnaire | None:
        cached = self._cache.get((questionnaire_id, version))
        if cached is not None:
            return cached
        doc = await self._docs.find_one({"_id": f"{questionnaire_id}:{version}"})
        if doc is None:
            return None
        questionnaire = Questionnaire.model_validate(doc["definition"])
        self._cache[(questionnaire_id, version)] = questionnaire
        return questionnaire

    async def ids(self) -> list[str]:
        return sorted({str(doc["id"]) async for doc in self._docs.find({}, {"id": 1})})

    async def latest(self, *, questionnaire_id: str) -> Questionnaire | None:
        cursor = self._docs.find({"id": questionnaire_id}, {"version": 1}).sort("version", -1)
        async for doc in cursor.limit(1):
            return await self.get(questionnaire_id=questionnaire_id, version=doc["version"])
        return None
