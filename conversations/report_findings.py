"""What the analysis report concludes from a report's figures: conclusions, problems, suggested actions.

Every sentence is generated from a figure and carries it with its 95 % interval; nothing here
reads data of its own, so the same report always gives the same findings.
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass, field
from datetime import date, timedelta
from typing import Protocol

from conversations.complaint_policy import Category
from conversations.drivers import Method
from conversations.report_model import Report, Score
from conversations.report_stats import Interval

FIX_FIRST_DAYS = 42  # a proposed deadline: six weeks for what drives the outcome and lags
OTHER_DAYS = 84  # twelve weeks for the rest
TARGET_GAIN = 0.05  # a target: five CSAT points above today's figure…
TARGET_FLOOR = 0.80  # …and never above the policy's 80 % satisfied
WEAK_CSAT = 0.70  # a dimension below this share of 4–5 answers is a problem
MAX_ACTIONS = 5

# Which complaint category (and so which team, by ROUTING) answers for a questionnaire dimension.
DIMENSION_CATEGORY: dict[str, str] = {
    "product": Category.PRODUCT_QUALITY,
    "logistics": Category.LOGISTICS,
    "after_sales": Category.AFTER_SALES,
    "payment": Category.PAYMENT,
    "communication": Category.ATTITUDE,
    "usability": Category.OTHER,
}


@dataclass(frozen=True, slots=True)
class Theme:
    """A recurring subject in free text (filled by a theme provider; quotes are de-identified)."""

    label: str
    top_terms: list[str]
    count: int
    dimensions: list[str] = field(default_factory=list)
    categories: list[str] = field(default_factory=list)
    quotes: list[str] = field(default_factory=list)


class ThemeProvider(Protocol):
    """Themes of a period's free text; the report says "not available yet" when there is none."""

    async def themes(self, *, start: date, end: date, questionnaire: str | None) -> list[Theme]: ...


@dataclass(frozen=True, slots=True)
class Conclusion:
    sentence: str
    figure: str
    """The figure behind the sentence, with its size and interval."""


@dataclass(frozen=True, slots=True)
class SuggestedAction:
    team: str
    requirement: str
    dimension: str
    """`dimension:<name>` or `category:<name>`, as improvement actions name their target."""
    deadline: date
    target: str


@dataclass(frozen=True, slots=True)
class Findings:
    conclusions: list[Conclusion]
    problems: list[Conclusion]
    actions: list[SuggestedAction]
    themes: list[Theme] | None
    """None: no theme provider yet."""


def _pct(share: float | None) -> str:
    return "–" if share is None else f"{100 * share:.0f} %"


def _ci(interval: Interval | None) -> str:
    return "" if interval is None else f" [95 %: {100 * interval.low:.0f}–{100 * interval.high:.0f} %]"


def _csat_figure(score: Score) -> str:
    return f"CSAT {_pct(score.csat)}{_ci(score.csat_ci)}, n = {score.respondents or score.answers}"


def _weakest(report: Report) -> list[tuple[str, Score]]:
    shown = [(k, s) for k, s in report.overall.dimensions.items() if s.csat is not None]
    return sorted(shown, key=lambda item: (item[1].csat or 0.0, item[0]))


def conclusions(report: Report, themes: list[Theme] | None) -> list[Conclusion]:
    found: list[Conclusion] = []
    shown = [p for p in report.trend if p.csat is not None]
    if len(shown) >= 2:
        before, after = shown[-2], shown[-1]
        change = 100 * ((after.csat or 0.0) - (before.csat or 0.0))
        verdict = "a change larger than noise" if after.changed else "within noise"
        p = f", adjusted p = {after.p_value:.3f}" if after.p_value is not None else ""
        found.append(
            Conclusion(
                f"CSAT moved {change:+.0f} points from {before.period} to {after.period}: {verdict}.",
                f"{before.period} {_pct(before.csat)}{_ci(before.csat_ci)}, n = {before.respondents}; "
                f"{after.period} {_pct(after.csat)}{_ci(after.csat_ci)}, n = {after.respondents}{p}",
            )
        )
    for name, score in _weakest(report)[:2]:
        found.append(Conclusion(f"{name} is among the weakest dimensions.", _csat_figure(score)))
    for analysis in report.drivers:
        if analysis.method is Method.NOT_ENOUGH or not analysis.drivers:
            continue
        top = analysis.drivers[0]
        found.append(
            Conclusion(
                f"{top.dimension} drives the recommendation most in {analysis.questionnaire}"
                f" ({top.quadrant}).",
                f"{100 * top.importance:.0f} % of the explained variation ({analysis.method}), "
                f"mean {top.performance:.2f}, n = {analysis.respondents}",
            )
        )
    for theme in (themes or [])[:2]:
        found.append(Conclusion(f"Customers keep mentioning “{theme.label}”.", f"{theme.count} texts"))
    return found


