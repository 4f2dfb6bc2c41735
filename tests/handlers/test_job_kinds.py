"""The running bot takes every registered job kind, so no kind of job waits forever."""

from __future__ import annotations

from core.jobs import kinds
from tests.fakes.libretranslate import FakeLibreTranslate
from tests.fakes.slack_api import FakeSlack
from tests.handlers.telegram_harness import BotRunner
from tests.handlers.test_complaint_to_slack import desk_settings


async def test_the_bot_runs_every_registered_kind_and_only_those(
    polling: BotRunner, libre: FakeLibreTranslate
) -> None:
    async with FakeSlack() as slack:
        bot = await polling.start(**desk_settings(slack, libre), REPORT_SCHEDULE=["weekly", "monthly"])
        assert bot.jobs is not None
        assert set(bot.jobs.kinds()) == set(kinds())
