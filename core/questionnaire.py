"""The versioned questionnaire model, its YAML loader and validation."""

from __future__ import annotations

import hashlib
import json
import math
import re
from enum import StrEnum
from pathlib import Path
from typing import Any, Self

import yaml
from pydantic import BaseModel, ConfigDict, Field, ValidationError, model_validator

BUILTIN_DIR = Path(__file__).parent / "questionnaires"
ID_PATTERN = r"^[a-z0-9]+(?:[-_][a-z0-9]+)*$"
# Seconds a customer typically needs per question type, for the duration shown at consent.
SECONDS_PER_TYPE = {"rating5": 10, "scale10": 10, "choice": 12, "yesno": 6, "text": 45}


class QuestionType(StrEnum):
    RATING5 = "rating5"
    SCALE10 = "scale10"
    CHOICE = "choice"
    YESNO = "yesno"
    TEXT = "text"


class QuestionnaireError(ValueError):
    """A questionnaire file that cannot be used; the message names file, question and problem."""


class _Strict(BaseModel):
    model_config = ConfigDict(extra="forbid", frozen=True)


class Condition(_Strict):
    """`show_if`: one `{question, in}` test, or `any`/`all` of nested conditions."""

    question: str | None = None
    in_: tuple[int | str | bool, ...] | None = Field(default=None, alias="in")
    any: tuple[Condition, ...] | None = None
    all: tuple[Condition, ...] | None = None

    @model_validator(mode="after")
    def _one_form(self) -> Self:
        forms = [self.question is not None, self.any is not None, self.all is not None]
        if sum(forms) != 1:
            raise ValueError("show_if needs exactly one of: question (with in), any, all")
        if self.question is not None and not self.in_:
            raise ValueError("show_if with 'question' needs a non-empty 'in' list")
        return self

    def referenced(self) -> set[str]:
        if self.question is not None:
            return {self.question}
        return set().union(*(c.referenced() for c in (self.any or self.all or ())))

    def holds(self, answers: dict[str, Any]) -> bool:
        if self.question is not None:
            return self.question in answers and answers[self.question] in (self.in_ or ())
        if self.any is not None:
            return any(c.holds(answers) for c in self.any)
        return all(c.holds(answers) for c in self.all or ())


class Option(_Strict):
    # Short: it travels in button payloads, which Telegram limits to 64 bytes.
    value: str = Field(pattern=ID_PATTERN, max_length=20)
    text: dict[str, str]


class Question(_Strict):
    id: str = Field(pattern=ID_PATTERN, max_length=32)
    type: QuestionType
    dimension: str = "general"
    required: bool = True
    text: dict[str, str]
    options: tuple[Option, ...] = ()
    show_if: Condition | None = None
    max_length: int = Field(default=2000, ge=1, le=4000)

    @model_validator(mode="after")
    def _options_match_type(self) -> Self:
        if self.type is QuestionType.CHOICE and not 2 <= len(self.options) <= 10:
            raise ValueError("a choice question needs 2 to 10 options")
        if self.type is not QuestionType.CHOICE and self.options:
            raise ValueError(f"options are only allowed on choice questions, not {self.type}")
        return self


class Questionnaire(_Strict):
    id: str = Field(pattern=ID_PATTERN, max_length=32)
    version: int = Field(ge=1)
    languages: tuple[str, ...] = Field(min_length=1)
    title: dict[str, str]
    questions: tuple[Question, ...] = Field(min_length=1)

    @model_validator(mode="after")
    def _consistent(self) -> Self:
        seen: set[str] = set()
        for question in self.questions:
            if question.id in seen:
                raise ValueError(f"question {question.id!r}: the id is used twice")
            if question.show_if is not None:
                unknown = question.show_if.referenced() - seen
                if unknown:
                    raise ValueError(
                        f"question {question.id!r}: show_if refers to {sorted(unknown)}, "
                        "which is not an earlier question"
                    )
            seen.add(question.id)
            texts = [("text", question.text)] + [(f"option {o.value!r}", o.text) for o in question.options]
            for label, mapping in texts:
                missing = [lang for lang in self.languages if not mapping.get(lang, "").strip()]
                if missing:
                    raise ValueError(f"question {question.id!r}: {label} lacks {missing}")
        missing_title = [lang for lang in self.languages if not self.title.get(lang, "").strip()]
        if missing_title:
            raise ValueError(f"title lacks {missing_title}")
        return self

    def question(self, question_id: str) -> Question | None:
        return next((q for q in self.questions if q.id == question_id), None)

    def index(self, question_id: str) -> int:
        return next(i for i, q in enumerate(self.questions) if q.id == question_id)

    def estimated_minutes(self) -> int:
        seconds = sum(SECONDS_PER_TYPE[q.type] for q in self.questions)
        return max(1, math.ceil(seconds / 60))

    def language_for(self, language: str) -> str:
        return language if language in self.languages else self.languages[0]

    def content_hash(self) -> str:
        canonical = json.dumps(self.model_dump(mode="json", by_alias=True), sort_keys=True)
        return hashlib.sha256(canonical.encode()).hexdigest()

    def next_question(self, after: str | None, answers: dict[str, Any]) -> Question | None:
        """The first question after `after` (or the first one) whose show_if holds."""
        start = 0 if after is None else self.index(after) + 1
        for question in self.questions[start:]:
            if question.show_if is None or question.show_if.holds(answers):
                return question
        return None


def parse_questionnaire(data: object, *, source: str) -> Questionnaire:
    try:
        return Questionnaire.model_validate(data)
    except ValidationError as error:
        problems = "; ".join(_describe(data, e) for e in error.errors())
        raise QuestionnaireError(f"{source}: {problems}") from None


def _describe(data: object, error: Any) -> str:
    location = list(error["loc"])
    where = ".".join(str(part) for part in location) or "questionnaire"
    # Name the question by id rather than by list index: that is what authors search for.
    if len(location) >= 2 and location[0] == "questions" and isinstance(data, dict):
        questions = data.get("questions")
        if isinstance(questions, list) and isinstance(location[1], int):
            if location[1] < len(questions) and isinstance(questions[location[1]], dict):
                qid = questions[location[1]].get("id", f"#{location[1] + 1}")
                rest = ".".join(str(part) for part in location[2:])
                where = f"question {qid!r}" + (f" field {rest}" if rest else "")
    message = re.sub(r"^Value error, ", "", str(error["msg"]))
    return f"{where}: {message}"


def load_file(path: Path) -> Questionnaire:
    try:
        data = yaml.safe_load(path.read_text(encoding="utf-8"))
    except (OSError, yaml.YAMLError) as error:
        raise QuestionnaireError(f"{path}: cannot be read as YAML: {error}") from None
    return parse_questionnaire(data, source=str(path))


def load_directory(directory: Path) -> list[Questionnaire]:
    return [load_file(path) for path in sorted(directory.glob("*.y*ml"))]
