"""Malformed and unauthenticated requests through the real HTTP stack (issue 16, items 2 and 3).

Every one is answered 400/401/403 with a short reason, never 500, and a flood of them writes a
few short WARNING lines (one per kind and minute), no ERROR and no traceback.
"""

from __future__ import annotations

import json
import logging
from urllib.parse import quote

import pytest

from bot.app import FeedbackBot
from storage.types import Database
from tests.fakes.graph_api import APP_SECRET, PHONE_NUMBER_ID, TOKEN, VERIFY_TOKEN
from tests.fakes.slack_api import FakeSlack
from tests.handlers import raw_http
from tests.handlers.raw_http import slack_headers, whatsapp_headers
from tests.handlers.telegram_harness import WEBHOOK_SECRET, BotRunner

SLACK_SECRET = "slack-signing-secret-for-hostile-tests"
SHOP_KEY = "shop-key-for-hostile-tests-0123"
FORM = b"application/x-www-form-urlencoded"
JSON = b"application/json"

DEEP = b"[" * 30_000 + b"]" * 30_000
HUGE_NUMBER = b'{"customer_ref": ' + b"9" * 5_000 + b', "order_ref": "A1", "questionnaire": "default"}'
NOT_UTF8 = b'{"customer_ref": "\xff\xfe", "order_ref": "A1", "questionnaire": "default"}'
VALID_INVITATION = b'{"customer_ref": "c1", "order_ref": "A1", "questionnaire": "default"}'
SLACK_DEEP = b"payload=" + quote(DEEP.decode()).encode()
SLACK_PLAIN = b"payload=" + quote(json.dumps({"type": "block_actions"})).encode()

Case = tuple[str, str, list[tuple[bytes, bytes]], bytes, int]


async def start(runner: BotRunner, slack: FakeSlack) -> FeedbackBot:
    runner.webhook = True
    return await runner.start(
        SLACK_BOT_TOKEN=slack.token,
        SLACK_API_BASE_URL=slack.base_url,
        SLACK_DEFAULT_CHANNEL="C-SUPPORT",
        SLACK_SIGNING_SECRET=SLACK_SECRET,
        SHOP_API_KEY=SHOP_KEY,
        WHATSAPP_API_BASE_URL="http://127.0.0.1:9",
        WHATSAPP_PHONE_NUMBER_ID=PHONE_NUMBER_ID,
        WHATSAPP_ACCESS_TOKEN=TOKEN,
        WHATSAPP_APP_SECRET=APP_SECRET,
        WHATSAPP_VERIFY_TOKEN=VERIFY_TOKEN,
    )


def unauthenticated() -> list[Case]:
    """Item 2 (and issue 13): refused at the credential check, whatever the headers hold."""
    bearer_ff = [(b"Authorization", b"Bearer \xff\xfe"), (b"Content-Type", JSON)]
    return [
        ("slack: no signature headers", "/slack/events", [(b"Content-Type", FORM)], SLACK_PLAIN, 401),
        (
            "slack: non-numeric timestamp",
            "/slack/events",
            [
                (b"X-Slack-Request-Timestamp", b"abc"),
                (b"X-Slack-Signature", b"v0=00"),
                (b"Content-Type", FORM),
            ],
            SLACK_PLAIN,
            401,
        ),
        (
            "slack: signature with byte 0xff",
            "/slack/events",
            [
                (b"X-Slack-Request-Timestamp", b"1"),
                (b"X-Slack-Signature", b"v0=\xff"),
                (b"Content-Type", FORM),
            ],
            SLACK_PLAIN,
            401,
        ),
        (
            "slack: forged, non-UTF-8 body",
            "/slack/events",
            slack_headers(b"payload=x", "forged"),
            b"payload=\xff\xfe",
            401,
        ),
        (
            "slack: forged, unknown charset",
            "/slack/events",
            slack_headers(SLACK_PLAIN, "forged", content_type=FORM + b"; charset=x-no-such"),
            SLACK_PLAIN,
            401,
        ),
        (
            "telegram: secret with byte 0xff",
            "/webhooks/telegram",
            [
                (b"X-Telegram-Bot-Api-Secret-Token", b"\xff" + WEBHOOK_SECRET.encode()),
                (b"Content-Type", JSON),
            ],
            b"{}",
            403,
        ),
        (
            "whatsapp: signature with byte 0xff",
            "/webhooks/whatsapp",
            [(b"X-Hub-Signature-256", b"sha256=\xff"), (b"Content-Type", JSON)],
            b"{}",
            401,
        ),
        ("shop API: key with byte 0xff", "/api/v1/invitations", bearer_ff, VALID_INVITATION, 401),
        ("metrics: nothing odd", "/healthz", [], b"", 200),
    ]


