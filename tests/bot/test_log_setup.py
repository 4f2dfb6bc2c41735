"""Logs: JSON lines when asked, secrets masked wherever they appear, no customer words."""

from __future__ import annotations

import io
import json
import logging
from collections.abc import Iterator

import pytest

from bot import log_setup
from bot.settings import load_settings

TOKEN = "123456:AAH-very-secret-token"


@pytest.fixture
def restore_logging() -> Iterator[None]:
    root = logging.getLogger()
    handlers, level = root.handlers[:], root.level
    yield
    root.handlers[:] = handlers
    root.setLevel(level)


def test_json_lines_with_secrets_masked(restore_logging: None) -> None:
    settings = load_settings(LOG_FORMAT="json", TELEGRAM_BOT_TOKEN=TOKEN, SHOP_API_KEY="shop-key-0123456789")
    out = io.StringIO()
    log_setup.configure(settings, out)
    logger = logging.getLogger("test.logs")
    logger.info("calling https://api.telegram.org/bot%s/getUpdates", TOKEN)
    logger.warning("key %s refused", "shop-key-0123456789")
    try:
        raise ValueError("boom")
    except ValueError:
        logger.exception("failed")
    lines = [json.loads(line) for line in out.getvalue().splitlines()]
    assert [entry["level"] for entry in lines] == ["INFO", "WARNING", "ERROR"]
    assert lines[0]["message"] == "calling https://api.telegram.org/bot[secret]/getUpdates"
    assert lines[1]["message"] == "key [secret] refused" and lines[1]["logger"] == "test.logs"
    assert "ValueError: boom" in lines[2]["error"]
    assert TOKEN not in out.getvalue()


def test_text_format_stays_readable(restore_logging: None) -> None:
    out = io.StringIO()
    log_setup.configure(load_settings(), out)
    logging.getLogger("test.logs").info("ready on port %d", 8080)
    assert out.getvalue().rstrip().endswith("INFO test.logs: ready on port 8080")


def test_an_unknown_log_level_is_a_settings_error() -> None:
    from pydantic import ValidationError

    with pytest.raises(ValidationError, match="use DEBUG, INFO, WARNING, ERROR or CRITICAL"):
        load_settings(LOG_LEVEL="VERBOSE")
    assert load_settings(LOG_LEVEL="debug").log_level == "DEBUG"
