"""1,000 anonymous web chat connections (issue 16, item 4): the store grows by a bounded amount, what
grew expires, and the server holds nothing for the connections once they are gone."""

from __future__ import annotations

import asyncio
import gc
import json
from collections import Counter
from datetime import UTC, datetime, timedelta

import aiohttp
from aiohttp import web

from handlers.webchat_limits import Admission, Caps
from storage.types import Database
from tests.handlers.telegram_harness import BotRunner
from tests.handlers.test_webchat import start

CONNECTIONS = 1000
AT_ONCE = 25
PER_ADDRESS = 20
MESSAGES_PER_ADDRESS = 30
VISITOR_COLLECTIONS = ("conversations", "customers", "identities", "webchat_messages", "inbox")


async def visit(session: aiohttp.ClientSession, url: str, n: int) -> str:
    """One anonymous visitor: opens the chat, sends /start, leaves. What the bot answered."""
    ws_url = url.replace("http://", "ws://") + "/ws"
    try:
        async with session.ws_connect(ws_url, headers={"Origin": url.rsplit("/chat", 1)[0]}) as socket:
            await socket.send_json({"type": "hello", "token": None, "language": "en"})
            await socket.send_json({"type": "text", "id": f"v{n}", "text": "/start"})
            while True:
                frame = json.loads((await socket.receive()).data)
                if frame.get("id") == f"v{n}":
                    return str(frame.get("code") or frame["type"])
    except aiohttp.WSServerHandshakeError as error:
        return f"refused {error.status}"


async def stored(db: Database) -> int:
    return sum([await db[name].count_documents({}) for name in VISITOR_COLLECTIONS])


def live_sockets() -> int:
    gc.collect()
    return sum(isinstance(thing, web.WebSocketResponse) for thing in gc.get_objects())


def pollers() -> list[asyncio.Task[object]]:
    return [task for task in asyncio.all_tasks() if task.get_name() == "web chat poll"]


async def test_a_thousand_anonymous_connections(polling: BotRunner, db: Database) -> None:
    url = await start(
        polling,
        WEBCHAT_MAX_SOCKETS_PER_ADDRESS=PER_ADDRESS,
        WEBCHAT_ADDRESS_MESSAGES_PER_MINUTE=MESSAGES_PER_ADDRESS,
    )
    bot = polling.current
    assert bot is not None and bot.webchat is not None
    caps = Caps(max_sockets_per_address=PER_ADDRESS, messages_per_minute_per_address=MESSAGES_PER_ADDRESS)
    # The rate window is frozen, so the bound does not depend on how fast this machine runs the test.
    bot.webchat.admission = admission = Admission(caps, clock=lambda: 0.0)
    sockets_before, documents_before = live_sockets(), await stored(db)
    outcomes: Counter[str] = Counter()
    async with asyncio.timeout(300), aiohttp.ClientSession() as session:  # a bound, not a measurement
        for first in range(0, CONNECTIONS, AT_ONCE):
            batch = [visit(session, url, n) for n in range(first, first + AT_ONCE)]
            outcomes.update(await asyncio.gather(*batch))
        await bot.dispatcher.wait_idle()
    for _ in range(1200):  # the server's side of the last sockets may still be closing (bounded wait)
        if not admission.open_sockets and not pollers():
            break
        await asyncio.sleep(0.05)
    assert sum(outcomes.values()) == CONNECTIONS
    assert set(outcomes) <= {"ack", "rate_limited", "refused 429"}, outcomes
    assert outcomes["ack"] == MESSAGES_PER_ADDRESS, outcomes
    # Before: every /start stored a conversation, customer, identity, transcript line and inbox entry
    # (5,000 documents for 1,000 sockets). Now only the visitors let through, five documents each.
    grown = await stored(db) - documents_before
    assert 0 < grown <= 5 * MESSAGES_PER_ADDRESS, grown
    # Nothing of the connections is left in the server.
    assert live_sockets() <= sockets_before and admission.tracked_addresses <= 1 and not pollers()
    # The visitors never agreed to take part: after WEBCHAT_VISITOR_TTL_HOURS they are forgotten.
    bot.clock = lambda: datetime.now(UTC) + timedelta(hours=25)
    await bot.sweep()
    assert await stored(db) == documents_before


async def open_sockets(url: str, session: aiohttp.ClientSession, forwarded: list[str]) -> list[object]:
    """Opens one socket per entry (X-Forwarded-For value); each the open socket or the refusal status."""
    ws_url = url.replace("http://", "ws://") + "/ws"
    opened: list[object] = []
    for value in forwarded:
        headers = {"Origin": url.rsplit("/chat", 1)[0], "X-Forwarded-For": value}
        try:
            opened.append(await session.ws_connect(ws_url, headers=headers))
        except aiohttp.WSServerHandshakeError as error:
            opened.append(error.status)
    return opened


async def test_connections_are_counted_per_forwarded_address_only_behind_a_trusted_proxy(
    polling: BotRunner,
) -> None:
    url = await start(
        polling, TRUSTED_PROXIES=["127.0.0.1"], WEBCHAT_MAX_SOCKETS_PER_ADDRESS=2, WEBCHAT_MAX_SOCKETS=5
    )
    async with aiohttp.ClientSession() as session:
        # The proxy appends the client's address; what the client wrote before it is not believed.
        same_client = ["203.0.113.7", "1.1.1.1, 203.0.113.7", "2.2.2.2, 203.0.113.7"]
        opened = await open_sockets(
            url, session, [*same_client, "203.0.113.8", "203.0.113.9", "203.0.113.10", "203.0.113.11"]
        )
        statuses = [s if isinstance(s, int) else 101 for s in opened]
        # Two for the first client, the third refused; then the worker's cap of five: 503.
        assert statuses == [101, 101, 429, 101, 101, 101, 503], statuses
        for socket in opened:
            if isinstance(socket, aiohttp.ClientWebSocketResponse):
                await socket.close()


async def test_a_forwarded_address_from_an_untrusted_peer_is_ignored(polling: BotRunner) -> None:
    url = await start(polling, WEBCHAT_MAX_SOCKETS_PER_ADDRESS=2)
    async with aiohttp.ClientSession() as session:
        opened = await open_sockets(url, session, ["203.0.113.7", "203.0.113.8", "203.0.113.9"])
        assert [s if isinstance(s, int) else 101 for s in opened] == [101, 101, 429]
        for socket in opened:
            if isinstance(socket, aiohttp.ClientWebSocketResponse):
                await socket.close()
