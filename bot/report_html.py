"""The analysis report as one self-contained HTML file: inline style, charts as SVG data URIs.

It opens offline, reads on a 390 px phone (images scale, wide tables scroll inside their own box)
and prints (navigation hidden, sections kept whole where they fit).
"""

from __future__ import annotations

import base64
from collections.abc import Iterable
from html import escape

from conversations.reports.drivers import DriverAnalysis, Method
from conversations.reports.findings import Conclusion, Findings, findings
from conversations.reports.model import Rate, Report, Score
from conversations.reports.stats import Interval, wilson
from conversations.reports.text import LABELS, pct
from conversations.reports.themes import Theme
from conversations.tickets.policy import ComplaintPolicy

SECTIONS = {
    "overview": "Overview",
    "results": "Results",
    "drivers": "Key drivers",
    "conclusions": "Core conclusions",
    "problems": "Problems",
    "actions": "Suggested actions",
    "themes": "Themes",
}

STYLE = """
*{box-sizing:border-box}
body{font:16px/1.5 system-ui,-apple-system,"Segoe UI",Roboto,sans-serif;color:#1b1b1b;margin:0 auto;
max-width:60rem;padding:1rem;overflow-wrap:break-word}
h1{font-size:1.5rem;margin:.2rem 0}h2{font-size:1.25rem;border-bottom:2px solid #1f6fb4;margin-top:2rem}
nav ul{display:flex;flex-wrap:wrap;gap:.25rem .75rem;padding:0;list-style:none}
figure{margin:1rem 0}img{display:block;max-width:100%;height:auto;border:1px solid #ddd}
figcaption{font-size:.85rem;color:#555}
.scroll{overflow-x:auto;max-width:100%}
table{border-collapse:collapse;font-size:.9rem;margin:.5rem 0}
th,td{border-bottom:1px solid #ddd;padding:.25rem .4rem;text-align:left;vertical-align:top}
th{font-weight:600;font-size:.85rem}small{color:#555;white-space:nowrap}
td.n{text-align:right;white-space:nowrap}
.figure{color:#555;font-size:.9rem}.muted{color:#666;font-style:italic}
@media print{nav{display:none}body{max-width:none;font-size:11pt}section{break-inside:avoid-page}
figure,table{break-inside:avoid}a{color:inherit;text-decoration:none}}
"""


def _ci_pct(interval: Interval | None) -> str:
    return "" if interval is None else f"{100 * interval.low:.0f}–{100 * interval.high:.0f} %"


def _ci_mean(interval: Interval | None) -> str:
    return "" if interval is None else f"{interval.low:.2f}–{interval.high:.2f}"


def _rate(rate: Rate) -> str:
    if rate.suppressed:
        return "not shown (fewer than the minimum)"
    return f"{_with_ci(pct(rate.share), _ci_pct(rate.share_ci))}, n = {rate.total}" if rate.total else "–"


def _table(head: list[str], rows: Iterable[list[str]], numeric: set[int] | None = None) -> str:
    numeric = numeric or set()
    header = "".join(f"<th>{escape(h)}</th>" for h in head)
    body = "".join(
        "<tr>"
        + "".join(
            f'<td class="n">{escape(c)}</td>' if i in numeric else f"<td>{escape(c)}</td>"
            for i, c in enumerate(row)
        )
        + "</tr>"
        for row in rows
    )
    return f'<div class="scroll"><table><thead><tr>{header}</tr></thead><tbody>{body}</tbody></table></div>'


def _figure(images: dict[str, bytes], name: str, caption: str) -> str:
    data = images.get(f"{name}.svg")
    if data is None:
        return ""
    uri = "data:image/svg+xml;base64," + base64.b64encode(data).decode("ascii")
    return (
        f'<figure data-chart="{escape(name)}">'
        f'<img src="{uri}" alt="{escape(caption)}" width="800" height="450">'
        f"<figcaption>{escape(caption)}</figcaption></figure>"
    )


def _with_ci(value: str, interval: str) -> str:
    return value if not interval else f"{value} ({interval})"


def _score_row(name: str, score: Score) -> list[str]:
    mean = "–" if score.mean is None else f"{score.mean:.2f}"
    return [
        name,
        str(score.respondents or "–"),
        _with_ci(mean, _ci_mean(score.mean_ci)),
        _with_ci(pct(score.csat), _ci_pct(score.csat_ci)),
    ]


SCORE_HEAD = ["", "n", "mean 1–5 (95 %)", "CSAT (95 %)"]


