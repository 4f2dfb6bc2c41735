"""Hostile requests at the bot's HTTP entry points: Slack interactions, Telegram and WhatsApp webhooks,
the shop API, metrics. Whatever arrives: a 2xx/4xx answer, never a 5xx, and the bot keeps serving.
"""

from __future__ import annotations

import json
import random
from typing import Any

from aiohttp import ClientSession

from bot.app import FeedbackBot
from storage.types import Database
from tests.fakes.graph_api import APP_SECRET, PHONE_NUMBER_ID, TOKEN, VERIFY_TOKEN, post_webhook
from tests.fakes.slack_api import FakeSlack, interaction_body, post_to_app, signed_headers
from tests.fuzz.strategies import HOSTILE_TEXTS, SCALE
from tests.handlers import raw_http
from tests.handlers.telegram_harness import WEBHOOK_SECRET, BotRunner

SECRET = "slack-signing-secret-for-fuzz"
SHOP_KEY = "shop-key-for-fuzzing-0123"


def junk(rng: random.Random, depth: int = 0) -> Any:
    roll = rng.random()
    if depth > 3 or roll < 0.4:
        return rng.choice(
            [None, True, 0, -1, 2**64, 1.5, float("inf"), *HOSTILE_TEXTS[:12], "C-XXXXXX", "U0AGENT"]
        )
    if roll < 0.7:
        return [junk(rng, depth + 1) for _ in range(rng.randrange(3))]
    keys = ["type", "user", "id", "actions", "action_id", "value", "view", "callback_id", "private_metadata"]
    keys += ["state", "values", "trigger_id", "channel", "container", "message", "ts", "text", "command"]
    return {rng.choice(keys): junk(rng, depth + 1) for _ in range(rng.randrange(5))}


def slack_payload(rng: random.Random) -> Any:
    base = {
        "type": rng.choice(["block_actions", "view_submission", "shortcut", "x", 5]),
        "user": {"id": rng.choice(["U0AGENT", "U0OUTSIDER", "", 7])},
        "actions": [
            {
                "action_id": rng.choice(["ticket_claim", "ticket_reply", "ticket_resolve", "zzz"]),
                "value": rng.choice(["C-XXXXXX", "", "x" * 5000, '{"$gt": ""}']),
            }
        ],
        "view": {
            "callback_id": rng.choice(["ticket_reply_modal", "ticket_reclassify_modal", "?"]),
            "private_metadata": rng.choice(["C-XXXXXX", None, 3]),
            "state": junk(rng),
        },
        "trigger_id": "t",
    }
    for _ in range(rng.randrange(4)):
        base[rng.choice(list(base))] = junk(rng)
    return base



async def start_every_entry_point(polling: BotRunner, slack: FakeSlack, **extra: Any) -> FeedbackBot:
    """The bot in webhook mode with Slack, WhatsApp and the shop API all configured."""
    polling.webhook = True
    return await polling.start(
        SLACK_BOT_TOKEN=slack.token,
        SLACK_API_BASE_URL=slack.base_url,
        SLACK_DEFAULT_CHANNEL="C-SUPPORT",
        SLACK_SIGNING_SECRET=SECRET,
        SHOP_API_KEY=SHOP_KEY,
        WHATSAPP_API_BASE_URL="http://127.0.0.1:9",
        WHATSAPP_PHONE_NUMBER_ID=PHONE_NUMBER_ID,
        WHATSAPP_ACCESS_TOKEN=TOKEN,
        WHATSAPP_APP_SECRET=APP_SECRET,
        WHATSAPP_VERIFY_TOKEN=VERIFY_TOKEN,
        **extra,
    )

