"""1,000 anonymous web chat connections (issue 16, item 4): nothing is stored for a visitor before they
agree, and the server holds nothing for the connections once they are gone."""

from __future__ import annotations

import asyncio
import gc
import json
from collections import Counter
from collections.abc import AsyncIterator
from contextlib import asynccontextmanager
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


async def stored(db: Database) -> dict[str, int]:
    """Documents in every collection of the database, by collection."""
    return {name: await db[name].count_documents({}) for name in sorted(await db.list_collection_names())}


# Longer than either test takes: a job due sooner (the hourly themes run) could otherwise land between
# two counts, so a count is taken once the bot has run it.
QUIET_AHEAD = timedelta(seconds=60)


async def settled(db: Database) -> dict[str, int]:
    """`stored(db)` once no job of the running bot is due within `QUIET_AHEAD` or being run."""
    async with asyncio.timeout(QUIET_AHEAD.total_seconds() + 60):  # a bound, not a measurement
        while True:
            quiet_until = datetime.now(UTC) + QUIET_AHEAD
            busy = {
                "status": "pending",  # done, failed and cancelled jobs do not run again
                "$or": [{"lease_until": {"$ne": None}}, {"due_at": {"$lte": quiet_until}}],
            }
            if await db["jobs"].count_documents(busy) == 0:
                return await stored(db)
            await asyncio.sleep(0.5)


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
    sockets_before, documents_before = live_sockets(), await settled(db)
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
    # Before: every /start let through stored a conversation, customer, identity, transcript line and
    # inbox entry (150 documents here). Now the consent prompt is shown and nothing is kept.
    assert await stored(db) == documents_before
    # Nothing of the connections is left in the server.
    assert live_sockets() <= sockets_before and admission.tracked_addresses <= 1 and not pollers()


async def test_the_first_thing_stored_is_the_visitors_decision(polling: BotRunner, db: Database) -> None:
    url = await start(polling)
    before = await settled(db)
    async with aiohttp.ClientSession() as session:
        headers = {"Origin": url.rsplit("/chat", 1)[0]}
        async with session.ws_connect(url.replace("http://", "ws://") + "/ws", headers=headers) as socket:
            await socket.send_json({"type": "hello", "token": None, "language": "de"})
            frames = [await socket.receive_json() for _ in range(2)]  # welcome, history
            token = frames[0]["token"]
            for frame in (
                {"type": "text", "id": "a", "text": "/start"},
                {"type": "text", "id": "b", "text": "hallo?"},
                {"type": "button", "id": "c", "payload": "lang:es"},
            ):
                await socket.send_json(frame)
                while (received := await socket.receive_json())["type"] != "ack":
                    if received["type"] == "message":
                        prompt = received["message"]
            assert "participar" in prompt["text"] and prompt["lang"] == "es"  # the prompt again, in Spanish
            assert await stored(db) == before  # three events answered, nothing written
            agree = {"type": "button", "id": "d", "payload": "consent:yes", "ref": prompt["id"]}
            await socket.send_json(agree)
            edited = None
            while edited is None:
                received = await socket.receive_json()
                if received["type"] == "edit":
                    edited = received["message"]
            # The prompt the visitor saw is replaced in place with their decision under it.
            assert edited["id"] == prompt["id"] and edited["text"].endswith("✓ Acepto")
    bot = polling.current
    assert bot is not None
    await bot.dispatcher.wait_idle()
    after = await stored(db)
    for name in ("conversations", "customers", "identities", "consents"):
        assert after.get(name, 0) == before.get(name, 0) + 1, name
    conversation = await db["conversations"].find_one({})
    assert conversation is not None and conversation["state"] == "in_survey"
    assert await db["customers"].find_one({"language": "es"}) is not None  # the chosen language kept
    # A reload shows the decision and the first question from the store.
    async with session_page(url, token) as history:
        assert [m["direction"] for m in history] == ["out", "out"]
        assert str(history[0]["text"]).endswith("✓ Acepto")


@asynccontextmanager
async def session_page(url: str, token: str) -> AsyncIterator[list[dict[str, object]]]:
    """A page coming back with its token: the history it is shown."""
    async with aiohttp.ClientSession() as session:
        headers = {"Origin": url.rsplit("/chat", 1)[0]}
        async with session.ws_connect(url.replace("http://", "ws://") + "/ws", headers=headers) as socket:
            await socket.send_json({"type": "hello", "token": token, "language": "es"})
            await socket.receive_json()
            yield list((await socket.receive_json())["messages"])


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


async def test_a_stored_visitor_who_never_decides_is_forgotten(polling: BotRunner, db: Database) -> None:
    url = await start(polling)
    before = await stored(db)
    async with aiohttp.ClientSession() as session:
        headers = {"Origin": url.rsplit("/chat", 1)[0]}
        async with session.ws_connect(url.replace("http://", "ws://") + "/ws", headers=headers) as socket:
            await socket.send_json({"type": "hello", "token": None, "language": "en"})
            # A complaint needs its own consent question stored: this visitor reaches the store.
            await socket.send_json({"type": "text", "id": "a", "text": "/complain"})
            while (await socket.receive_json())["type"] != "ack":
                pass
    bot = polling.current
    assert bot is not None
    await bot.dispatcher.wait_idle()
    assert (await stored(db))["conversations"] == before.get("conversations", 0) + 1
    # They never decided: after WEBCHAT_VISITOR_TTL_HOURS (24) they are forgotten.
    bot.clock = lambda: datetime.now(UTC) + timedelta(hours=25)
    await bot.sweep()
    after = await stored(db)
    for name in ("conversations", "customers", "identities", "webchat_messages"):  # what the sweep owns
        assert after.get(name, 0) == before.get(name, 0), name
