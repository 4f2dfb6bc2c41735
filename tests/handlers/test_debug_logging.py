"""LOG_LEVEL=DEBUG through the real bot: customers' words stay out of the log (issue 16, item 6).

The libraries' debug lines (pymongo's command log, python-telegram-bot's and httpx's requests) carry
whole messages; they are only let through with LOG_UNSAFE_DEBUG=true, and then the start-up warns.
"""

from __future__ import annotations

import io
import logging
from collections.abc import Iterator
from typing import Any

import pytest

from bot import log_setup
from bot.settings import load_settings
from tests.handlers.telegram_harness import BotRunner, Customer

WORDS = "Mein Paket kam zerbrochen an, ruft mich an unter +49 170 5550123"


@pytest.fixture
def restore_logging() -> Iterator[None]:
    names = ["", *log_setup.OWN_LOGGERS, *log_setup.QUIETED]
    levels = {name: logging.getLogger(name).level for name in names}
    handlers = logging.getLogger().handlers[:]
    yield
    logging.getLogger().handlers[:] = handlers
    for name, level in levels.items():
        logging.getLogger(name).setLevel(level)


async def logged_conversation(runner: BotRunner, **settings: Any) -> str:
    out = io.StringIO()
    log_setup.configure(load_settings(**{**runner.settings_values(), **settings}), out)
    await runner.start(**settings)
    customer = Customer(runner, chat_id=4242, language="en")
    await customer.join()
    await customer.say(WORDS)
    await runner.stop()
    return out.getvalue()


async def test_debug_level_keeps_customers_words_out_of_the_log(
    webhook: BotRunner, restore_logging: None
) -> None:
    text = await logged_conversation(webhook, LOG_LEVEL="DEBUG")
    assert "LOG_LEVEL=DEBUG applies to the bot's own modules" in text
    assert logging.getLogger("handlers.telegram").isEnabledFor(logging.DEBUG)  # ours still debug
    assert "zerbrochen" not in text and "5550123" not in text


async def test_unsafe_debug_must_be_asked_for_and_is_announced(
    webhook: BotRunner, restore_logging: None
) -> None:
    text = await logged_conversation(webhook, LOG_LEVEL="DEBUG", LOG_UNSAFE_DEBUG=True)
    assert "WARNING bot.log_setup: LOG_UNSAFE_DEBUG=true: libraries log at DEBUG" in text
    # What the default keeps out: the libraries write the customer's words when let through.
    assert "zerbrochen" in text
