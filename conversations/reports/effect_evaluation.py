"""Did an improvement task reach its target? The dimension's CSAT before and after, per respondent.

Windows: *before* is the 28 days before the task was approved, *after* the 28 days after it was
marked done (so the evaluation runs 28 days after "done"); both count completed responses to the
same questionnaire that quality checks kept. The respondent is the unit: a customer with several
responses in a window counts once (the latest), and is *satisfied* when the mean of their 1–5
answers on the dimension is at least 4. The verdict reads the after window's 95 % Wilson interval
against the target: wholly at or above it → met, wholly below → not met; an interval that straddles
the target, or fewer than `min_respondents` respondents, → not enough data. The change before → after
is given with Newcombe's 95 % interval for a difference of proportions and a two-sided
two-proportion z-test.
"""

from __future__ import annotations

import math
from dataclasses import dataclass
from datetime import datetime, timedelta
from enum import StrEnum

from conversations.reports.stats import two_proportion_p
from conversations.reports.stats import wilson as wilson_interval
from core.questionnaire import QuestionType
from storage.store import Store

WINDOW = timedelta(days=28)
MIN_RESPONDENTS = 30  # below this a normal-approximation test says little, whatever REPORT_MIN_GROUP is
Z95 = 1.959963984540054


class Verdict(StrEnum):
    MET = "target met"
    NOT_MET = "target not met"
    NOT_ENOUGH_DATA = "not enough data"


@dataclass(frozen=True, slots=True)
class Share:
    """`satisfied` of `respondents`, with its 95 % Wilson interval."""

    satisfied: int
    respondents: int

    @property
    def value(self) -> float | None:
        return self.satisfied / self.respondents if self.respondents else None

    @property
    def interval(self) -> tuple[float, float] | None:
        return wilson(self.satisfied, self.respondents)


@dataclass(frozen=True, slots=True)
class Evaluation:
    dimension: str
    target: float
    before: Share
    after: Share
    verdict: Verdict
    difference: float | None  # after − before, when both windows are large enough
    difference_interval: tuple[float, float] | None
    p_value: float | None
    min_respondents: int


def wilson(hits: int, n: int, z: float = Z95) -> tuple[float, float] | None:
    """Wilson score interval of a proportion, as (low, high)."""
    found = wilson_interval(hits, n, z)
    return None if found is None else (found.low, found.high)


def newcombe(before: Share, after: Share) -> tuple[float, float] | None:
    """Newcombe's hybrid score interval (method 10) for after − before."""
    first, second = before.interval, after.interval
    if first is None or second is None or before.value is None or after.value is None:
        return None
    p1, p2 = before.value, after.value
    (l1, u1), (l2, u2) = first, second
    delta = p2 - p1
    low = delta - math.sqrt((p2 - l2) ** 2 + (u1 - p1) ** 2)
    high = delta + math.sqrt((u2 - p2) ** 2 + (p1 - l1) ** 2)
    return low, high


def judge(before: Share, after: Share, *, target: float, dimension: str, min_respondents: int) -> Evaluation:
    verdict = Verdict.NOT_ENOUGH_DATA
    interval = after.interval
    if after.respondents >= min_respondents and interval is not None:
        if interval[0] >= target:
            verdict = Verdict.MET
        elif interval[1] < target:
            verdict = Verdict.NOT_MET
    comparable = min(before.respondents, after.respondents) >= min_respondents
    return Evaluation(
        dimension=dimension,
        target=target,
        before=before,
        after=after,
        verdict=verdict,
        difference=(after.value or 0.0) - (before.value or 0.0) if comparable else None,
        difference_interval=newcombe(before, after) if comparable else None,
        p_value=two_proportion_p(before.satisfied, before.respondents, after.satisfied, after.respondents)
        if comparable
        else None,
        min_respondents=min_respondents,
    )


async def satisfied_share(
    store: Store, *, questionnaire_id: str, dimension: str, start: datetime, end: datetime
) -> Share:
    """Respondents in [start, end) who answered the dimension, and how many of them were satisfied."""
    latest: dict[str, float] = {}  # customer → mean on the dimension of their latest response
    async for response in store.responses.completed_between(
        questionnaire_id=questionnaire_id, start=start, end=end
    ):
        if response.excluded:
            continue
        questionnaire = await store.questionnaires.get(
            questionnaire_id=questionnaire_id, version=response.questionnaire_version
        )
        if questionnaire is None:
            continue
        values: list[int] = []
        for qid, answer in response.answers.items():
            question = questionnaire.question(qid)
            value = answer.value
            if (
                question is not None
                and question.dimension == dimension
                and question.type is QuestionType.RATING5
                and not answer.skipped
                and isinstance(value, int)
                and not isinstance(value, bool)
            ):
                values.append(value)
        if values:
            latest[response.customer_id] = sum(values) / len(values)
    return Share(sum(mean >= 4 for mean in latest.values()), len(latest))


def describe(evaluation: Evaluation) -> str:
    """The evaluation as one paragraph of plain figures."""

    def share(part: Share) -> str:
        if part.value is None or part.interval is None:
            return "no respondents"
        low, high = part.interval
        return f"{_pct(part.value)} (95 % CI {_pct(low)}–{_pct(high)}, n = {part.respondents})"

    lines = [
        f"{evaluation.verdict.value.capitalize()}: {evaluation.dimension} CSAT target "
        f"≥ {_pct(evaluation.target)}.",
        f"Before: {share(evaluation.before)}. After: {share(evaluation.after)}.",
    ]
    if evaluation.difference is not None and evaluation.difference_interval is not None:
        low, high = evaluation.difference_interval
        p = evaluation.p_value
        lines.append(
            f"Change: {_points(evaluation.difference)} points (95 % CI {_points(low)} to {_points(high)}; "
            f"two-proportion z-test p = {p:.3g})."
            if p is not None
            else ""
        )
    else:
        lines.append(f"Change not tested: a window has fewer than {evaluation.min_respondents} respondents.")
    return "\n".join(line for line in lines if line)


def _pct(share: float) -> str:
    return f"{share * 100:.0f} %"


def _points(difference: float) -> str:
    return f"{difference * 100:+.0f}"
