"""The web chat's WebSocket protocol through the real bot: tokens, history, limits, origins."""

from __future__ import annotations

import json
import uuid
from collections.abc import AsyncIterator
from contextlib import asynccontextmanager
from typing import Any

import aiohttp

from core.events import Outbound
from handlers.webchat import WebChatChannel
from storage.types import Database
from storage.webchat import WebChatTranscripts
from tests.answers import answers_so_far
from tests.handlers.telegram_harness import BotRunner


async def start(runner: BotRunner, **settings: Any) -> str:
    await runner.start(TELEGRAM_BOT_TOKEN=None, WEBCHAT_SECRET="webchat-secret-for-tests", **settings)
    assert runner.current is not None and runner.current.webchat_url is not None
    return runner.current.webchat_url


class Page:
    """One browser tab's socket, speaking the page's frames."""

    def __init__(self, socket: aiohttp.ClientWebSocketResponse, runner: BotRunner) -> None:
        self.socket = socket
        self.runner = runner
        self.frames: list[dict[str, Any]] = []
        self._ids = 0
        self._tab = uuid.uuid4().hex[:8]  # ids are random per page in browsers too
        self._read = 0

    async def receive(self) -> dict[str, Any]:
        frame = json.loads((await self.socket.receive(timeout=10)).data)
        self.frames.append(frame)
        return dict(frame)

    async def until(self, kind: str) -> dict[str, Any]:
        while True:
            frame = await self.receive()
            if frame["type"] == kind:
                return frame

    async def send(self, frame: dict[str, Any]) -> dict[str, Any]:
        """Send a frame with a fresh id; the bot's ack or error for it."""
        self._ids += 1
        frame = {"id": f"{self._tab}-{self._ids}", **frame}
        await self.socket.send_json(frame)
        return await self.answer(str(frame["id"]))

    async def answer(self, frame_id: str) -> dict[str, Any]:
        while True:
            frame = await self.receive()
            if frame["type"] in {"ack", "error"} and frame.get("id") == frame_id:
                assert self.runner.current is not None
                await self.runner.current.dispatcher.wait_idle()
                return frame

    async def say(self, text: str) -> dict[str, Any]:
        return await self.send({"type": "text", "text": text})

    async def press(self, payload: str, ref: str | None = None) -> dict[str, Any]:
        return await self.send({"type": "button", "payload": payload, "ref": ref})

    async def next_message(self, kind: str = "message") -> dict[str, Any]:
        """The next new message (or, with kind="edit", the next edited one), from frames seen or to come."""
        for frame in self.frames[self._read :]:
            self._read += 1
            if frame["type"] == kind:
                return dict(frame["message"])
        while True:
            frame = await self.receive()
            self._read += 1
            if frame["type"] == kind:
                return dict(frame["message"])


@asynccontextmanager
async def page(
    runner: BotRunner, url: str, *, token: str | None = None, origin: str | None = None, language: str = "en"
) -> AsyncIterator[tuple[Page, dict[str, Any], dict[str, Any]]]:
    ws_url = url.replace("http://", "ws://") + "/ws"
    headers = {"Origin": origin or url.rsplit("/chat", 1)[0]}
    async with aiohttp.ClientSession() as session, session.ws_connect(ws_url, headers=headers) as socket:
        await socket.send_json({"type": "hello", "token": token, "language": language})
        tab = Page(socket, runner)
        welcome = await tab.until("welcome")
        history = await tab.until("history")
        yield tab, welcome, history


async def test_a_new_browser_gets_a_token_and_consent_then_finds_its_chat_again(
    polling: BotRunner, db: Database
) -> None:
    url = await start(polling)
    async with page(polling, url, language="es-ES") as (tab, welcome, history):
        assert welcome["new"] is True and history["messages"] == []
        spanish = next(language for language in welcome["languages"] if language["code"] == "es")
        assert spanish["name"] == "Español" and spanish["dir"] == "ltr"
        assert spanish["text"]["send"] == "Enviar" and welcome["language"] == "es"
        assert welcome["max_chars"] == 2000
        assert (await tab.say("/start"))["type"] == "ack"
        consent = await tab.next_message()
        assert [c["payload"] for row in consent["choices"] for c in row][:2] == ["consent:yes", "consent:no"]
        assert "acepta" in consent["text"].lower()  # the browser's language
        await tab.press("consent:yes", consent["id"])
        question = await tab.next_message()
        assert question["choices"][0][0]["payload"] == "a:product_quality:1"
        token = welcome["token"]

    # Another connection with the token: the same conversation, its messages shown again.
    async with page(polling, url, token=token) as (tab, welcome, history):
        assert welcome["new"] is False and welcome["token"] == token
        texts = [m["text"] for m in history["messages"]]
        assert any("acepta" in t.lower() for t in texts) and question["id"] in [
            m["id"] for m in history["messages"]
        ]
        await tab.press("a:product_quality:5", question["id"])
        edited = await tab.next_message("edit")
        assert edited["id"] == question["id"] and edited["choices"] == []  # the answer, in place
    response = await db["responses"].find_one({})
    assert response is not None and response["channel"] == "web"
    assert (await answers_so_far(db, response))["product_quality"]["value"] == 5


