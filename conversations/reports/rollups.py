"""Counters kept as data arrives, so a report reads a few thousand small documents, not every response.

Each counter document covers one day × questionnaire × one breakdown value ("all", a country, a
language, a channel, a customer segment or a questionnaire version) and holds every dimension's
figures. A finished response adds to six documents; a report over a year reads at most a few
thousand, whatever the number of responses.
"""

from __future__ import annotations

from collections import defaultdict
from collections.abc import Iterable
from dataclasses import dataclass
from datetime import date, datetime
from typing import Protocol

from conversations.reports.quality import INCOMPLETE
from core.jobs import JobPayload, Rollup
from core.questionnaire import Question, Questionnaire, QuestionType
from core.responses import Response
from storage.invitations import Invitation

ROLLUP = Rollup.KIND
FINAL = "final"  # a response completed or abandoned: its figures, or its reason for being left out
UNSERVED = "unserved"  # a customer who wrote a language the shop has no catalog for (demand for one)
ALL = "all"
AXES = ("country", "language", "channel", "segment", "version")
UNKNOWN = "unknown"
DRIVER_OUTCOME = "_outcome"  # sorts before the dimensions; not a valid dimension field
Increments = dict[str, int | float]
Key = tuple[str, str, str, str]  # day, questionnaire, axis, value


@dataclass(frozen=True, slots=True)
class Facets:
    """What a response is broken down by (never who gave it)."""

    country: str = UNKNOWN
    language: str = UNKNOWN
    channel: str = UNKNOWN
    segment: str = UNKNOWN
    version: str = UNKNOWN

    def pairs(self) -> list[tuple[str, str]]:
        return [(ALL, ALL), *((axis, getattr(self, axis) or UNKNOWN) for axis in AXES)]


def facets_of(response: Response, invitation: Invitation | None) -> Facets:
    return Facets(
        country=(invitation and invitation.country) or UNKNOWN,
        language=response.language or UNKNOWN,
        channel=response.channel or UNKNOWN,
        segment=(invitation and invitation.segment) or UNKNOWN,
        version=str(response.questionnaire_version or UNKNOWN),
    )


def stopped_at(response: Response, questionnaire: Questionnaire) -> str:
    """The question an unfinished response was left at (the first visible one not answered)."""
    answers = response.answers
    values = {qid: a.value for qid, a in answers.items() if not a.skipped}
    current: str | None = None
    while True:
        following = questionnaire.next_question(current, values)
        if following is None:
            return current or UNKNOWN
        if following.id not in answers:
            return following.id
        current = following.id


def response_increments(
    response: Response, questionnaire: Questionnaire, *, reason: str | None
) -> Increments:
    """What one finished response adds to its counters (an excluded one only counts its reason)."""
    if reason == INCOMPLETE:
        return {"excluded.incomplete": 1, f"stopped_at.{stopped_at(response, questionnaire)}": 1}
    if reason is not None:
        return {f"excluded.{reason}": 1}
    counts: Increments = {"kept": 1}
    mine: Increments = {}  # this respondent's own n, sum and top2 per prefix
    for question, value in _values(response, questionnaire):
        if question.type is QuestionType.RATING5 and 1 <= value <= 5:
            for prefix in ("rating", f"dims.{_field(question.dimension)}"):
                _add(mine, f"{prefix}.n", 1)
                _add(mine, f"{prefix}.sum", value)
                _add(mine, f"{prefix}.top2", 1 if value >= 4 else 0)
        elif question.type is QuestionType.SCALE10 and 0 <= value <= 10:
            _add(counts, "nps.n", 1)
            group = "promoters" if value >= 9 else "passives" if value >= 7 else "detractors"
            _add(counts, f"nps.{group}", 1)
    counts.update(mine)
    for prefix in {name.rsplit(".", 1)[0] for name in mine}:
        # The respondent's squares and cross-products: intervals with the respondent as the unit.
        a, s, t = mine[f"{prefix}.n"], mine[f"{prefix}.sum"], mine[f"{prefix}.top2"]
        counts |= {f"{prefix}.r": 1, f"{prefix}.nn": a * a, f"{prefix}.ss": s * s, f"{prefix}.tt": t * t}
        counts |= {f"{prefix}.sn": s * a, f"{prefix}.tn": t * a}
    return counts


