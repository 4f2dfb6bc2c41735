"""A report's charts as PNG bytes, drawn off-screen with Agg (no pyplot, so no global figure registry)."""

from __future__ import annotations

import io
import math
import textwrap
import threading
import warnings
from collections.abc import Callable

from matplotlib.axes import Axes
from matplotlib.backends.backend_agg import FigureCanvasAgg
from matplotlib.figure import Figure
from matplotlib.lines import Line2D

from conversations.reports.drivers import DriverAnalysis, Quadrant
from conversations.reports.model import Report

WIDTH_IN, HEIGHT_IN, DPI = 8.0, 4.5, 100
CSAT_COLOR, NPS_COLOR, CHANGED_COLOR, MUTED = "#1f6fb4", "#d9730d", "#c0392b", "#7f7f7f"
MAX_LABEL = 32
MAX_DROPOFF_ROWS = 10
ROTATE_AFTER = 8  # x labels
ANNOTATE_UP_TO = 12  # trend points labelled with their value

# warnings.catch_warnings() swaps process-wide filters (until Python 3.14), so renders take turns.
_lock = threading.Lock()

Draw = Callable[[Figure, Report], None]


def render_charts(report: Report, image_format: str = "png") -> dict[str, bytes]:
    """Images for a report, by file name: trend, dimensions, funnel, one drivers chart per
    questionnaire with enough data (and groups with a breakdown); `image_format` is png or svg."""
    charts: dict[str, Draw] = {"trend": _trend, "dimensions": _dimensions, "funnel": _funnel}
    if report.by:
        charts["groups"] = _groups
    for analysis in report.drivers:
        if analysis.drivers:  # "not enough data" is said in words, not as an empty chart
            charts[f"drivers-{analysis.questionnaire}"] = _driver_chart(analysis)
    with _lock, warnings.catch_warnings():
        # Non-Latin names can lack glyphs in DejaVu Sans; they render as boxes, which is acceptable.
        warnings.filterwarnings("ignore", message=r"Glyph \d+ .* missing from font", category=UserWarning)
        return {f"{name}.{image_format}": _image(draw, report, image_format) for name, draw in charts.items()}


def _image(draw: Draw, report: Report, image_format: str) -> bytes:
    fig = Figure(figsize=(WIDTH_IN, HEIGHT_IN), dpi=DPI, layout="constrained")
    FigureCanvasAgg(fig)  # attaches itself as fig.canvas
    draw(fig, report)
    buf = io.BytesIO()
    # No bbox_inches="tight", so the image keeps its fixed pixel size; no "Software"/"Creator" text
    # (it names the matplotlib version) and no date, so the file carries nothing but the picture.
    metadata: dict[str, str | None] = (
        {"Software": None} if image_format == "png" else {"Creator": None, "Date": None}
    )
    fig.savefig(buf, format=image_format, dpi=DPI, facecolor="white", metadata=metadata)
    return buf.getvalue()


def _plain(text: str, limit: int = MAX_LABEL) -> str:
    """Data text shown as-is: an even number of "$" would otherwise be parsed (and may fail) as mathtext."""
    if len(text) > limit:
        text = text[: limit - 1] + "…"
    return text.replace("$", r"\$")


def _finite(value: float | None) -> float | None:
    return value if value is not None and math.isfinite(value) else None


def _num(value: float | None) -> float:
    """NaN when there is no figure: a gap in a line, never a zero."""
    value = _finite(value)
    return math.nan if value is None else value


def _pct(share: float | None) -> float:
    """A 0–1 share (as `Score.csat` is documented) as a percentage."""
    return 100.0 * _num(share)


def _title(fig: Figure, report: Report, what: str) -> None:
    scope = _plain(report.questionnaire or "all questionnaires", 60)
    fig.suptitle(f"{what}\n{report.start:%Y-%m-%d} – {report.end:%Y-%m-%d} · {scope}", fontsize=11)


def _no_data(ax: Axes, text: str = "no data") -> None:
    ax.text(0.5, 0.5, text, transform=ax.transAxes, ha="center", va="center", fontsize=14, color=MUTED)


