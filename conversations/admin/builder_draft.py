"""The questionnaire an admin is building in the chat, as kept in the admin's dialogue document."""

from __future__ import annotations

import re
from dataclasses import asdict, dataclass, field
from enum import StrEnum
from typing import Any

from conversations.admin.documents import complete_languages
from core.questionnaire import Questionnaire, QuestionnaireError, parse_questionnaire

MAX_TITLE = 120
MAX_WORDING = 500
MAX_OPTION = 40


class BuildStep(StrEnum):
    TITLE = "title"
    TOPIC = "topic"
    MENU = "menu"
    KIND = "kind"
    DIMENSION = "dimension"
    WORDING = "wording"
    OPTIONS = "options"
    REQUIRED = "required"
    CONDITION = "condition"
    ARRANGE = "arrange"


@dataclass(slots=True)
class QuestionDraft:
    id: str
    type: str
    dimension: str = "general"
    required: bool = True
    text: dict[str, str] = field(default_factory=dict)
    options: list[dict[str, Any]] = field(default_factory=list)
    show_if: dict[str, Any] | None = None

    def definition(self) -> dict[str, Any]:
        data: dict[str, Any] = {
            "id": self.id,
            "type": self.type,
            "dimension": self.dimension,
            "required": self.required,
            "text": dict(self.text),
        }
        if self.options:
            data["options"] = [dict(o) for o in self.options]
        if self.show_if is not None:
            data["show_if"] = dict(self.show_if)
        return data


@dataclass(slots=True)
class BuilderDraft:
    source: str  # the admin's language: their wording; the others are machine-translated from it
    languages: list[str]
    step: BuildStep = BuildStep.TITLE
    questionnaire_id: str | None = None
    title: dict[str, str] = field(default_factory=dict)
    questions: list[QuestionDraft] = field(default_factory=list)
    pending: QuestionDraft | None = None
    machine_translated: list[str] = field(default_factory=list)

    def to_document(self) -> dict[str, Any]:
        return asdict(self) | {"step": self.step.value}

    @classmethod
    def from_document(cls, doc: dict[str, Any]) -> BuilderDraft:
        pending = doc.get("pending")
        return cls(
            source=str(doc["source"]),
            languages=[str(code) for code in doc.get("languages") or []],
            step=BuildStep(doc.get("step", BuildStep.TITLE)),
            questionnaire_id=doc.get("questionnaire_id"),
            title=dict(doc.get("title") or {}),
            questions=[QuestionDraft(**q) for q in doc.get("questions") or []],
            pending=QuestionDraft(**pending) if isinstance(pending, dict) else None,
            machine_translated=list(doc.get("machine_translated") or []),
        )

    def next_question_id(self) -> str:
        numbers = [int(q.id[1:]) for q in self.questions if re.fullmatch(r"q\d+", q.id)]
        return f"q{max(numbers, default=0) + 1}"

    def definition(self, *, with_pending: bool = False) -> dict[str, Any]:
        questions = self.questions + ([self.pending] if with_pending and self.pending else [])
        return {
            "id": self.questionnaire_id or "draft",
            "version": 1,
            "languages": list(self.languages),
            "title": dict(self.title),
            "questions": [q.definition() for q in questions],
        }

    def questionnaire(self, *, with_pending: bool = False) -> Questionnaire | None:
        """The questionnaire so far (languages only where every text has one), or None before it has a
        question (or while the pending question is incomplete)."""
        data = self.definition(with_pending=with_pending)
        if not data["questions"]:
            return None
        try:
            return parse_questionnaire(complete_languages(data), source="the builder")
        except QuestionnaireError:
            return None


def slug(text: str) -> str:
    """A questionnaire id from a topic: lowercase ASCII words joined by -, at most 32 characters."""
    words = re.findall(r"[a-z0-9]+", text.lower())
    return "-".join(words)[:32].strip("-")
