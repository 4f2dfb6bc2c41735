"""A survey response as stored (collection `responses`): its status enum and the typed documents readers get.

`from_document` tolerates what older versions left out (`.get`, as the readers did before); `to_document`
writes the shape `Responses.start` has always stored.
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass, field
from datetime import datetime
from enum import StrEnum
from typing import Any


class ResponseStatus(StrEnum):
    IN_PROGRESS = "in_progress"
    COMPLETE = "complete"
    ABANDONED = "abandoned"

    @property
    def finished(self) -> bool:
        """Completed or abandoned: what the report counters take in."""
        return self is not ResponseStatus.IN_PROGRESS


@dataclass(frozen=True, slots=True)
class Answer:
    """One entry of `answers`; `language` is the one free text was written in, when detected."""

    value: object = None
    skipped: bool = False
    at: datetime | None = None
    language: str | None = None

    @classmethod
    def from_document(cls, doc: Mapping[str, Any] | None) -> Answer:
        doc = doc or {}
        return cls(
            value=doc.get("value"),
            skipped=bool(doc.get("skipped")),
            at=_moment(doc.get("at")),
            language=_text(doc.get("language")),
        )

    def to_document(self) -> dict[str, Any]:
        doc: dict[str, Any] = {"value": self.value, "skipped": self.skipped}
        if self.at is not None:
            doc["at"] = self.at
        if self.language:
            doc["language"] = self.language
        return doc


Answers = Mapping[str, Answer]


def answers_from_document(doc: object) -> dict[str, Answer]:
    if not isinstance(doc, Mapping):
        return {}
    return {
        str(qid): Answer.from_document(entry if isinstance(entry, Mapping) else None)
        for qid, entry in doc.items()
    }


def answers_to_document(answers: Answers) -> dict[str, dict[str, Any]]:
    return {qid: answer.to_document() for qid, answer in answers.items()}


@dataclass(frozen=True, slots=True)
class Quality:
    """What the quality checks decided: `excluded` is why the figures leave it out (None: it counts)."""

    excluded: str | None = None

    @classmethod
    def from_document(cls, doc: object) -> Quality:
        return cls(excluded=_text(doc.get("excluded")) if isinstance(doc, Mapping) else None)

    def to_document(self) -> dict[str, Any]:
        return {"excluded": self.excluded}


@dataclass(frozen=True, slots=True)
class Response:
    """One customer's answers to one questionnaire version, under a pseudonymous customer id."""

    id: str
    customer_id: str
    questionnaire_id: str
    questionnaire_version: int
    status: ResponseStatus
    language: str | None = None
    channel: str | None = None
    order_ref: str | None = None
    consent_version: str | None = None
    started_at: datetime | None = None
    answers: Answers = field(default_factory=dict)
    answers_seq: int | None = None
    """The conversation version whose answer set is stored (absent before answers were versioned)."""
    completed_at: datetime | None = None
    abandoned_at: datetime | None = None
    duration_seconds: float | None = None
    quality: Quality | None = None
    """None until the quality checks ran (when the response was counted)."""

    @property
    def complete(self) -> bool:
        return self.status is ResponseStatus.COMPLETE

    @classmethod
    def from_document(cls, doc: Mapping[str, Any]) -> Response:
        return cls(
            id=str(doc["_id"]),
            customer_id=str(doc["customer_id"]),
            questionnaire_id=str(doc["questionnaire_id"]),
            questionnaire_version=int(doc["questionnaire_version"]),
            status=ResponseStatus(doc["status"]),
            language=_text(doc.get("language")),
            channel=_text(doc.get("channel")),
            order_ref=_text(doc.get("order_ref")),
            consent_version=_text(doc.get("consent_version")),
            started_at=_moment(doc.get("started_at")),
            answers=answers_from_document(doc.get("answers")),
            answers_seq=_integer(doc.get("answers_seq")),
            completed_at=_moment(doc.get("completed_at")),
            abandoned_at=_moment(doc.get("abandoned_at")),
            duration_seconds=_number(doc.get("duration_seconds")),
            # Present but null counts as checked, as the export's `"quality" in doc` always read it.
            quality=Quality.from_document(doc["quality"]) if "quality" in doc else None,
        )

    def to_document(self) -> dict[str, Any]:
        doc: dict[str, Any] = {
            "_id": self.id,
            "customer_id": self.customer_id,
            "questionnaire_id": self.questionnaire_id,
            "questionnaire_version": self.questionnaire_version,
            "language": self.language,
            "channel": self.channel,
            "order_ref": self.order_ref,
            "consent_version": self.consent_version,
            "status": self.status.value,
            "started_at": self.started_at,
            "answers": answers_to_document(self.answers),
        }
        # Set by later steps: absent until then, as stored.
        later = {
            "answers_seq": self.answers_seq,
            "completed_at": self.completed_at,
            "abandoned_at": self.abandoned_at,
            "duration_seconds": self.duration_seconds,
            "quality": None if self.quality is None else self.quality.to_document(),
        }
        return doc | {name: value for name, value in later.items() if value is not None}


@dataclass(frozen=True, slots=True)
class CompletedResponse:
    """What figures and themes read of a completed response (`Responses.completed_between`): who
    (pseudonymous), the version, the answers and the quality verdict; no channel, order or language."""

    id: str
    customer_id: str
    questionnaire_version: int
    completed_at: datetime
    answers: Answers = field(default_factory=dict)
    quality: Quality | None = None

    @property
    def excluded(self) -> bool:
        return self.quality is not None and bool(self.quality.excluded)

    @classmethod
    def from_document(cls, doc: Mapping[str, Any]) -> CompletedResponse:
        completed = _moment(doc.get("completed_at"))
        if completed is None:
            raise ValueError(f"response {doc.get('_id')!r} has no completion time")
        return cls(
            id=str(doc["_id"]),
            customer_id=str(doc.get("customer_id")),
            # Read as version 1 when missing, as the readers always did.
            questionnaire_version=int(doc.get("questionnaire_version") or 1),
            completed_at=completed,
            answers=answers_from_document(doc.get("answers")),
            quality=Quality.from_document(doc["quality"]) if "quality" in doc else None,
        )


@dataclass(frozen=True, slots=True)
class UnfinishedResponse:
    """A response still in progress, as the sweep that abandons stale ones reads it."""

    id: str
    questionnaire_id: str

    @classmethod
    def from_document(cls, doc: Mapping[str, Any]) -> UnfinishedResponse:
        return cls(id=str(doc["_id"]), questionnaire_id=str(doc["questionnaire_id"]))


@dataclass(frozen=True, slots=True)
class OrderResponse:
    """How far the response to one order's invitation got (invitation coverage)."""

    order_ref: str
    status: ResponseStatus

    @classmethod
    def from_document(cls, doc: Mapping[str, Any]) -> OrderResponse:
        return cls(order_ref=str(doc.get("order_ref")), status=ResponseStatus(doc["status"]))


def _moment(value: object) -> datetime | None:
    return value if isinstance(value, datetime) else None


def _text(value: object) -> str | None:
    return None if value is None else str(value)


def _integer(value: object) -> int | None:
    return value if isinstance(value, int) and not isinstance(value, bool) else None


def _number(value: object) -> float | None:
    # An int stays an int (exports show it as stored).
    return value if isinstance(value, int | float) and not isinstance(value, bool) else None