async def test_a_forged_token_gets_a_new_conversation_not_someone_elses(polling: BotRunner) -> None:
    url = await start(polling)
    async with page(polling, url) as (tab, welcome, _):
        await tab.say("/start")
        chat = welcome["token"].split(".")[0]
    async with page(polling, url, token=f"{chat}.forged-signature") as (_, welcome, history):
        assert welcome["new"] is True and not welcome["token"].startswith(chat)
        assert history["messages"] == []


async def test_resent_frames_count_once_and_typed_text_is_kept_in_order(
    polling: BotRunner, db: Database
) -> None:
    url = await start(polling)
    async with page(polling, url) as (tab, welcome, _):
        await tab.say("/start")
        await tab.press("consent:no")
        await tab.socket.send_json({"type": "text", "id": "same-1", "text": "Just saying hi"})
        assert (await tab.answer("same-1"))["type"] == "ack"
        await tab.socket.send_json(
            {"type": "text", "id": "same-1", "text": "Just saying hi"}
        )  # reconnect resend
        assert (await tab.answer("same-1"))["type"] == "ack"
        token = welcome["token"]
    assert await db["inbox"].count_documents({"channel": "web", "event.text": "Just saying hi"}) == 1
    async with page(polling, url, token=token) as (_, _, history):
        mine = [m for m in history["messages"] if m["direction"] == "in"]
        assert [m["text"] for m in mine] == ["Just saying hi"]
        position = history["messages"].index(mine[0])
        assert history["messages"][position + 1]["direction"] == "out"  # the bot's answer comes after


async def test_limits_empty_long_fast_and_malformed(polling: BotRunner, db: Database) -> None:
    url = await start(polling, WEBCHAT_MAX_CHARS=50, WEBCHAT_MESSAGES_PER_MINUTE=5)
    async with page(polling, url) as (tab, _, _):
        # Agreed first: before that nothing a visitor sends is stored (checked in test_webchat_flood).
        assert (await tab.say("/start"))["type"] == "ack"
        assert (await tab.press("consent:yes", (await tab.next_message())["id"]))["type"] == "ack"
        assert (await tab.say("   "))["code"] == "empty"
        assert (await tab.say("x" * 51))["code"] == "too_long"
        await tab.socket.send_str("{not json")
        assert (await tab.until("error"))["code"] == "bad_frame"
        await tab.socket.send_json({"type": "text", "id": "bad id with spaces", "text": "hi"})
        assert (await tab.until("error"))["code"] == "bad_frame"
        assert (await tab.press("x" * 300))["code"] == "bad_frame"
        outcomes = [(await tab.say(f'{{"$gt": ""}} {n}'))["type"] for n in range(4)]
        assert outcomes == ["ack", "ack", "ack", "error"]
        assert tab.frames[-1]["code"] == "rate_limited"
    stored = await db["inbox"].find({"channel": "web", "event.kind": "text"}).to_list(None)
    assert sorted(doc["event"]["text"] for doc in stored) == [f'{{"$gt": ""}} {n}' for n in range(3)]


async def test_origins_outside_the_list_are_refused(polling: BotRunner) -> None:
    url = await start(polling, WEBCHAT_ALLOWED_ORIGINS=["https://shop.example"])
    ws_url = url.replace("http://", "ws://") + "/ws"
    async with aiohttp.ClientSession() as session:
        for origin, allowed in (("https://evil.example", False), ("https://shop.example", True)):
            try:
                async with session.ws_connect(ws_url, headers={"Origin": origin}):
                    refused = False
            except aiohttp.WSServerHandshakeError as error:
                refused = error.status == 403
            assert refused is not allowed
        async with session.get(url) as response:
            policy = response.headers["Content-Security-Policy"]
            assert "frame-ancestors 'self' https://shop.example;" in policy
            assert "Feedback" in await response.text()
        async with session.get(url + "/widget.js") as response:
            assert response.status == 200 and "feedback-bot-launcher" in await response.text()
        async with session.get(url + "/assets/../app.py") as response:
            assert response.status == 404