def _overview(report: Report) -> str:
    f, e = report.funnel, report.exclusions
    base, base_name = (f.invited, "invited") if f.invited else (f.started, "started")
    rate = wilson(f.completed, base) if base else None
    response_rate = (
        f"{pct(f.completed / base)} of {base_name} completed"
        f" ({f.completed} of {base}; 95 %: {_ci_pct(rate)})"
        if base
        else "not known (no invitations or starts counted)"
    )
    channels = ", ".join(
        f"{name} {count if count is not None else f'< {report.min_group}'}"
        for name, count in report.channels.items()
    )
    removed = ", ".join(f"{LABELS[k]}: {getattr(e, k)}" for k in LABELS) + f" (total {e.total})"
    nps_n = report.overall.nps.answers if report.overall.nps else 0
    driver_n = ", ".join(f"{a.questionnaire} {a.respondents}" for a in report.drivers) or "–"
    rows = [
        ["Period", f"{report.start} – {report.end}"],
        ["Questionnaire", report.questionnaire or "all questionnaires"],
        ["Breakdown", report.by or "none"],
        ["Channels (respondents)", channels or "–"],
        ["Respondents counted", str(report.respondents)],
        ["Answers to the recommendation (0–10)", str(nps_n)],
        ["Complete answers for key drivers", driver_n],
        ["Response rate", response_rate],
        ["Removed by data cleaning", removed],
        ["Smallest group shown", str(report.min_group)],
    ]
    method = (
        "Figures are de-identified; groups smaller than the minimum are not shown. Every share has a"
        " 95 % Wilson interval and every mean a t interval, with the respondent as the unit (a"
        " respondent's several answers are not counted as independent). Changes between periods and"
        f" differences between groups: {report.significance_test}. Key drivers: Shapley decomposition of"
        " the R² of the dimensions on the 0–10 recommendation (squared correlations with fewer complete"
        " answers; not enough data below 30). Cleaning removes duplicates, incomplete responses, responses"
        " completed too fast and hurried identical answers."
    )
    return _table(["", ""], rows) + f"<p>{escape(method)}</p>"


def _results(report: Report, images: dict[str, bytes]) -> str:
    parts: list[str] = []
    overall = report.overall
    if overall.suppressed or overall.overall is None:
        parts.append(f'<p class="muted">Fewer than {report.min_group} respondents: not shown.</p>')
    else:
        nps = overall.nps
        nps_text = "–" if nps is None or nps.score is None else f"{nps.score:+.0f}"
        ci = nps.score_ci if nps else None
        nps_ci = "" if ci is None else f"{ci.low:+.0f} … {ci.high:+.0f}"
        parts.append(
            _table(
                SCORE_HEAD,
                [_score_row("all answers", overall.overall)]
                + [_score_row(k, s) for k, s in sorted(overall.dimensions.items())],
                {1},
            )
        )
        parts.append(
            _table(
                ["NPS (95 %)", "n", "promoters", "detractors"],
                [[
                    _with_ci(nps_text, nps_ci),
                    str(nps.answers if nps else 0),
                    pct(nps.promoters / nps.answers) if nps and nps.answers else "–",
                    pct(nps.detractors / nps.answers) if nps and nps.answers else "–",
                ]],
            )
        )  # fmt: skip
    parts.append(_figure(images, "dimensions", "Mean score per dimension with 95 % intervals"))
    trend_rows = [
        [
            p.period,
            str(p.respondents) if p.csat is not None else f"< {report.min_group}",
            _with_ci(pct(p.csat), _ci_pct(p.csat_ci)),
            "–" if p.nps is None else f"{p.nps:+.0f}",
            ("–" if p.p_value is None else f"{p.p_value:.3f}") + (" *" if p.changed else ""),
        ]
        for p in report.trend
    ]
    parts.append(f"<h3>Trend by {escape(report.trend_unit)}</h3>")
    parts.append(_table(["period", "n", "CSAT (95 %)", "NPS", "p (Holm)"], trend_rows, {1, 3}))
    parts.append(_figure(images, "trend", "CSAT and NPS per period; band: 95 % interval"))
    if report.by:
        rows = [
            [g.key, f"< {report.min_group}", "", ""]
            if g.suppressed or g.overall is None
            else [
                g.key,
                str(g.respondents),
                _with_ci(pct(g.overall.csat), _ci_pct(g.overall.csat_ci)),
                "–" if g.csat_p is None else f"{g.csat_p:.3f}" + (" *" if g.differs else ""),
            ]
            for g in report.groups
        ]
        parts.append(f"<h3>By {escape(report.by)}</h3>")
        parts.append(_table([report.by, "n", "CSAT (95 %)", "p vs rest (Holm)"], rows, {1}))
        parts.append(_figure(images, "groups", f"CSAT by {report.by} with 95 % intervals"))
    parts.append("<h3>Funnel</h3>")
    parts.append(
        _figure(images, "funnel", "Invited, started, consented, completed; where unfinished ones stopped")
    )
    c = report.complaints
    categories = ", ".join(
        f"{k} {v if v is not None else f'< {report.min_group}'}" for k, v in c.by_category.items()
    )
    parts.append("<h3>Complaints</h3>")
    parts.append(
        _table(
            ["", ""],
            [
                ["Complaints", str(c.total)],
                ["By category", categories or "–"],
                ["First contact on time", _rate(c.first_contact_on_time)],
                ["Result on time", _rate(c.resolution_on_time)],
                ["Proposed resolutions accepted", _rate(c.proposals_accepted)],
                ["Follow-up coverage", _rate(c.followup_coverage)],
            ],
        )
    )
    return "".join(parts)