def malformed_but_signed() -> list[Case]:
    """Item 3: past the credential check, a body that cannot be read is a 400 with a reason."""
    shop = [(b"Authorization", f"Bearer {SHOP_KEY}".encode()), (b"Content-Type", JSON)]
    shop_latin = [
        (b"Authorization", f"Bearer {SHOP_KEY}".encode()),
        (b"Content-Type", JSON + b"; charset=x-no-such"),
    ]
    return [
        ("shop API: non-UTF-8 body", "/api/v1/invitations", shop, NOT_UTF8, 400),
        ("shop API: unknown charset", "/api/v1/invitations", shop_latin, VALID_INVITATION, 400),
        ("shop API: 5,000-digit number", "/api/v1/invitations", shop, HUGE_NUMBER, 400),
        ("shop API: 30,000-deep array", "/api/v1/invitations", shop, DEEP, 400),
        ("whatsapp: deep JSON", "/webhooks/whatsapp", whatsapp_headers(DEEP, APP_SECRET), DEEP, 400),
        ("whatsapp: non-UTF-8", "/webhooks/whatsapp", whatsapp_headers(NOT_UTF8, APP_SECRET), NOT_UTF8, 400),
        ("slack: deep JSON", "/slack/events", slack_headers(SLACK_DEEP, SLACK_SECRET), SLACK_DEEP, 400),
        (
            "slack: non-UTF-8 body",
            "/slack/events",
            slack_headers(b"payload=\xff\xfe", SLACK_SECRET),
            b"payload=\xff\xfe",
            400,
        ),
        (
            "slack: unknown charset",
            "/slack/events",
            slack_headers(SLACK_PLAIN, SLACK_SECRET, content_type=FORM + b"; charset=x-no-such"),
            SLACK_PLAIN,
            400,
        ),
        (
            "slack: deep JSON event",
            "/slack/events",
            slack_headers(DEEP, SLACK_SECRET, content_type=JSON),
            DEEP,
            400,
        ),
    ]


async def test_a_flood_of_bad_requests_gets_4xx_and_a_few_short_warnings(
    polling: BotRunner, db: Database, caplog: pytest.LogCaptureFixture
) -> None:
    async with FakeSlack() as slack:
        bot = await start(polling, slack)
        assert bot.server is not None
        caplog.clear()
        caplog.set_level(logging.INFO)
        cases = unauthenticated() + malformed_but_signed()
        sent = 0
        while sent < 200:
            for name, path, headers, body, expected in cases:
                method = "GET" if path == "/healthz" else "POST"
                answer = await raw_http.request(bot.server.port, method, path, headers, body)
                assert answer.status == expected, (name, answer.status, answer.body[:200])
                if expected == 400:
                    assert 0 < len(answer.body) < 100, name  # a short reason, no stack
                sent += 1
        assert await db["invitations"].count_documents({}) == 0
        noisy = [r for r in caplog.records if r.levelno >= logging.WARNING]
        assert not [r for r in noisy if r.levelno >= logging.ERROR or r.exc_info], [
            r.getMessage()[:200] for r in noisy
        ]
        formatter = logging.Formatter("%(asctime)s %(levelname)s %(name)s: %(message)s")
        written = sum(len(formatter.format(record)) + 1 for record in noisy)
        # Before: ~1.3 KB of traceback per request, 256 KiB for 200. Now: one line per kind and minute.
        assert len(noisy) <= 12 and written < 2048, [r.getMessage() for r in noisy]
        assert all(len(r.getMessage()) < 120 for r in noisy)
