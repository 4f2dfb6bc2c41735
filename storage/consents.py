"""The consent ledger: one entry per decision, never edited."""

from __future__ import annotations

from collections.abc import AsyncIterator
from dataclasses import dataclass
from datetime import UTC, datetime
from enum import StrEnum

from pymongo.errors import DuplicateKeyError

from storage.types import Database


class Decision(StrEnum):
    GRANTED = "granted"
    REFUSED = "refused"
    WITHDRAWN = "withdrawn"


@dataclass(frozen=True, slots=True)
class ConsentEntry:
    customer_id: str
    kind: str
    text_version: str
    language: str
    channel: str
    decision: Decision
    at: datetime


class ConsentLedger:
    def __init__(self, db: Database) -> None:
        self._entries = db["consents"]

    async def record(
        self,
        *,
        entry_id: str,
        customer_id: str,
        kind: str,
        text_version: str,
        language: str,
        channel: str,
        decision: Decision,
        questionnaire_id: str | None = None,
        at: datetime | None = None,
    ) -> None:
        """Append a decision; `entry_id` derives from the platform event so a replay adds nothing."""
        try:
            await self._entries.insert_one(
                {
                    "_id": entry_id,
                    "customer_id": customer_id,
                    "kind": kind,
                    "text_version": text_version,
                    "language": language,
                    "channel": channel,
                    "decision": decision.value,
                    "questionnaire_id": questionnaire_id,
                    "at": at or datetime.now(UTC),
                }
            )
        except DuplicateKeyError:
            pass

    async def survey_decisions(self) -> AsyncIterator[tuple[str | None, datetime]]:
        """(questionnaire if recorded, time) of every answer to a survey's consent request."""
        query = {"kind": "survey", "decision": {"$in": ["granted", "refused"]}}
        async for doc in self._entries.find(query, {"questionnaire_id": 1, "at": 1}):
            yield doc.get("questionnaire_id"), doc["at"]

    async def history(self, *, customer_id: str) -> list[ConsentEntry]:
        cursor = self._entries.find({"customer_id": customer_id}).sort([("at", 1), ("_id", 1)])
        return [
            ConsentEntry(
                customer_id=doc["customer_id"],
                kind=doc["kind"],
                text_version=doc["text_version"],
                language=doc["language"],
                channel=doc["channel"],
                decision=Decision(doc["decision"]),
                at=doc["at"],
            )
            async for doc in cursor
        ]

    async def current(self, *, customer_id: str, kind: str) -> Decision | None:
        cursor = (
            self._entries.find({"customer_id": customer_id, "kind": kind})
            .sort([("at", -1), ("_id", -1)])
            .limit(1)
        )
        async for doc in cursor:
            return Decision(doc["decision"])
        return None
