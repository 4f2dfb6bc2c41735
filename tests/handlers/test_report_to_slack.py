"""The scheduled weekly report reaches Slack with its charts (fake Web API, injectable clock)."""

from __future__ import annotations

from collections.abc import AsyncIterator
from datetime import UTC, date, datetime, timedelta

import pytest_asyncio

from conversations.reports import rollups
from storage.types import Database
from tests.clock import Clock
from tests.fakes.libretranslate import FakeLibreTranslate
from tests.fakes.slack_api import FakeSlack
from tests.handlers.telegram_harness import BotRunner
from tests.handlers.test_complaint_to_slack import desk_settings
from tests.handlers.test_slack_agents import settle

SUNDAY_EVENING = datetime(2026, 11, 22, 20, 0, tzinfo=UTC)


@pytest_asyncio.fixture
async def slack() -> AsyncIterator[FakeSlack]:
    async with FakeSlack() as fake:
        yield fake


async def test_weekly_report_with_charts_is_posted_once_on_monday(
    polling: BotRunner, slack: FakeSlack, libre: FakeLibreTranslate, db: Database
) -> None:
    clock = polling.clock = Clock(SUNDAY_EVENING)
    bot = await polling.start(**desk_settings(slack, libre), SLACK_REPORTS_CHANNEL="C-REPORTS")
    # Last week's counters: seven respondents answering 4 on delivery, in Spain.
    counters: rollups.Increments = {
        "kept": 7,
        "rating.n": 7,
        "rating.sum": 28,
        "rating.top2": 7,
        "dims.logistics.n": 7,
        "dims.logistics.sum": 28,
        "dims.logistics.top2": 7,
    }
    facets = rollups.Facets(country="ES", language="es", channel="telegram", segment="vip", version="1")
    await bot.store.rollups.add(rollups.keyed(date(2026, 11, 18), "default", facets, counters))
    planned = {doc["_id"] async for doc in db["jobs"].find({"kind": {"$regex": "^report"}})}
    assert planned == {"report.weekly:2026-11-23", "report.monthly:2026-12-01"}

    await settle(polling)
    assert slack.channel("C-REPORTS") == []  # not before Monday 08:00
    clock.now = datetime(2026, 11, 23, 8, 0, 5, tzinfo=UTC)
    await settle(polling)
    (post,) = slack.channel("C-REPORTS")
    assert post.text.startswith("Weekly feedback report")
    assert "2026-11-16 – 2026-11-22" in post.text and "Respondents counted: 7" in post.text
    assert "logistics      mean 4.00 · CSAT 100 % (7 answers)" in post.text
    charts = {u["filename"]: u for u in slack.uploads.values()}
    assert set(charts) == {"trend.png", "dimensions.png", "funnel.png"}
    for upload in charts.values():
        assert upload["channel"] == "C-REPORTS" and upload["thread_ts"] == post.ts
        assert upload["data"].startswith(b"\x89PNG\r\n\x1a\n") and len(upload["data"]) > 10_000

    clock.now += timedelta(hours=1)  # a second worker or a restart posts nothing twice
    await polling.stop()
    await polling.start(**desk_settings(slack, libre), SLACK_REPORTS_CHANNEL="C-REPORTS")
    await settle(polling)
    assert len(slack.channel("C-REPORTS")) == 1
    assert await db["jobs"].find_one({"_id": "report.weekly:2026-11-30", "status": "pending"}) is not None