def _x_labels(ax: Axes, labels: list[str]) -> None:
    xs = list(range(len(labels)))
    rotate = len(labels) > ROTATE_AFTER
    step = max(1, math.ceil(len(labels) / 30))  # past ~30 labels only every n-th fits
    shown = [label if i % step == 0 else "" for i, label in enumerate(labels)]
    ax.set_xticks(xs, shown, rotation=45 if rotate else 0, ha="right" if rotate else "center", fontsize=8)
    ax.set_xlim(-0.6, max(len(labels), 1) - 0.4)


def _trend(fig: Figure, report: Report) -> None:
    _title(fig, report, "CSAT and NPS per " + (report.trend_unit or "period"))
    ax = fig.subplots()
    points = report.trend
    xs = list(range(len(points)))
    csat = [_pct(p.csat) for p in points]
    nps = [_num(p.nps) for p in points]
    has_csat = any(not math.isnan(v) for v in csat)
    has_nps = any(not math.isnan(v) for v in nps)
    ax.set_ylim(0, 100)
    ax.set_ylabel("CSAT (% answering 4–5)", color=CSAT_COLOR)
    ax.set_xlabel(report.trend_unit or "period")
    ax.grid(axis="y", alpha=0.3)
    _x_labels(ax, [_plain(p.period, 16) for p in points])
    if not has_csat and not has_nps:
        _no_data(ax)
        return
    handles: list[Line2D] = []
    ring: Line2D | None = None
    if has_csat:
        low = [_pct(p.csat_ci.low) if p.csat_ci else math.nan for p in points]
        high = [_pct(p.csat_ci.high) if p.csat_ci else math.nan for p in points]
        ax.fill_between(xs, low, high, color=CSAT_COLOR, alpha=0.15, lw=0, zorder=1)
        handles += ax.plot(xs, csat, "-o", color=CSAT_COLOR, label="CSAT % (band: 95 % interval)", zorder=3)
        if len(points) <= ANNOTATE_UP_TO:
            for x, v, point in zip(xs, csat, points, strict=True):
                if not math.isnan(v):
                    ax.annotate(
                        f"{v:.0f}%",
                        (x, v),
                        xytext=(0, 12 if point.changed else 7),  # clear of the ring
                        textcoords="offset points",
                        ha="center",
                        fontsize=7,
                        color=CSAT_COLOR,
                    )
    marked = [(x, v) for x, v, p in zip(xs, csat, points, strict=True) if p.changed and not math.isnan(v)]
    if marked:
        ax.scatter(
            [x for x, _ in marked],
            [v for _, v in marked],
            s=260,
            facecolors="none",
            edgecolors=CHANGED_COLOR,
            linewidths=2,
            zorder=4,
        )
        label = textwrap.fill(f"marked: change larger than noise ({report.significance_test})", 60)
        ring = Line2D([], [], ls="none", marker="o", ms=11, mfc="none", mec=CHANGED_COLOR, mew=2, label=label)
    if has_nps:
        ax2 = ax.twinx()
        ax2.set_ylim(-100, 100)
        ax2.set_ylabel("NPS", color=NPS_COLOR)
        ax2.axhline(0, color=NPS_COLOR, lw=0.6, alpha=0.4)
        handles += ax2.plot(xs, nps, "--s", color=NPS_COLOR, ms=4, label="NPS (−100…100)", zorder=2)
    handles += [ring] if ring else []
    fig.legend(handles=handles, loc="outside lower center", ncols=len(handles), fontsize=8, frameon=False)


