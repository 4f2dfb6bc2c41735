"""Button payloads of the admins' questionnaire builder, templates and review (see core/payloads.py)."""

from __future__ import annotations

from dataclasses import dataclass
from typing import Literal

from core.payloads import Payload

TemplateName = Literal["post-delivery", "after-complaint", "repair", "nps-pulse"]
KindName = Literal["rating5", "scale10", "yesno", "choice", "text"]
DimensionName = Literal[
    "product", "logistics", "after_sales", "usability", "payment", "communication", "general"
]
# When a conditional question is shown, relative to one earlier question's answer.
WhenName = Literal["always", "low", "high", "detractor", "yes", "no"]


@dataclass(frozen=True, slots=True)
class UseTemplate(Payload):
    prefix = "tpl"
    template: TemplateName


@dataclass(frozen=True, slots=True)
class BuilderMenu(Payload):
    prefix = "qb"
    action: Literal["add", "arrange", "done", "save", "cancel"]


@dataclass(frozen=True, slots=True)
class BuilderKind(Payload):
    prefix = "qbk"
    kind: KindName


@dataclass(frozen=True, slots=True)
class BuilderDimension(Payload):
    prefix = "qbd"
    dimension: DimensionName


@dataclass(frozen=True, slots=True)
class BuilderRequired(Payload):
    prefix = "qbr"
    required: bool


@dataclass(frozen=True, slots=True)
class BuilderCondition(Payload):
    """Show the new question only when question number `question` (1-based) was answered `when`."""

    prefix = "qbc"
    when: WhenName
    question: int = 0


@dataclass(frozen=True, slots=True)
class BuilderArrange(Payload):
    prefix = "qbm"
    how: Literal["up", "remove"]
    question: int  # 1-based position


@dataclass(frozen=True, slots=True)
class ReviewAction(Payload):
    """The buttons of a "waiting for your review" notice, and the author's Submit."""

    prefix = "rv"
    action: Literal["preview", "approve", "changes", "submit"]
    questionnaire: str


@dataclass(frozen=True, slots=True)
class MarkReviewed(Payload):
    """A human has read (and corrected) the machine translation into `language`."""

    prefix = "mr"
    language: str
    questionnaire: str
