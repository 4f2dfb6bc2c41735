"""Which finished responses the figures leave out, and why: duplicates, speeders, straight-lining."""

from __future__ import annotations

from dataclasses import dataclass

from core.questionnaire import SECONDS_PER_TYPE, Questionnaire, QuestionType
from core.responses import Response

DUPLICATE = "duplicate"
INCOMPLETE = "incomplete"
SPEEDER = "speeder"
STRAIGHT_LINING = "straight_lining"
REASONS = (DUPLICATE, INCOMPLETE, SPEEDER, STRAIGHT_LINING)


@dataclass(frozen=True, slots=True)
class QualityRules:
    speeder_share: float = 0.3
    """Completed in less than this share of the time its answered questions normally take."""
    straight_line_min: int = 6
    """Identical answers on at least this many 1–5 questions…"""
    straight_line_share: float = 0.6
    """…given in less than this share of the normal time. Identical answers alone are an opinion
    (a happy customer may well answer 5 everywhere); identical and hurried ones are not read."""
    duplicate_window_days: int = 30
    """Responses without an order: the same customer's repeat within this many days is a duplicate."""


def expected_seconds(response: Response, questionnaire: Questionnaire) -> float:
    """How long the questions this response answered usually take (skips cost nothing)."""
    total = 0
    for qid, answer in response.answers.items():
        question = questionnaire.question(qid)
        if question is not None and not answer.skipped:
            total += SECONDS_PER_TYPE[question.type]
    return float(total)


def exclusion_reason(
    response: Response, questionnaire: Questionnaire, *, duplicate: bool, rules: QualityRules
) -> str | None:
    """Why a completed response stays out of the figures, or None when it counts."""
    if duplicate:
        return DUPLICATE
    expected = expected_seconds(response, questionnaire)
    duration = response.duration_seconds
    if duration is None or expected <= 0:
        return None
    if duration < rules.speeder_share * expected:
        return SPEEDER
    ratings = [
        answer.value
        for qid, answer in response.answers.items()
        if (question := questionnaire.question(qid)) is not None
        and question.type is QuestionType.RATING5
        and not answer.skipped
    ]
    if (
        len(ratings) >= rules.straight_line_min
        and len(set(ratings)) == 1
        and duration < rules.straight_line_share * expected
    ):
        return STRAIGHT_LINING
    return None