def _drivers(analyses: list[DriverAnalysis], images: dict[str, bytes]) -> str:
    if not analyses:
        return '<p class="muted">No responses in this period.</p>'
    parts: list[str] = []
    for analysis in analyses:
        parts.append(f"<h3>{escape(analysis.questionnaire)}</h3>")
        if analysis.method is Method.NOT_ENOUGH:
            parts.append(
                f'<p class="muted">Not enough data: {analysis.respondents} complete answers, at least'
                f" {analysis.minimum} needed.</p>"
            )
        else:
            fitted = "" if analysis.r_squared is None else f", R² {analysis.r_squared:.2f}"
            parts.append(
                f"<p>{escape(str(analysis.method))}; {analysis.respondents} complete answers{fitted}.</p>"
            )
            rows = [
                [d.dimension, f"{100 * d.importance:.0f} %", f"{d.performance:.2f}", str(d.quadrant)]
                for d in analysis.drivers
            ]
            parts.append(_table(["dimension", "importance", "mean", "quadrant"], rows, {1, 2}))
            fix = ", ".join(d.dimension for d in analysis.fix_first) or "none"
            parts.append(f"<p><strong>Fix first:</strong> {escape(fix)}</p>")
        parts.append(
            _figure(
                images,
                f"drivers-{analysis.questionnaire}",
                f"Importance × performance, {analysis.questionnaire}",
            )
        )
    return "".join(parts)


def _sentences(items: list[Conclusion], empty: str) -> str:
    if not items:
        return f'<p class="muted">{escape(empty)}</p>'
    rows = "".join(
        f'<li>{escape(c.sentence)} <span class="figure">({escape(c.figure)})</span></li>' for c in items
    )
    return f"<ul>{rows}</ul>"


def _themes(themes: list[Theme] | None) -> str:
    if themes is None:
        return '<p class="muted">Not part of this report.</p>'
    if not themes:
        return '<p class="muted">No recurring themes in this period.</p>'
    parts = []
    for theme in themes:
        links = ", ".join([*theme.dimensions, *theme.categories]) or "–"
        quotes = "".join(f"<blockquote>{escape(q)}</blockquote>" for q in theme.quotes[:3])
        parts.append(
            f"<h3>{escape(theme.label)}</h3><p>{theme.count} texts · top terms: "
            f"{escape(', '.join(theme.top_terms))} · goes with: {escape(links)}</p>{quotes}"
        )
    return "".join(parts)


def render_html(report: Report, found: Findings, images: dict[str, bytes]) -> str:
    """The whole document; `images` are the SVG charts by file name (bot.charts, format svg)."""
    scope = report.questionnaire or "all questionnaires"
    actions = '<p class="muted">Nothing stands out enough to suggest an action.</p>'
    if found.actions:
        actions = _table(
            ["team", "requirement", "target", "deadline"],
            [[a.team, a.requirement, str(a.target), str(a.deadline)] for a in found.actions],
        )
    bodies = {
        "overview": _overview(report),
        "results": _results(report, images),
        "drivers": _drivers(report.drivers, images),
        "conclusions": _sentences(found.conclusions, "Too few figures to conclude anything."),
        "problems": _sentences(found.problems, "No problem stands out."),
        "actions": actions,
        "themes": _themes(found.themes),
    }
    nav = "".join(f'<li><a href="#{key}">{escape(title)}</a></li>' for key, title in SECTIONS.items())
    sections = "".join(
        f'<section id="{key}"><h2>{escape(SECTIONS[key])}</h2>{body}</section>'
        for key, body in bodies.items()
    )
    title = f"Feedback analysis {report.start} – {report.end} · {scope}"
    return (
        '<!DOCTYPE html><html lang="en"><head><meta charset="utf-8">'
        '<meta name="viewport" content="width=device-width,initial-scale=1">'
        f"<title>{escape(title)}</title><style>{STYLE}</style></head><body>"
        f"<header><h1>{escape(title)}</h1></header><nav><ul>{nav}</ul></nav><main>{sections}</main>"
        "</body></html>\n"
    )


def analysis_html(report: Report, *, policy: ComplaintPolicy, themes: list[Theme] | None = None) -> str:
    """Findings, SVG charts and the document in one call (CPU-bound: run it off the event loop)."""
    # Imported here: matplotlib and numpy cost ~60 MiB of memory, for a report made now and then.
    from bot.charts import render_charts

    found = findings(report, themes=themes, policy=policy)
    return render_html(report, found, render_charts(report, "svg"))
