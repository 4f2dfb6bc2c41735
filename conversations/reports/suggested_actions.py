"""Improvement actions a report suggests — what drives the recommendation and lags (key drivers'
"fix first"), then the weakest dimensions and top complaint categories — each routed to the team that
handles that kind of complaint, with a requirement, a deadline and a target. The analysis report
shows these, and approving the report in Slack turns the same ones into improvement tasks."""

from __future__ import annotations

import math
from dataclasses import dataclass
from datetime import date, timedelta

from conversations.reports.model import Report
from conversations.tickets.policy import Category, ComplaintPolicy

# A survey dimension and the complaint category about the same thing: its team is that category's.
DIMENSION_CATEGORY = {
    "product": Category.PRODUCT_QUALITY,
    "logistics": Category.LOGISTICS,
    "after_sales": Category.AFTER_SALES,
    "payment": Category.PAYMENT,
    "communication": Category.ATTITUDE,
}
# The other way round, for complaint categories: the dimension whose score should move.
CATEGORY_DIMENSION = {
    Category.PRODUCT_QUALITY: "product",
    Category.WRONG_ITEM: "logistics",
    Category.LOGISTICS: "logistics",
    Category.AFTER_SALES: "after_sales",
    Category.PAYMENT: "payment",
    Category.ATTITUDE: "communication",
    Category.OTHER: "general",
}
NOT_ACTIONABLE = frozenset({"recommendation", "general"})  # outcomes, not something one team fixes
CSAT_FLOOR = 0.80  # dimensions below this share of 4–5 answers are suggested for improvement
TARGET_GAIN = 0.10  # the target asks for ten points more, rounded up to five, at most …
TARGET_CEILING = 0.95
DEADLINE = timedelta(days=90)  # proposed deadline after the report's period
MAX_SUGGESTIONS = 3


@dataclass(frozen=True, slots=True)
class Target:
    """What an improvement task must reach: a dimension's CSAT (share of 4–5 answers) by a date."""

    dimension: str
    csat: float  # 0–1
    by: date

    def __str__(self) -> str:
        return f"{self.dimension} CSAT ≥ {round(self.csat * 100)} % by {self.by.isoformat()}"


@dataclass(frozen=True, slots=True)
class SuggestedAction:
    team: str
    requirement: str
    dimension: str
    deadline: date
    target: Target


def target_share(current: float) -> float:
    """Ten points above `current`, rounded up to a multiple of five points, at most 95 %."""
    return min(TARGET_CEILING, math.ceil(round((current + TARGET_GAIN) * 20, 6)) / 20)


def suggest_actions(report: Report, policy: ComplaintPolicy) -> list[SuggestedAction]:
    """At most three actions, weakest first; one per dimension. Only figures the report shows count
    (groups below its minimum are suppressed there and so never drive a suggestion)."""
    deadline = report.end + DEADLINE
    by_dimension: dict[str, tuple[float, str]] = {}  # dimension → (current CSAT, requirement)
    shown = {
        name: score
        for name, score in report.overall.dimensions.items()
        if score.csat is not None and score.answers >= report.min_group and name not in NOT_ACTIONABLE
    }
    drivers = [d.dimension for analysis in report.drivers for d in analysis.fix_first]
    fix_first = [name for name in dict.fromkeys(drivers) if name in shown]
    for name in fix_first:
        csat = shown[name].csat or 0.0
        by_dimension[name] = (
            csat,
            f"Raise {name} satisfaction: it drives the recommendation and lags "
            f"(CSAT {round(csat * 100)} % in {_period(report)}).",
        )
    weak = sorted(
        (score.csat, name)
        for name, score in report.overall.dimensions.items()
        if score.csat is not None
        and score.csat < CSAT_FLOOR
        and score.answers >= report.min_group
        and name not in NOT_ACTIONABLE
    )
    for csat, name in weak:
        if name in by_dimension:
            continue
        by_dimension[name] = (
            csat,
            f"Raise {name} satisfaction: CSAT was {round(csat * 100)} % in {_period(report)}.",
        )
    complaints = sorted(
        ((count, category) for category, count in report.complaints.by_category.items() if count),
        reverse=True,
    )
    for count, category in complaints:
        dimension = CATEGORY_DIMENSION.get(Category(category), "general") if category in Category else None
        if dimension is None or dimension in by_dimension or dimension in NOT_ACTIONABLE:
            continue
        score = report.overall.dimensions.get(dimension)
        if score is None or score.csat is None:
            continue
        by_dimension[dimension] = (
            score.csat,
            f"Reduce {category.replace('_', ' ')} complaints ({count} in {_period(report)}) "
            f"and raise {dimension} satisfaction.",
        )
    suggestions: list[SuggestedAction] = []
    ordered = sorted(by_dimension.items(), key=lambda item: (item[0] not in fix_first, item[1][0]))
    for dimension, (csat, requirement) in ordered:
        routed = DIMENSION_CATEGORY.get(dimension)
        team = policy.team_for(routed).name if routed else policy.default_team
        suggestions.append(
            SuggestedAction(
                team=team,
                requirement=requirement,
                dimension=dimension,
                deadline=deadline,
                target=Target(dimension, target_share(csat), deadline),
            )
        )
    return suggestions[:MAX_SUGGESTIONS]


def _period(report: Report) -> str:
    return f"{report.start.isoformat()} – {report.end.isoformat()}"
