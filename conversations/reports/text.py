"""A report as plain text (chat, terminal, Slack) and as CSV rows (spreadsheets)."""

from __future__ import annotations

import csv
import io

from conversations.reports.drivers import DriverAnalysis, Method
from conversations.reports.model import Group, Rate, Report, Score
from conversations.reports.stats import Interval

LABELS = {
    "duplicate": "duplicates",
    "incomplete": "incomplete",
    "speeder": "too fast",
    "straight_lining": "same answer everywhere, hurried",
}


def pct(share: float | None) -> str:
    """A share as a whole percentage; "–" when there is none (too few answers)."""
    return "–" if share is None else f"{100 * share:.0f} %"


def _mean(value: float | None) -> str:
    return "–" if value is None else f"{value:.2f}"


def _nps(value: float | None) -> str:
    return "–" if value is None else f"{value:+.0f}"


def _ci_pct(interval: Interval | None) -> str:
    return "" if interval is None else f" [{100 * interval.low:.0f}–{100 * interval.high:.0f} %]"


def _ci_mean(interval: Interval | None) -> str:
    return "" if interval is None else f" [{interval.low:.2f}–{interval.high:.2f}]"


def _ci_nps(interval: Interval | None) -> str:
    return "" if interval is None else f" [{interval.low:+.0f}…{interval.high:+.0f}]"


def _p(value: float | None) -> str:
    return "–" if value is None else ("< 0.001" if value < 0.001 else f"{value:.3f}")


def _rate(rate: Rate) -> str:
    if rate.suppressed:
        return f"not shown (fewer than the minimum, {rate.total} decided)"
    if rate.total == 0:
        return "–"
    return f"{pct(rate.share)}{_ci_pct(rate.share_ci)} ({rate.hits} of {rate.total})"


def _score(score: Score) -> str:
    who = f", {score.respondents} respondents" if score.respondents else ""
    return (
        f"mean {_mean(score.mean)}{_ci_mean(score.mean_ci)} · CSAT {pct(score.csat)}{_ci_pct(score.csat_ci)}"
        f" ({score.answers} answers{who})"
    )


def _group_line(group: Group, min_group: int) -> str:
    if group.suppressed or group.overall is None:
        return f"  {group.key:<14} fewer than {min_group} respondents: not shown"
    nps = group.nps.score if group.nps else None
    shown = [p for p in (group.csat_p, group.mean_p) if p is not None]
    differs = f" · differs from the rest (p = {_p(min(shown))})" if group.differs and shown else ""
    return (
        f"  {group.key:<14} {group.respondents:>6} respondents · CSAT {pct(group.overall.csat)}"
        f"{_ci_pct(group.overall.csat_ci)} · mean {_mean(group.overall.mean)}"
        f"{_ci_mean(group.overall.mean_ci)}"
        f" · NPS {_nps(nps)}{differs}"
    )


def _drivers(analysis: DriverAnalysis) -> list[str]:
    head = (
        f"Key drivers of the recommendation ({analysis.questionnaire},"
        f" {analysis.respondents} complete answers):"
    )
    if analysis.method is Method.NOT_ENOUGH:
        return [head, f"  not enough data (at least {analysis.minimum} needed)"]
    fitted = f", R² {analysis.r_squared:.2f}" if analysis.r_squared is not None else ""
    lines = [head, f"  method: {analysis.method}{fitted}"]
    for d in analysis.drivers:
        lines.append(
            f"  {d.dimension:<14} importance {100 * d.importance:>3.0f} %"
            f" · mean {d.performance:.2f} · {d.quadrant}"
        )
    fix = ", ".join(d.dimension for d in analysis.fix_first) or "none"
    lines.append(f"  fix first: {fix}")
    return lines


