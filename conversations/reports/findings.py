"""What the analysis report concludes from a report's figures: conclusions, problems, suggested actions.

Every sentence is generated from a figure and carries it with its 95 % interval; nothing here
reads data of its own, so the same report always gives the same findings.
"""

from __future__ import annotations

from dataclasses import dataclass

from conversations.reports.drivers import Method
from conversations.reports.model import Report, Score
from conversations.reports.stats import Interval
from conversations.reports.suggested_actions import SuggestedAction, suggest_actions
from conversations.reports.themes import Theme
from conversations.tickets.policy import ComplaintPolicy

WEAK_CSAT = 0.70  # a dimension below this share of 4–5 answers is a problem


@dataclass(frozen=True, slots=True)
class Conclusion:
    sentence: str
    figure: str
    """The figure behind the sentence, with its size and interval."""


@dataclass(frozen=True, slots=True)
class Findings:
    conclusions: list[Conclusion]
    problems: list[Conclusion]
    actions: list[SuggestedAction]
    themes: list[Theme] | None
    """None: themes were not asked for."""


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


def findings(report: Report, *, themes: list[Theme] | None, policy: ComplaintPolicy) -> Findings:
    return Findings(
        conclusions=conclusions(report, themes),
        problems=problems(report),
        # The same suggestions that approving the report in Slack turns into improvement tasks.
        actions=suggest_actions(report, policy),
        themes=themes,
    )