def problems(report: Report) -> list[Conclusion]:
    found: list[Conclusion] = []
    for analysis in report.drivers:
        for driver in analysis.fix_first:
            score = report.overall.dimensions.get(driver.dimension)
            figure = _csat_figure(score) if score else f"mean {driver.performance:.2f}"
            found.append(
                Conclusion(
                    f"{driver.dimension}: important to customers and below the other dimensions.", figure
                )
            )
    flagged = {c.sentence.split(":")[0] for c in found}
    for name, score in _weakest(report):
        if (score.csat or 0.0) < WEAK_CSAT and name not in flagged:
            found.append(Conclusion(f"{name}: fewer than {_pct(WEAK_CSAT)} satisfied.", _csat_figure(score)))
    complaints = report.complaints
    ranked = sorted(((n, c) for c, n in complaints.by_category.items() if n), reverse=True)
    for count, category in ranked[:3]:
        share = count / complaints.total if complaints.total else 0.0
        found.append(
            Conclusion(
                f"Complaints concentrate on {category}.",
                f"{count} of {complaints.total} complaints ({_pct(share)})",
            )
        )
    for action in report.actions:
        if action.overdue:
            found.append(
                Conclusion(f"Improvement action {action.action_id} is overdue.", f"due {action.due}")
            )
    return found


def suggested_actions(
    report: Report, *, team_for: Callable[[str], str], today: date
) -> list[SuggestedAction]:
    """Fix-first drivers, then weak dimensions, then the top complaint categories, each routed to the
    team that handles the matching complaint category, with a deadline and a CSAT target."""
    fix_first = [d.dimension for a in report.drivers for d in a.fix_first]
    weak = [name for name, s in _weakest(report) if (s.csat or 0.0) < WEAK_CSAT]
    actions: list[SuggestedAction] = []
    for name in dict.fromkeys([*fix_first, *weak]):
        score = report.overall.dimensions.get(name)
        if score is None or score.csat is None:
            continue
        days = FIX_FIRST_DAYS if name in fix_first else OTHER_DAYS
        goal = max(score.csat, min(TARGET_FLOOR, score.csat + TARGET_GAIN))
        category = DIMENSION_CATEGORY.get(name, Category.OTHER)
        why = "drives the recommendation and lags" if name in fix_first else "few customers satisfied"
        actions.append(
            SuggestedAction(
                team=team_for(category),
                requirement=f"Improve {name} ({why}; now {_csat_figure(score)}).",
                dimension=f"dimension:{name}",
                deadline=today + timedelta(days=days),
                target=f"{name} CSAT ≥ {_pct(goal)} by {today + timedelta(days=days)}",
            )
        )
    complaints = report.complaints
    ranked = sorted(((n, c) for c, n in complaints.by_category.items() if n), reverse=True)
    for count, category in ranked[:2]:
        deadline = today + timedelta(days=OTHER_DAYS)
        actions.append(
            SuggestedAction(
                team=team_for(category),
                requirement=f"Remove the most frequent cause of {category} complaints ({count} this period).",
                dimension=f"category:{category}",
                deadline=deadline,
                target=f"{category} complaints per period ≤ {max(1, count * 3 // 4)} by {deadline}",
            )
        )
    return actions[:MAX_ACTIONS]


def findings(
    report: Report, *, themes: list[Theme] | None, team_for: Callable[[str], str], today: date
) -> Findings:
    return Findings(
        conclusions=conclusions(report, themes),
        problems=problems(report),
        actions=suggested_actions(report, team_for=team_for, today=today),
        themes=themes,
    )
