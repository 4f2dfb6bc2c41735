"""Report charts: the expected PNGs, at the fixed size, non-blank, and never failing on empty or odd data."""

from __future__ import annotations

import dataclasses
import io
import struct
import warnings
from collections.abc import Callable
from datetime import date
from pathlib import Path
from typing import Any

import pytest
from matplotlib.collections import LineCollection
from matplotlib.figure import Figure
from matplotlib.image import imread
from matplotlib.text import Text

from bot import charts
from bot.charts import render_charts
from conversations.reports.drivers import Driver, DriverAnalysis, Method, Quadrant
from conversations.reports.model import (
    ComplaintFigures,
    Exclusions,
    Funnel,
    Group,
    Nps,
    Rate,
    Report,
    Score,
    TrendPoint,
)
from conversations.reports.stats import Interval

PNG_SIGNATURE = b"\x89PNG\r\n\x1a\n"
SIZE = (round(charts.WIDTH_IN * charts.DPI), round(charts.HEIGHT_IN * charts.DPI))
BASE = {"trend.png", "dimensions.png", "funnel.png"}


def _group(key: str, respondents: int, csat: float | None, *, suppressed: bool = False) -> Group:
    if suppressed:
        return Group(key=key, respondents=respondents, suppressed=True, overall=None, nps=None)
    return Group(
        key=key,
        respondents=respondents,
        suppressed=False,
        overall=Score(answers=respondents, mean=4.0, csat=csat),
        nps=Nps(answers=respondents, promoters=respondents // 2, passives=0, detractors=respondents // 4),
    )


def _report(**changes: Any) -> Report:
    """A report with every field filled with plausible aggregated figures; `changes` replaces fields."""
    dimensions = {
        "delivery_speed": Score(answers=120, mean=4.3, csat=0.82),
        "product_quality": Score(answers=118, mean=3.6, csat=0.55),
        "support": Score(answers=90, mean=2.4, csat=0.21),
        "packaging": Score(answers=4, mean=None, csat=None),
        "returns": Score(answers=0, mean=None, csat=None),
    }
    overall = Group(
        key="all",
        respondents=130,
        suppressed=False,
        overall=Score(answers=328, mean=3.7, csat=0.6),
        nps=Nps(answers=125, promoters=60, passives=40, detractors=25),
        dimensions=dimensions,
    )
    trend = [
        TrendPoint("2026-W44", date(2026, 10, 26), 30, 0.58, 20.0),
        TrendPoint("2026-W45", date(2026, 11, 2), 35, 0.61, 25.0),
        TrendPoint("2026-W46", date(2026, 11, 9), 3, None, None),  # suppressed: a gap
        TrendPoint("2026-W47", date(2026, 11, 16), 40, 0.79, 41.0, changed=True, p_value=0.01),
        TrendPoint("2026-W48", date(2026, 11, 23), 25, 0.6, 18.0, changed=True, p_value=0.03),
    ]
    complaints = ComplaintFigures(
        total=12,
        by_category={"logistics": 7, "billing": None},
        by_urgency={"high": 5, "normal": 7},
        by_team={"ops": 12},
        first_contact_on_time=Rate(10, 12),
        resolution_on_time=Rate(8, 12),
        median_first_contact_hours=3.5,
        median_resolution_hours=30.0,
        proposals_accepted=Rate(6, 9),
        followup_coverage=Rate(9, 12),
        post_complaint=Score(answers=9, mean=3.9, csat=0.66),
        feedback_split={"complaint": 12, "suggestion": 5, "praise": None},
    )
    report = Report(
        start=date(2026, 10, 26),
        end=date(2026, 11, 29),
        questionnaire="post_delivery",
        by=None,
        min_group=10,
        respondents=130,
        exclusions=Exclusions(duplicate=2, incomplete=5, speeder=1, straight_lining=1),
        overall=overall,
        groups=[],
        trend=trend,
        trend_unit="week",
        funnel=Funnel(
            invited=400, started=210, consented=180, completed=130, stopped_at={"q3": 20, "q5": 12}
        ),
        complaints=complaints,
        actions=[],
    )
    return dataclasses.replace(report, **changes)


def _with_groups() -> Report:
    groups = [
        _group("DE", 60, 0.7),
        _group("FR", 45, 0.52),
        _group("LU", 3, None, suppressed=True),
        _group("AT", 12, None),
    ]
    return _report(by="country", groups=groups)


def _empty() -> Report:
    nothing = Group(key="all", respondents=0, suppressed=False, overall=None, nps=None)
    return _report(
        questionnaire=None,
        respondents=0,
        overall=nothing,
        trend=[],
        funnel=Funnel(invited=0, started=0, consented=0, completed=0),
        by="language",
        groups=[],
    )


def _png_size(data: bytes) -> tuple[int, int]:
    assert data[:8] == PNG_SIGNATURE
    assert data[12:16] == b"IHDR"
    width, height = struct.unpack(">II", data[16:24])
    return width, height


def _assert_picture(data: bytes, *, min_ink: float) -> None:
    assert _png_size(data) == SIZE
    pixels = imread(io.BytesIO(data), format="png")
    assert pixels.shape[:2] == (SIZE[1], SIZE[0])
    rgb = pixels[..., :3]
    assert float(rgb.min()) < float(rgb.max()), "a single colour"
    ink = float((rgb.min(axis=2) < 0.95).mean())
    assert ink >= min_ink, f"only {ink:.1%} of the pixels are non-white"


def _texts(draw: charts.Draw, report: Report) -> str:
    """Every text a chart would show (titles, labels, tick labels, legend), one per line."""
    fig = Figure(figsize=(charts.WIDTH_IN, charts.HEIGHT_IN), dpi=charts.DPI)
    draw(fig, report)
    return "\n".join(t.get_text() for t in fig.findobj(Text))


def test_file_names_without_breakdown() -> None:
    assert set(render_charts(_report())) == BASE


def test_file_names_with_breakdown() -> None:
    assert set(render_charts(_with_groups())) == {*BASE, "groups.png"}


def test_every_chart_is_a_non_blank_png_of_the_figure_size() -> None:
    images = render_charts(_with_groups())
    for name, data in images.items():
        assert data.startswith(PNG_SIGNATURE), name
        _assert_picture(data, min_ink=0.04)


def test_an_all_empty_report_still_renders_every_chart() -> None:
    images = render_charts(_empty())
    assert set(images) == {*BASE, "groups.png"}
    for data in images.values():
        _assert_picture(data, min_ink=0.005)
    for draw in (charts._trend, charts._dimensions, charts._funnel, charts._groups):
        assert "no data" in _texts(draw, _empty())
    assert "all questionnaires" in _texts(charts._trend, _empty())


def test_titles_name_the_period_and_questionnaire() -> None:
    text = _texts(charts._funnel, _report())
    assert "2026-10-26 – 2026-11-29" in text
    assert "post_delivery" in text


def test_a_suppressed_group_is_a_labelled_gap_without_its_size() -> None:
    text = _texts(charts._groups, _with_groups())
    assert "< 10" in text
    assert "n=60" in text
    assert "n=3" not in text  # LU's real size stays hidden
    assert "no answers" in text  # AT: shown, but nothing to average
    _assert_picture(render_charts(_with_groups())["groups.png"], min_ink=0.04)


def test_a_fully_suppressed_breakdown_renders() -> None:
    groups = [_group(key, 2, None, suppressed=True) for key in ("DE", "FR", "IT")]
    text = _texts(charts._groups, _report(by="country", groups=groups))
    assert text.count("< 10") >= 3
    _assert_picture(render_charts(_report(by="country", groups=groups))["groups.png"], min_ink=0.01)


def test_trend_marks_significant_changes_and_names_the_test() -> None:
    text = _texts(charts._trend, _report())
    assert "marked: change larger than noise" in text
    assert "two-proportion test" in text and "Holm" in text
    assert "2026-W47" in text
    unchanged = [dataclasses.replace(p, changed=False) for p in _report().trend]
    assert "marked" not in _texts(charts._trend, _report(trend=unchanged))


def test_dimensions_without_a_mean_are_listed_not_drawn() -> None:
    text = _texts(charts._dimensions, _report())
    assert "suppressed (< 10 answers)" in text  # packaging
    assert "no answers" in text  # returns
    assert "4.30 · CSAT 82%" in text


def test_trend_with_only_gaps_or_only_nps_renders() -> None:
    gaps = [dataclasses.replace(p, csat=None, nps=None) for p in _report().trend]
    assert "no data" in _texts(charts._trend, _report(trend=gaps))
    nps_only = [dataclasses.replace(p, csat=None) for p in _report().trend]
    _assert_picture(render_charts(_report(trend=nps_only))["trend.png"], min_ink=0.02)


def test_many_periods_groups_and_dropoff_questions_render() -> None:
    trend = [
        TrendPoint(f"2026-W{w:02d}", date(2026, 1, 5), 20, 0.5 + (w % 7) / 20, w - 20.0, changed=w % 9 == 0)
        for w in range(1, 53)
    ]
    groups = [_group(f"country-{i}", 20 + i, 0.4 + i / 100, suppressed=i % 5 == 0) for i in range(40)]
    dimensions = {f"dimension_{i}": Score(answers=30, mean=1 + i / 6, csat=i / 25) for i in range(25)}
    overall = dataclasses.replace(_report().overall, dimensions=dimensions)
    funnel = Funnel(400, 300, 250, 200, stopped_at={f"q{i}": i for i in range(30)})
    report = _report(trend=trend, by="segment", groups=groups, overall=overall, funnel=funnel)
    for data in render_charts(report).values():
        _assert_picture(data, min_ink=0.04)


def test_odd_labels_neither_raise_nor_warn() -> None:
    dimensions = {
        "скорость доставки": Score(answers=50, mean=4.1, csat=0.8),
        "配送速度": Score(answers=50, mean=3.2, csat=0.4),
        "price $5 vs $6": Score(answers=50, mean=2.9, csat=0.3),
        "x" * 200: Score(answers=50, mean=5.0, csat=1.0),
    }
    overall = dataclasses.replace(_report().overall, dimensions=dimensions)
    groups = [_group("日本", 30, 0.5), _group("$\\frac$", 30, 0.6)]
    report = _report(questionnaire="アンケート $x$", overall=overall, by="language", groups=groups)
    before = list(warnings.filters)
    with warnings.catch_warnings():
        warnings.simplefilter("error")
        images = render_charts(report)
    assert warnings.filters == before
    for data in images.values():
        _assert_picture(data, min_ink=0.04)


@pytest.mark.parametrize("make", [_report, _with_groups, _empty])
def test_same_report_same_images(make: Callable[[], Report]) -> None:
    first, second = render_charts(make()), render_charts(make())
    assert {k: len(v) for k, v in first.items()} == {k: len(v) for k, v in second.items()}
    assert first == second


def test_rendering_writes_no_files(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.chdir(tmp_path)
    images = render_charts(_with_groups())
    assert all(isinstance(v, bytes) for v in images.values())
    assert list(tmp_path.iterdir()) == []


def _with_intervals_and_drivers() -> Report:
    """Intervals on the trend, the dimensions and a group; one analysed questionnaire, one too thin."""
    base = _with_groups()
    ci = Interval(0.5, 0.7)
    trend = [dataclasses.replace(p, csat_ci=ci) if p.csat is not None else p for p in base.trend]
    dims = {
        k: dataclasses.replace(s, mean_ci=Interval(s.mean - 0.2, s.mean + 0.2)) if s.mean else s
        for k, s in base.overall.dimensions.items()
    }
    groups = [
        dataclasses.replace(g, overall=dataclasses.replace(g.overall, csat_ci=ci)) if g.overall else g
        for g in base.groups
    ]
    analysed = DriverAnalysis(
        "post_delivery",
        400,
        Method.SHAPLEY,
        60,
        0.42,
        [
            Driver("delivery_speed", 0.5, 0.6, 3.1, Quadrant.FIX_FIRST),
            Driver("product_quality", 0.3, 0.5, 4.4, Quadrant.KEEP_UP),
            Driver("support", 0.2, 0.2, 2.9, Quadrant.SECONDARY),
        ],
    )
    thin = DriverAnalysis("returns", 12, Method.NOT_ENOUGH, 30)
    overall = dataclasses.replace(base.overall, dimensions=dims)
    return dataclasses.replace(base, trend=trend, overall=overall, groups=groups, drivers=[analysed, thin])


def test_intervals_are_drawn_and_each_questionnaire_gets_a_driver_chart() -> None:
    report = _with_intervals_and_drivers()
    images = render_charts(report)
    assert set(images) == {*BASE, "groups.png", "drivers-post_delivery.png"}  # not "returns": too thin
    _assert_picture(images["drivers-post_delivery.png"], min_ink=0.01)
    fig = Figure(figsize=(charts.WIDTH_IN, charts.HEIGHT_IN), dpi=charts.DPI)
    charts._dimensions(fig, report)
    whiskers = [c for c in fig.findobj(LineCollection) if len(c.get_segments()) == 1]
    assert len(whiskers) == 3  # the three dimensions with a mean
    assert "95 % interval" in _texts(charts._trend, report)
    quadrants = _texts(charts._driver_chart(report.drivers[0]), report)
    for name in ("fix first", "keep up", "secondary", "over-served", "delivery_speed", "Shapley"):
        assert name in quadrants
    assert "not enough data (12 of 30" in _texts(charts._driver_chart(report.drivers[1]), report)


def test_svg_images_for_the_html_report() -> None:
    images = render_charts(_with_intervals_and_drivers(), "svg")
    assert all(name.endswith(".svg") for name in images)
    svg = images["drivers-post_delivery.svg"].decode()
    assert svg.lstrip().startswith("<?xml") and "<svg" in svg and "Matplotlib" not in svg.split("<svg")[0]