def render_text(report: Report) -> str:
    what = report.questionnaire or "all questionnaires"
    e = report.exclusions
    left_out = ", ".join(f"{LABELS[k]} {getattr(e, k)}" for k in LABELS if getattr(e, k))
    lines = [
        f"Feedback report {report.start} – {report.end} · {what}",
        f"Respondents counted: {report.respondents}"
        + (f" (left out: {e.total} — {left_out})" if e.total else " (none left out)"),
        f"Groups smaller than {report.min_group} are not shown. Figures are de-identified.",
        "",
    ]
    overall = report.overall
    if overall.suppressed or overall.overall is None:
        lines.append(f"Overall: fewer than {report.min_group} respondents — not shown.")
    else:
        nps = overall.nps
        o = overall.overall
        lines.append(
            f"Overall: CSAT {pct(o.csat)}{_ci_pct(o.csat_ci)}"
            f" · mean {_mean(o.mean)}{_ci_mean(o.mean_ci)} / 5"
            f" ({o.answers} answers, {o.respondents} respondents)"
            f" · NPS {_nps(nps.score if nps else None)}{_ci_nps(nps.score_ci if nps else None)}"
            f" ({nps.answers if nps else 0} answers)"
        )
        lines.append("  [95 % intervals, respondents as the unit]")
        lines.append("Dimensions (1–5):")
        for name, score in sorted(overall.dimensions.items(), key=lambda item: -(item[1].mean or 0)):
            lines.append(f"  {name:<14} {_score(score)}")
    if report.by:
        lines += ["", f"By {report.by}:"] + [_group_line(g, report.min_group) for g in report.groups]
    lines += ["", f"Trend by {report.trend_unit} (* change larger than noise: {report.significance_test}):"]
    for point in report.trend:
        if point.csat is None:
            lines.append(f"  {point.period}    fewer than {report.min_group} respondents")
        else:
            mark = "*" if point.changed else " "
            lines.append(
                f"  {point.period} {mark} {point.respondents:>6} respondents · CSAT {pct(point.csat)}"
                f"{_ci_pct(point.csat_ci)} · NPS {_nps(point.nps)}{_ci_nps(point.nps_ci)}"
                + (f" · p {_p(point.p_value)}" if point.p_value is not None else "")
            )
    for analysis in report.drivers:
        lines += ["", *_drivers(analysis)]
    f = report.funnel
    lines += [
        "",
        f"Funnel: invited {f.invited} → started {f.started} → consented {f.consented}"
        f" → completed {f.completed}",
    ]
    if f.stopped_at:
        drop = ", ".join(f"{qid} {n}" for qid, n in sorted(f.stopped_at.items(), key=lambda i: -i[1]))
        lines.append(f"  Left unfinished at: {drop}")
    if report.unserved_languages:
        shown = ", ".join(
            f"{code} {count}" if count is not None else f"{code} <{report.min_group}"
            for code, count in report.unserved_languages.items()
        )
        lines.append(f"Customers writing a language without a catalog (got the fallback): {shown}")
    c = report.complaints

    def counts(values: dict[str, int | None]) -> str:
        return (
            ", ".join(f"{k} {v if v is not None else f'< {report.min_group}'}" for k, v in values.items())
            or "–"
        )

    lines += [
        "",
        f"Complaints: {c.total}",
        f"  by category: {counts(c.by_category)}",
        f"  by urgency: {counts(c.by_urgency)}",
        f"  by team: {counts(c.by_team)}",
        f"  first contact on time (48 h policy): {_rate(c.first_contact_on_time)}"
        + (
            f" · median {c.median_first_contact_hours:.1f} h"
            if c.median_first_contact_hours is not None
            else ""
        ),
        f"  result on time (72 h policy): {_rate(c.resolution_on_time)}"
        + (f" · median {c.median_resolution_hours:.1f} h" if c.median_resolution_hours is not None else ""),
        f"  proposed resolutions accepted: {_rate(c.proposals_accepted)}",
        f"  follow-up coverage (policy 100 %): {_rate(c.followup_coverage)}",
        f"  satisfaction after a complaint: {_score(c.post_complaint)}",
        f"  feedback received: {counts(c.feedback_split)}",
    ]
    if report.actions:
        lines += ["", "Improvement actions:"]
        for a in report.actions:
            state = "done" if a.status == "done" else ("OVERDUE" if a.overdue else "open")
            line = f"  {a.action_id} {a.target} · {a.team} · {a.owner} · due {a.due} · {state}"
            if a.before is not None or a.after is not None:
                before = _score(a.before) if a.before else "too few answers"
                after = _score(a.after) if a.after else "too few answers"
                line += f"\n      before: {before}\n      after:  {after}"
            lines.append(line)
    return "\n".join(lines) + "\n"


