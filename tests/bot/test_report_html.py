"""The HTML analysis report: built from real counters on the embedded server, then opened in Chromium.

The browser test needs the system's Chromium (as the web chat tests); the others run without it.
"""

from __future__ import annotations

import random
import re
from collections.abc import AsyncIterator
from datetime import UTC, date, datetime, timedelta
from pathlib import Path

import pytest
import pytest_asyncio
from playwright.async_api import Browser, async_playwright

from bot.report_html import SECTIONS, analysis_html
from conversations.reports import rollups
from conversations.reports.figures import ReportRequest, build_report
from conversations.reports.theme_lexicon import ThemeKey
from conversations.reports.themes import Theme
from conversations.tickets.policy import ComplaintPolicy, Team
from core.responses import Response
from storage.store import Store
from storage.types import Database
from tests.default_questionnaire import DEFAULT, RATED
from tests.handlers.test_webchat_browser import ARTIFACTS, chromium
from tests.responses import completed

START = date(2026, 9, 7)  # a Monday; eight weeks follow
END = START + timedelta(days=55)
TEAMS = {"logistics": "warehouse", "product_quality": "buying"}
CHARTS = {"dimensions", "trend", "funnel", "groups", "drivers-default"}


def team_for(category: str) -> str:
    return TEAMS.get(category, "support")


def response(rng: random.Random, week: int) -> Response:
    """Delivery drags the recommendation down and gets worse in the later weeks."""
    mood = rng.choice((3, 4, 4, 5))
    values = {qid: min(5, max(1, mood + rng.choice((-1, 0, 0, 1)))) for qid in RATED}
    values["delivery_speed"] = max(1, values["delivery_speed"] - (2 if week >= 4 else 0) - rng.randrange(2))
    recommend = min(10, max(0, 2 * values["delivery_speed"] + mood - 3 + rng.randrange(-1, 2)))
    answers = {qid: {"value": v, "skipped": False} for qid, v in values.items()}
    answers["recommend"] = {"value": recommend, "skipped": False}
    return completed(answers)


@pytest.fixture
async def report_store(db: Database) -> Store:
    """240 respondents over eight weeks in three countries, counted by the bot's own increments."""
    store = await Store.open(db)
    rng = random.Random(11)
    parts = []
    for n in range(240):
        week = n % 8
        day = START + timedelta(days=7 * week + n % 7)
        answered = response(rng, week)
        facets = rollups.Facets(country=("ES", "DE", "FR")[n % 3], channel=("telegram", "whatsapp")[n % 2])
        parts.append(
            rollups.keyed(day, "default", facets, rollups.response_increments(answered, DEFAULT, reason=None))
        )
        parts.append(rollups.driver_keyed(day, "default", rollups.driver_increments(answered, DEFAULT)))
        for stage in ("invited", "invited", "completed"):  # half of those invited answer
            parts.append(rollups.funnel_increment(day, "default", stage))
    await store.rollups.add(rollups.merge(parts))
    for n in range(9):
        created = datetime.combine(START + timedelta(days=n), datetime.min.time(), UTC)
        category = "logistics" if n < 6 else "payment"
        fields = {"category": category, "team": team_for(category), "status": "open", "created_at": created}
        await store.tickets.create(source=f"test:{n}", fields=fields)
    return store


async def page_of(store: Store, themes: list[Theme] | None = None) -> str:
    report = await build_report(store, ReportRequest(START, END, "default", "country"), now=datetime.now(UTC))
    policy = ComplaintPolicy(
        teams={name: Team(name) for name in ("support", *TEAMS.values())},
        routing=dict(TEAMS),
    )
    return analysis_html(report, policy=policy, themes=themes)