def _dimensions(fig: Figure, report: Report) -> None:
    _title(fig, report, "Mean score per dimension (1–5, whiskers: 95 % interval) and CSAT")
    ax = fig.subplots()
    ax.set_xlim(1, 5)
    ax.set_xticks([1, 2, 3, 4, 5])
    ax.set_xlabel("mean score (1 = worst, 5 = best)")
    ax.grid(axis="x", alpha=0.3)
    dims = report.overall.dimensions
    if report.overall.suppressed or not dims:
        ax.set_yticks([])
        _no_data(
            ax, f"suppressed (fewer than {report.min_group})" if report.overall.suppressed else "no data"
        )
        return
    means = {key: _finite(score.mean) for key, score in dims.items()}
    shown = sorted((k for k, m in means.items() if m is not None), key=lambda k: (-(means[k] or 0.0), k))
    hidden = sorted(k for k, m in means.items() if m is None)
    rows = shown + hidden
    ys = list(range(len(rows) - 1, -1, -1))  # first row on top
    size = 8 if len(rows) <= 12 else 6
    for y, key in zip(ys, rows, strict=True):
        mean, score = means[key], dims[key]
        if mean is None:
            note = "no answers" if score.answers == 0 else f"suppressed (< {report.min_group} answers)"
            ax.text(1.05, y, note, va="center", fontsize=size, style="italic", color=MUTED)
            continue
        drawn = min(max(mean, 1.0), 5.0)
        ax.barh(y, drawn - 1.0, left=1.0, height=0.6, color=CSAT_COLOR)
        if score.mean_ci is not None:
            ax.errorbar(
                [drawn],
                [y],
                xerr=[[drawn - max(score.mean_ci.low, 1.0)], [min(score.mean_ci.high, 5.0) - drawn]],
                fmt="none",
                ecolor="black",
                capsize=3,
                lw=1,
            )
        csat = _pct(score.csat)
        label = f"{mean:.2f} · CSAT {'–' if math.isnan(csat) else f'{csat:.0f}%'}"
        inside = drawn > 4.0  # keep the label within the axes
        ax.text(
            drawn - 0.05 if inside else drawn + 0.05,
            y,
            label,
            va="center",
            fontsize=size,
            ha="right" if inside else "left",
            color="white" if inside else "black",
        )
    ax.set_yticks(ys, [_plain(k) for k in rows], fontsize=size)
    ax.set_ylim(-0.6, len(rows) - 0.4)


def _funnel(fig: Figure, report: Report) -> None:
    _title(fig, report, "Response funnel")
    funnel = report.funnel
    drop = sorted(((k, n) for k, n in funnel.stopped_at.items() if n > 0), key=lambda kv: (-kv[1], kv[0]))
    if drop:
        ax, ax_drop = fig.subplots(1, 2, width_ratios=[3, 2])
        _dropoff(ax_drop, drop)
    else:
        ax = fig.subplots()
    stages = [
        ("invited", funnel.invited),
        ("started", funnel.started),
        ("consented", funnel.consented),
        ("completed", funnel.completed),
    ]
    counts = [max(n, 0) for _, n in stages]
    first = next((i for i, n in enumerate(counts) if n > 0), None)
    ax.set_ylabel("responses")
    if first is None:
        ax.set_xticks(range(len(stages)), [name for name, _ in stages])
        ax.set_xlim(-0.6, len(stages) - 0.4)
        ax.set_ylim(0, 1)
        ax.set_yticks([])
        _no_data(ax)
        return
    base = counts[first]
    bars = ax.bar([name for name, _ in stages], counts, color=CSAT_COLOR, width=0.6)
    labels = [f"{n:,}" + (f"\n{100.0 * n / base:.0f}%" if i >= first else "") for i, n in enumerate(counts)]
    ax.bar_label(bars, labels=labels, padding=2, fontsize=8)
    ax.set_ylim(0, max(counts) * 1.25)
    ax.set_title(f"% of {stages[first][0]}", fontsize=9, color=MUTED)


def _dropoff(ax: Axes, drop: list[tuple[str, int]]) -> None:
    if len(drop) > MAX_DROPOFF_ROWS:
        rest = drop[MAX_DROPOFF_ROWS - 1 :]
        drop = [*drop[: MAX_DROPOFF_ROWS - 1], (f"other ({len(rest)} questions)", sum(n for _, n in rest))]
    rows = max(len(drop), 5)  # a few questions still get slim bars, from the top
    ys = [rows - 1 - i for i in range(len(drop))]
    bars = ax.barh(ys, [n for _, n in drop], color=NPS_COLOR, height=0.6)
    ax.bar_label(bars, labels=[f"{n:,}" for _, n in drop], padding=2, fontsize=8)
    ax.set_yticks(ys, [_plain(k, 20) for k, _ in drop], fontsize=8)
    ax.set_xlim(0, max(n for _, n in drop) * 1.25)
    ax.set_ylim(-0.6, rows - 0.4)
    ax.set_title("unfinished: stopped at question", fontsize=9)