def render_csv(report: Report) -> str:
    """One figure per row: section, group, metric, value (suppressed figures are empty)."""
    out = io.StringIO()
    writer = csv.writer(out)
    writer.writerow(["section", "group", "metric", "value"])

    def number(value: float | None) -> str:
        return "" if value is None else f"{value:.4f}"

    def interval(section: str, group: str, metric: str, ci: Interval | None) -> None:
        writer.writerow([section, group, f"{metric}_low", number(ci.low if ci else None)])
        writer.writerow([section, group, f"{metric}_high", number(ci.high if ci else None)])

    def score(section: str, group: str, s: Score | None) -> None:
        writer.writerow([section, group, "answers", s.answers if s else ""])
        writer.writerow([section, group, "respondents_answering", s.respondents if s else ""])
        writer.writerow([section, group, "mean", number(s.mean if s else None)])
        interval(section, group, "mean", s.mean_ci if s else None)
        writer.writerow([section, group, "csat", number(s.csat if s else None)])
        interval(section, group, "csat", s.csat_ci if s else None)

    writer.writerow(["responses", "all", "respondents", report.respondents])
    for reason in LABELS:
        writer.writerow(["responses", "all", f"left_out_{reason}", getattr(report.exclusions, reason)])
    groups = [report.overall, *report.groups]
    for group in groups:
        section = "overall" if group is report.overall else f"by_{report.by}"
        writer.writerow([section, group.key, "respondents", "" if group.suppressed else group.respondents])
        score(section, group.key, group.overall)
        nps = group.nps.score if group.nps else None
        writer.writerow([section, group.key, "nps", f"{nps:.2f}" if nps is not None else ""])
        writer.writerow([section, group.key, "nps_answers", group.nps.answers if group.nps else ""])
        interval(section, group.key, "nps", group.nps.score_ci if group.nps else None)
        if group is not report.overall:
            writer.writerow([section, group.key, "csat_p_holm_vs_rest", number(group.csat_p)])
            writer.writerow([section, group.key, "mean_p_holm_vs_rest", number(group.mean_p)])
        for name, dimension in sorted(group.dimensions.items()):
            score(f"{section}_dimension", f"{group.key}:{name}", dimension)
    for point in report.trend:
        writer.writerow(
            ["trend", point.period, "respondents", point.respondents if point.csat is not None else ""]
        )
        writer.writerow(
            ["trend", point.period, "csat", f"{point.csat:.4f}" if point.csat is not None else ""]
        )
        interval("trend", point.period, "csat", point.csat_ci)
        writer.writerow(["trend", point.period, "nps", number(point.nps)])
        interval("trend", point.period, "nps", point.nps_ci)
        writer.writerow(["trend", point.period, "p_holm_vs_previous", number(point.p_value)])
        writer.writerow(["trend", point.period, "changed", int(point.changed)])
    for analysis in report.drivers:
        writer.writerow(["drivers", analysis.questionnaire, "complete_answers", analysis.respondents])
        writer.writerow(["drivers", analysis.questionnaire, "method", analysis.method.value])
        writer.writerow(["drivers", analysis.questionnaire, "r_squared", number(analysis.r_squared)])
        for d in analysis.drivers:
            where = f"{analysis.questionnaire}:{d.dimension}"
            writer.writerow(["drivers", where, "importance", number(d.importance)])
            writer.writerow(["drivers", where, "correlation", number(d.correlation)])
            writer.writerow(["drivers", where, "mean", number(d.performance)])
            writer.writerow(["drivers", where, "quadrant", d.quadrant.value])
    f = report.funnel
    for stage in ("invited", "started", "consented", "completed"):
        writer.writerow(["funnel", "all", stage, getattr(f, stage)])
    for qid, n in sorted(f.stopped_at.items()):
        writer.writerow(["funnel_drop_off", qid, "stopped", n])
    for code, count in report.unserved_languages.items():
        writer.writerow(["unserved_language", code, "customers", "" if count is None else count])
    c = report.complaints
    writer.writerow(["complaints", "all", "total", c.total])
    for name, values in (("category", c.by_category), ("urgency", c.by_urgency), ("team", c.by_team)):
        for key, value in values.items():
            writer.writerow([f"complaints_by_{name}", key, "count", "" if value is None else value])
    for name, rate in (
        ("first_contact_on_time", c.first_contact_on_time),
        ("resolution_on_time", c.resolution_on_time),
        ("proposals_accepted", c.proposals_accepted),
        ("followup_coverage", c.followup_coverage),
    ):
        writer.writerow(["complaints", "all", name, "" if rate.share is None else f"{rate.share:.4f}"])
        writer.writerow(["complaints", "all", f"{name}_total", rate.total])
        interval("complaints", "all", name, rate.share_ci)
    score("complaints_post_satisfaction", "all", c.post_complaint)
    return out.getvalue()