async def test_hostile_requests_at_every_entry_point(polling: BotRunner, db: Database) -> None:
    async with FakeSlack() as slack:
        bot = await start_every_entry_point(polling, slack, SLACK_AGENT_USERS=["U0AGENT"])
        assert bot.server is not None
        base = f"http://127.0.0.1:{bot.server.port}"
        rng = random.Random(1124)
        statuses: dict[str, set[int]] = {}
        async with ClientSession() as session:
            for n in range(100 * SCALE):
                target = n % 4
                if target == 0:
                    body = (
                        interaction_body(slack_payload(rng))
                        if rng.random() < 0.9
                        else rng.choice(HOSTILE_TEXTS)
                    )
                    secret = SECRET if rng.random() < 0.9 else "forged"
                    status, _ = await post_to_app(f"{base}/slack/events", body, signed_headers(body, secret))
                    name = "slack"
                elif target == 1:
                    update = junk(rng) if rng.random() < 0.5 else {"update_id": n, "message": junk(rng)}
                    raw = json.dumps(update) if rng.random() < 0.9 else rng.choice(HOSTILE_TEXTS)
                    headers = {
                        "X-Telegram-Bot-Api-Secret-Token": WEBHOOK_SECRET,
                        "Content-Type": "application/json",
                    }
                    async with session.post(
                        f"{base}/webhooks/telegram", data=raw.encode(), headers=headers
                    ) as r:
                        status, name = r.status, "telegram"
                elif target == 2:
                    payload = {"object": "whatsapp_business_account", "entry": junk(rng)}
                    status, name = await post_webhook(f"{base}/webhooks/whatsapp", payload), "whatsapp"
                else:
                    headers = {"Authorization": f"Bearer {SHOP_KEY if rng.random() < 0.8 else 'nope'}"}
                    raw = json.dumps(junk(rng)) if rng.random() < 0.9 else rng.choice(HOSTILE_TEXTS)
                    async with session.post(
                        f"{base}/api/v1/invitations", data=raw.encode(), headers=headers
                    ) as r:
                        status, name = r.status, "api"
                statuses.setdefault(name, set()).add(status)
                assert status < 500, (name, status)
            await bot.dispatcher.wait_idle()
            async with session.get(f"{base}/healthz") as response:
                assert response.status == 200
        assert statuses["slack"] & {401} and statuses["api"] & {401, 400}
        assert await db["tickets"].count_documents({}) == 0  # nothing reached a ticket that does not exist


async def test_hostile_shapes_at_every_entry_point(polling: BotRunner) -> None:
    """Byte-0xff credential headers, charsets nobody knows, deep JSON and huge numbers, signed and not,
    at every entry point that takes a body: never a 5xx."""
    async with FakeSlack() as slack:
        bot = await start_every_entry_point(polling, slack)
        assert bot.server is not None
        port = bot.server.port
        rng = random.Random(1616)
        bodies = [
            b"[" * 30_000 + b"]" * 30_000,
            b'{"a": ' * 5_000 + b"1" + b"}" * 5_000,
            b'{"n": ' + b"7" * 5_000 + b"}",
            b'{"n": -' + b"1" * 4_400 + b".5e99999}",
            b'{"t": "\xff\xfe\xc0\xaf"}',
            b"payload=" + b"%5B" * 20_000,
            b"payload=%FF%FE",
            b"\x00" * 64,
            *(text.encode("utf-8", "surrogatepass") for text in HOSTILE_TEXTS[:8]),
        ]
        content_types = [
            b"application/json",
            b"application/json; charset=x-no-such",
            b"application/json; charset=utf-16",
            b"application/x-www-form-urlencoded; charset=\xff",
            b"text/plain; charset=latin-1",
        ]
        credential_values = [b"\xff", b"Bearer \xff\xfe", b"v0=\xff" * 20, b"sha256=\xc3\x28", b"\xe2\x82"]
        for _ in range(60 * SCALE):
            body = rng.choice(bodies)
            content_type = rng.choice(content_types)
            targets: list[tuple[str, list[tuple[bytes, bytes]]]] = [
                ("/slack/events", raw_http.slack_headers(body, SECRET, content_type=content_type)),
                ("/slack/events", [(b"X-Slack-Request-Timestamp", rng.choice([b"abc", b"\xff", b""]))]),
                (
                    "/webhooks/whatsapp",
                    raw_http.whatsapp_headers(body, APP_SECRET, content_type=content_type),
                ),
                ("/webhooks/whatsapp", [(b"X-Hub-Signature-256", rng.choice(credential_values))]),
                ("/webhooks/telegram", [(b"X-Telegram-Bot-Api-Secret-Token", WEBHOOK_SECRET.encode())]),
                ("/webhooks/telegram", [(b"X-Telegram-Bot-Api-Secret-Token", rng.choice(credential_values))]),
                ("/api/v1/invitations", [(b"Authorization", f"Bearer {SHOP_KEY}".encode())]),
                ("/api/v1/invitations", [(b"Authorization", rng.choice(credential_values))]),
                ("/metrics", [(b"Authorization", rng.choice(credential_values))]),
            ]
            path, headers = rng.choice(targets)
            if not any(name == b"Content-Type" for name, _ in headers):
                headers = [*headers, (b"Content-Type", content_type)]
            method = "GET" if path == "/metrics" else "POST"
            answer = await raw_http.request(port, method, path, headers, b"" if method == "GET" else body)
            assert answer.status < 500, (path, answer.status, answer.body[:200])
        assert (await raw_http.request(port, "GET", "/healthz", [])).status == 200