def _groups(fig: Figure, report: Report) -> None:
    _title(fig, report, f"CSAT by {_plain(report.by or 'group')} (whiskers: 95 % interval)")
    ax = fig.subplots()
    ax.set_ylim(0, 100)
    ax.set_ylabel("CSAT (% answering 4–5)")
    ax.set_xlabel(_plain(report.by or "group"))
    ax.grid(axis="y", alpha=0.3)
    groups = report.groups
    with_size = len(groups) <= 15  # rotated two-line labels would collide
    labels = [
        _plain(g.key, 20) + ("" if g.suppressed or not with_size else f"\nn={g.respondents:,}")
        for g in groups
    ]
    _x_labels(ax, labels)
    if not groups:
        _no_data(ax)
        return
    size = 8 if len(groups) <= 15 else 6
    for x, group in enumerate(groups):
        csat = math.nan if group.suppressed or group.overall is None else _pct(group.overall.csat)
        if math.isnan(csat):
            # A suppressed group is a labelled gap: neither its figures nor its size are shown.
            note = f"< {report.min_group}" if group.suppressed else "no answers"
            ax.text(
                x,
                3,
                note,
                ha="center",
                va="bottom",
                fontsize=size,
                style="italic",
                color=MUTED,
                rotation=90 if len(groups) > 15 else 0,
            )
            continue
        ci = group.overall.csat_ci if group.overall else None
        whisker = None if ci is None else [[csat - _pct(ci.low)], [_pct(ci.high) - csat]]
        bars = ax.bar([x], [csat], color=CSAT_COLOR, width=0.6, yerr=whisker, capsize=3)
        ax.bar_label(bars, labels=[f"{csat:.0f}%"], padding=2, fontsize=size)
    handles: list[Line2D] = []
    overall = report.overall.overall
    total = math.nan if report.overall.suppressed or overall is None else _pct(overall.csat)
    if not math.isnan(total):
        handles.append(ax.axhline(total, ls="--", color=MUTED, lw=1, label=f"all respondents: {total:.0f}%"))
    if any(g.suppressed for g in groups):
        note = f"< {report.min_group}: fewer than {report.min_group} respondents, figures suppressed"
        handles.append(Line2D([], [], ls="none", label=note))
    if handles:
        fig.legend(handles=handles, loc="outside lower center", ncols=len(handles), fontsize=8, frameon=False)


QUADRANT_COLORS = {
    Quadrant.FIX_FIRST: "#c0392b",
    Quadrant.KEEP_UP: "#2e7d32",
    Quadrant.SECONDARY: MUTED,
    Quadrant.OVER_SERVED: NPS_COLOR,
}


def _driver_chart(analysis: DriverAnalysis) -> Draw:
    def draw(fig: Figure, report: Report) -> None:
        _title(fig, report, f"Importance × performance · {_plain(analysis.questionnaire, 40)}")
        ax = fig.subplots()
        ax.set_xlabel("importance: share of the recommendation explained (%)")
        ax.set_ylabel("performance: mean score (1–5)")
        if not analysis.drivers:
            ax.set_xticks([])
            ax.set_yticks([])
            _no_data(ax, f"not enough data ({analysis.respondents} of {analysis.minimum} complete answers)")
            return
        xs = [100 * d.importance for d in analysis.drivers]
        ys = [d.performance for d in analysis.drivers]
        x_line = 100 / len(analysis.drivers)
        y_line = sum(ys) / len(ys)
        ax.axvline(x_line, color=MUTED, lw=0.8, ls="--")
        ax.axhline(y_line, color=MUTED, lw=0.8, ls="--")
        right, top = max(max(xs) * 1.15, x_line * 2), min(5.0, max(ys) + 0.4)
        bottom = max(1.0, min(ys) - 0.4)
        ax.set_xlim(0, right)
        ax.set_ylim(bottom, top)
        for text, x, y, ha, va in (
            ("fix first", right, bottom, "right", "bottom"),
            ("keep up", right, top, "right", "top"),
            ("secondary", 0, bottom, "left", "bottom"),
            ("over-served", 0, top, "left", "top"),
        ):
            ax.text(x, y, f" {text} ", ha=ha, va=va, fontsize=9, color=MUTED, style="italic")
        for driver, x, y in zip(analysis.drivers, xs, ys, strict=True):
            ax.scatter([x], [y], s=50, color=QUADRANT_COLORS[driver.quadrant], zorder=3)
            ax.annotate(
                _plain(driver.dimension, 20), (x, y), xytext=(5, 4), textcoords="offset points", fontsize=8
            )
        ax.set_title(
            f"{analysis.method} · {analysis.respondents:,} complete answers", fontsize=9, color=MUTED
        )

    return draw