async def test_every_section_and_chart_with_findings_backed_by_figures(report_store: Store) -> None:
    page = await page_of(report_store)
    positions = [page.index(f'<section id="{key}">') for key in SECTIONS]
    assert positions == sorted(
        positions
    )  # overview, results, drivers, conclusions, problems, actions, themes
    assert set(re.findall(r'data-chart="([^"]+)"', page)) == CHARTS
    assert page.count('src="data:image/svg+xml;base64,') == len(CHARTS)
    assert not re.search(r'(src|href)="(https?:)?//', page) and "<script" not in page  # offline
    assert "Response rate</td><td>50 % of invited completed (240 of 480" in page
    assert (
        "Removed by data cleaning" in page
        and "Channels (respondents)</td><td>telegram 120, whatsapp 120" in page
    )
    # The generated delivery problem is found: the top driver, fix first, routed to its team.
    assert "<strong>Fix first:</strong> logistics" in page
    assert "logistics drives the recommendation most in default (fix first)." in page
    # The same suggestion approving the report in Slack would turn into a task (suggested_actions.py).
    assert re.search(
        r"<td>warehouse</td><td>Raise logistics satisfaction: it drives the recommendation and lags "
        r"\(CSAT \d+ % in ",
        page,
    )
    assert f"<td>{END + timedelta(days=90)}</td>" in page
    assert "Complaints concentrate on logistics." in page and "6 of 9 complaints (67 %)" in page
    # Every conclusion carries its figure, and a share's figure its interval.
    conclusions = page[page.index('<section id="conclusions">') : page.index('<section id="problems">')]
    items = re.findall(r"<li>(.*?)</li>", conclusions)
    assert len(items) >= 3 and all('<span class="figure">' in item for item in items)
    assert "[95 %:" in conclusions
    assert "Not part of this report" in page[page.index('<section id="themes">') :]


async def test_themes_from_a_provider_are_listed(report_store: Store) -> None:
    theme = Theme(
        key=ThemeKey.DELIVERY_TIME,
        label="late delivery",
        top_terms=("late", "days", "courier"),
        count=42,
        periods={},
        dimensions={"logistics": 30},
        categories={"logistics": 12},
        quotes=("it came [date] late",),
    )
    page = await page_of(report_store, [theme])
    themes = page[page.index('<section id="themes">') :]
    assert "<h3>late delivery</h3><p>42 texts · top terms: late, days, courier" in themes
    assert "<blockquote>it came [date] late</blockquote>" in themes
    assert "Customers keep mentioning “late delivery”." in page


@pytest_asyncio.fixture
async def browser() -> AsyncIterator[Browser]:
    async with async_playwright() as playwright:
        launched = await playwright.chromium.launch(
            executable_path=chromium(), headless=True, args=["--no-sandbox", "--disable-gpu"]
        )
        try:
            yield launched
        finally:
            await launched.close()


@pytest.mark.skipif(chromium() is None, reason="no Chromium found: install it or set CHROMIUM")
async def test_opens_offline_fits_a_phone_and_prints(
    report_store: Store, browser: Browser, tmp_path: Path
) -> None:
    path = tmp_path / "report.html"
    path.write_text(await page_of(report_store), encoding="utf-8")
    context = await browser.new_context(viewport={"width": 390, "height": 844}, offline=True)
    page = await context.new_page()
    await page.goto(path.as_uri())
    for key, title in SECTIONS.items():
        assert await page.locator(f"section#{key} h2").inner_text() == title
    loaded = await page.eval_on_selector_all(
        "figure img",
        "images => images.map(i => i.complete && i.naturalWidth > 0 && i.getBoundingClientRect().width)",
    )
    assert len(loaded) == len(CHARTS) and all(0 < width <= 390 for width in loaded)
    charts = await page.eval_on_selector_all("figure[data-chart]", "fs => fs.map(f => f.dataset.chart)")
    assert set(charts) == CHARTS
    assert await page.evaluate("document.documentElement.scrollWidth") <= 390
    image = await page.screenshot(full_page=True)
    ARTIFACTS.mkdir(parents=True, exist_ok=True)
    (ARTIFACTS / "report-html-390px.png").write_bytes(image)
    await page.emulate_media(media="print")
    assert await page.locator("nav").is_hidden()
    pdf = await page.pdf(format="A4")
    assert pdf.startswith(b"%PDF") and len(pdf) > 20_000
    await context.close()