async def test_messages_sent_while_the_page_was_closed_are_there_on_return(
    polling: BotRunner, db: Database
) -> None:
    url = await start(polling)
    async with page(polling, url) as (tab, welcome, _):
        await tab.say("/start")
        token, chat = welcome["token"], welcome["token"].split(".")[0]
    bot = polling.current
    assert bot is not None
    channel = bot.dispatcher.channel("web")
    assert channel is not None
    await channel.send(chat, [Outbound("An agent answered your request C-ABC123.")])
    async with page(polling, url, token=token) as (tab, _, history):
        assert history["messages"][-1]["text"] == "An agent answered your request C-ABC123."
        await tab.say("/delete")
        confirm = await tab.next_message()
        await tab.press("delete:yes", confirm["id"])
    remaining = await db["webchat_messages"].find({"chat": chat}).to_list(None)
    assert [doc["body"]["text"] for doc in remaining] == [remaining[0]["body"]["text"]]  # only "deleted"


async def test_a_message_written_by_another_worker_reaches_the_open_page(
    polling: BotRunner, db: Database
) -> None:
    url = await start(polling)
    async with page(polling, url) as (tab, welcome, _):
        await tab.say("/start")
        chat = welcome["token"].split(".")[0]
        # Another worker (a job there) writes into the same database; this page polls for it.
        other_worker = WebChatChannel(transcripts=WebChatTranscripts(db))
        await other_worker.send(chat, [Outbound("An agent answered from another worker.")])
        while (await tab.next_message())["text"] != "An agent answered from another worker.":
            pass


async def test_an_oversized_frame_closes_only_that_connection(polling: BotRunner) -> None:
    url = await start(polling, WEBCHAT_MAX_CHARS=10)
    async with page(polling, url) as (tab, _, _):
        await tab.socket.send_json({"type": "text", "id": "big", "text": "x" * 5000})
        closing = await tab.socket.receive(timeout=10)
        assert closing.type in {aiohttp.WSMsgType.CLOSE, aiohttp.WSMsgType.CLOSED, aiohttp.WSMsgType.CLOSING}
        assert tab.socket.close_code == aiohttp.WSCloseCode.MESSAGE_TOO_BIG
    async with page(polling, url) as (tab, _, _):
        assert (await tab.say("/start"))["type"] == "ack"


async def test_metrics_count_messages_out_and_show_backlog_gauges(polling: BotRunner) -> None:
    url = await start(polling)
    async with page(polling, url) as (tab, _, _):
        await tab.say("/start")  # shown, not stored (the visitor has not agreed): not an accepted event
        await tab.press("consent:yes", (await tab.next_message())["id"])
        await tab.next_message("edit")
    async with aiohttp.ClientSession() as session, session.get(url.replace("/chat", "/metrics")) as response:
        text = await response.text()
    assert 'feedback_bot_messages_out_total{channel="web"} 2' in text  # "✓ Agree" and the first question
    assert 'feedback_bot_events_accepted_total{channel="web"} 1' in text
    for gauge in ("jobs_due", "inbox_pending", "tickets_with_missed_deadline", "translation_failures"):
        assert f"# TYPE feedback_bot_{gauge} gauge" in text
    assert 'feedback_bot_reply_seconds_bucket{le="+Inf"} 1' in text


async def test_the_welcome_names_the_shop_unless_company_name_is_unset(
    polling: BotRunner,
) -> None:
    url = await start(polling, COMPANY_NAME=None, WEBCHAT_LOGO_URL="https://cdn.shop.example/logo.png")
    async with page(polling, url, language="ar") as (_, welcome, _):
        # No name: the page shows the title in the visitor's language ("الآراء").
        assert welcome["shop"] == {"name": None, "logo": "https://cdn.shop.example/logo.png"}
        assert welcome["language"] == "ar"
        arabic = next(language for language in welcome["languages"] if language["code"] == "ar")
        assert arabic["dir"] == "rtl" and arabic["text"]["title"] == "الآراء"
    async with aiohttp.ClientSession() as session, session.get(url) as response:
        # The logo's site is allowed to serve images to the page, nothing else is.
        policy = response.headers["Content-Security-Policy"]
        assert policy.endswith("img-src 'self' data: https://cdn.shop.example")


async def test_every_shipped_language_is_offered_and_hebrew_and_persian_read_right_to_left(
    polling: BotRunner,
) -> None:
    from locales.catalog import catalogs

    shipped = catalogs().languages
    url = await start(polling)
    for browser, expected in (
        ("he-IL", "10 שאלות קצרות"),
        ("fa-IR", "10 پرسش کوتاه"),
        ("sv-SE", "10 korta frågor"),
    ):
        async with page(polling, url, language=browser) as (tab, welcome, _):
            assert [entry["code"] for entry in welcome["languages"]] == list(shipped)
            assert (await tab.say("/start"))["type"] == "ack"
            consent = await tab.next_message()
            assert expected in consent["text"]
            assert consent["rtl"] is (browser != "sv-SE")