def _values(response: Response, questionnaire: Questionnaire) -> list[tuple[Question, int]]:
    """The response's answered 1–5 and 0–10 questions with their values."""
    found: list[tuple[Question, int]] = []
    for qid, answer in response.answers.items():
        question = questionnaire.question(qid)
        value = answer.value
        if question is None or answer.skipped or not isinstance(value, int) or isinstance(value, bool):
            continue
        if question.type in (QuestionType.RATING5, QuestionType.SCALE10):
            found.append((question, value))
    return found


def driver_increments(response: Response, questionnaire: Questionnaire) -> Increments:
    """A kept response's sums and cross-products of its dimension scores and 0–10 outcome (drivers).

    Only complete cases count: the outcome and every dimension of the questionnaire answered. A
    dimension's score is the mean of its answered 1–5 questions.
    """
    dimensions = sorted(
        {_field(q.dimension) for q in questionnaire.questions if q.type is QuestionType.RATING5}
    )
    sums: dict[str, list[int]] = defaultdict(list)
    outcome: int | None = None
    for question, value in _values(response, questionnaire):
        if question.type is QuestionType.RATING5 and 1 <= value <= 5:
            sums[_field(question.dimension)].append(value)
        elif question.type is QuestionType.SCALE10 and 0 <= value <= 10 and outcome is None:
            outcome = value
    if outcome is None or not dimensions or any(not sums[name] for name in dimensions):
        return {}
    scores = {name: sum(sums[name]) / len(sums[name]) for name in dimensions} | {DRIVER_OUTCOME: outcome}
    names = sorted(scores)
    counts: Increments = {"drivers.n": 1}
    for i, first in enumerate(names):
        counts[f"drivers.s.{first}"] = scores[first]
        for second in names[i:]:
            counts[f"drivers.p.{first}.{second}"] = scores[first] * scores[second]
    return counts


def driver_keyed(day: date, questionnaire_id: str, increments: Increments) -> dict[Key, Increments]:
    """Driver sums go to the overall document only (they are read per questionnaire and period)."""
    return {(day.isoformat(), questionnaire_id, ALL, ALL): increments} if increments else {}


def keyed(day: date, questionnaire_id: str, facets: Facets, increments: Increments) -> dict[Key, Increments]:
    return {(day.isoformat(), questionnaire_id, axis, value): increments for axis, value in facets.pairs()}


def funnel_increment(day: date, questionnaire_id: str, stage: str) -> dict[Key, Increments]:
    """invited / started / consented / completed: counted on the overall document only."""
    return {(day.isoformat(), questionnaire_id, ALL, ALL): {f"funnel.{stage}": 1}}


def unserved_increment(day: date, questionnaire_id: str, language: str) -> dict[Key, Increments]:
    """One more customer in an unserved language: counted on the overall document only."""
    return {(day.isoformat(), questionnaire_id, ALL, ALL): {f"{UNSERVED}.{_field(language)}": 1}}


def merge(parts: Iterable[dict[Key, Increments]]) -> dict[Key, Increments]:
    """Many responses' increments as one write per counter document (bulk loads)."""
    merged: dict[Key, dict[str, int | float]] = defaultdict(dict)
    for part in parts:
        for key, increments in part.items():
            target = merged[key]
            for name, amount in increments.items():
                target[name] = target.get(name, 0) + amount
    return dict(merged)


def _add(counts: Increments, name: str, amount: int | float) -> None:
    counts[name] = counts.get(name, 0) + amount


def _field(name: str) -> str:
    # Dimension names become field names: no dots or dollar signs inside them.
    return name.replace(".", "_").replace("$", "_") or "general"


class Scheduler(Protocol):
    """Where a count is scheduled: the jobs collection, or a step's outbox."""

    async def put(self, job: JobPayload, *, key: str, due_at: datetime) -> bool: ...


async def count(
    jobs: Scheduler,
    *,
    stage: str,
    questionnaire_id: str | None,
    entity: str,
    at: datetime,
    response_id: str = "",
) -> None:
    """Count a funnel stage or a finished response once (a durable job, idempotent by `entity`)."""
    if not questionnaire_id:
        return
    job = Rollup(stage=stage, questionnaire=questionnaire_id, day=at.date().isoformat(), response=response_id)
    await jobs.put(job, key=f"{stage}:{entity}", due_at=at)


async def count_unserved(
    jobs: Scheduler, *, language: str, questionnaire_id: str, customer_id: str, at: datetime
) -> None:
    """Count a customer's unserved language once (a durable job, idempotent by the customer)."""
    job = Rollup(stage=UNSERVED, questionnaire=questionnaire_id, day=at.date().isoformat(), language=language)
    await jobs.put(job, key=f"{UNSERVED}:{customer_id}", due_at=at)
