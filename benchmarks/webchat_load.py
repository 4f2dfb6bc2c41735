"""Load benchmark: N web chat visitors take the default survey at once over the chat's WebSocket.

Run on demand (it prints figures and never asserts timings)::

    .venv/bin/python -m benchmarks.webchat_load [--customers 200] [--duration-limit S]

Feedback Bot runs as a child process (``feedback-bot run``, embedded SecantusDB child, web chat only).
Each visitor is an aiohttp WebSocket client speaking the page's frames (``handlers/webchat.py``,
``chat.js``): ``hello`` without a token (a new visitor, language ``en-US``), then, as the page does for a
new conversation, the text ``/start``; then it presses the button of the latest prompt (``consent:yes``;
4 on 5-point scales; 9 on the 0-10 scale) with the message's id as ``ref``, and types a comment for the
free-text question. A visitor acts once the bot's next prompt has arrived.

The visitors connect through 127.0.0.1 as if behind the shop's reverse proxy: ``TRUSTED_PROXIES`` is
127.0.0.1 and each visitor's ``X-Forwarded-For`` is its own address, so the per-address limits apply per
visitor as in production. The per-worker cap (``WEBCHAT_TOTAL_MESSAGES_PER_MINUTE``, 3,000 by default,
i.e. 50 messages/s) is raised so the bot's own throughput shows, as the Telegram benchmarks switch
pacing off; every refusal the bot sends (``error`` frames) is counted.

Reply latency of an action = from just before the frame is sent until the ``message`` frame with the
next prompt (a message with choices; after the comment, the thank-you) arrives. "First output" = until
the bot's first frame for it other than the ``ack`` (an ``edit`` of the answered question, a ``message``).

Store round trips (the embedded server's counters, as ``benchmarks.survey_load`` describes): over the
load per action, then a probe visitor alone; not split at the reply, since sending a frame does not make
the bot wait while the counters are read.
"""

from __future__ import annotations

import argparse
import asyncio
import contextlib
import json
import sys
import time
import uuid
from collections import Counter
from typing import Any

from aiohttp import ClientSession, ClientWebSocketResponse, TCPConnector, WSMsgType

from benchmarks.bot_child import BotProcess
from benchmarks.survey_load import REPLY_TIMEOUT, Customer, Drive, Lost, Run, load_args, spread, wait_healthy

CHANNEL = "web"
SOCKET_PATH = "/chat/ws"
MAX_STEPS = 40
TOTAL_MESSAGES_PER_MINUTE = 600_000  # the setting's maximum: no per-worker cap in the way


def payloads(message: dict[str, Any]) -> list[str]:
    return [str(c["payload"]) for row in message.get("choices") or [] for c in row]


class Page:
    """One visitor's socket: frames read by a task, the customer woken on each."""

    def __init__(self, socket: ClientWebSocketResponse, errors: Counter[str]) -> None:
        self.socket = socket
        self.frames: list[tuple[float, dict[str, Any]]] = []
        self._errors = errors
        self._woken = asyncio.Event()
        self._ids = 0
        self._tab = uuid.uuid4().hex[:8]
        self._reader = asyncio.create_task(self._read())

    async def _read(self) -> None:
        async for received in self.socket:
            if received.type is not WSMsgType.TEXT:
                break
            frame = json.loads(received.data)
            if frame.get("type") == "error":
                self._errors[str(frame.get("code"))] += 1
            self.frames.append((time.monotonic(), frame))
            self._woken.set()
        self._woken.set()

    async def close(self) -> None:
        await self.socket.close()
        self._reader.cancel()
        with contextlib.suppress(asyncio.CancelledError):
            await self._reader

    async def frame(self, index: int) -> tuple[float, dict[str, Any]]:
        """Frame number `index` (0-based) from the bot, waiting for it if need be."""
        deadline = time.monotonic() + REPLY_TIMEOUT
        while len(self.frames) <= index:
            if self._reader.done():
                raise Lost("the bot closed the socket")
            self._woken.clear()
            try:
                await asyncio.wait_for(self._woken.wait(), max(0.0, deadline - time.monotonic()))
            except TimeoutError:
                raise Lost(f"no frame from the bot for {REPLY_TIMEOUT:g} s") from None
        return self.frames[index]

    async def until(self, kind: str) -> dict[str, Any]:
        index = 0
        while True:
            _, frame = await self.frame(index)
            if frame.get("type") == kind:
                return frame
            index += 1

    async def send(self, frame: dict[str, Any]) -> None:
        self._ids += 1
        await self.socket.send_json({"id": f"{self._tab}-{self._ids}", **frame})


class WebVisitors:
    def __init__(self, session: ClientSession, base_url: str) -> None:
        self.session = session
        self.base_url = base_url
        self.ws_url = base_url.replace("http://", "ws://") + SOCKET_PATH
        self.errors: Counter[str] = Counter()
        self.frames: dict[int, Counter[str]] = {}  # per customer: the bot's frames by type

    async def act(
        self, customer: Customer, page: Page, kind: str, frame: dict[str, Any], *, final: bool
    ) -> dict[str, Any]:
        """Send the frame; the next prompt's message (or, after the last answer, the next message)."""
        index = len(page.frames)
        action = await customer.begin(kind)
        await page.send(frame)
        while True:
            at, received = await page.frame(index)
            index += 1
            what = received.get("type")
            if what == "error":
                raise Lost(f"the bot answered {kind} with error {received.get('code')}")
            if what in ("message", "edit") and action.first_at is None:
                action.first_at = at
            if what == "message" and (final or payloads(received["message"])):
                action.reply_at = at
                return dict(received["message"])

    async def drive(self, customer: Customer) -> None:
        # A visitor of its own behind the shop's proxy: 10.x.y.z from its index.
        forwarded = f"10.{customer.index // 65536 % 256}.{customer.index // 256 % 256}.{customer.index % 256}"
        headers = {"Origin": self.base_url, "X-Forwarded-For": forwarded}
        async with self.session.ws_connect(self.ws_url, headers=headers, heartbeat=None) as socket:
            page = Page(socket, self.errors)
            try:
                await socket.send_json({"type": "hello", "token": None, "language": "en-US"})
                await page.until("welcome")
                history = await page.until("history")
                if history.get("messages"):
                    raise Lost("a new visitor got a history")
                await self.take_survey(customer, page)
            finally:
                await page.close()
                self.frames[customer.index] = Counter(str(frame.get("type")) for _, frame in page.frames)

    async def take_survey(self, customer: Customer, page: Page) -> None:
        last = await self.act(customer, page, "start", {"type": "text", "text": "/start"}, final=False)
        answered_text = False
        for _ in range(MAX_STEPS):
            offered = payloads(last)
            if answered_text and not offered:
                customer.completed = bool(customer.answers)  # the thank-you
                return
            answered_text = False
            answers = [p.split(":", 2) for p in offered if p.startswith("a:") and p.count(":") == 2]
            if "consent:yes" in offered:
                press = {"type": "button", "payload": "consent:yes", "ref": last["id"]}
                last = await self.act(customer, page, "consent", press, final=False)
            elif answers:
                qid, values = answers[0][1], {value for _, _, value in answers}
                if values == {str(v) for v in range(1, 6)}:
                    kind, value = "rating5", 4
                elif values == {str(v) for v in range(11)}:
                    kind, value = "scale10", 9
                else:
                    raise Lost(f"question {qid} offers unexpected answers {sorted(values)}")
                customer.answers[qid] = value
                press = {"type": "button", "payload": f"a:{qid}:{value}", "ref": last["id"]}
                last = await self.act(customer, page, kind, press, final=False)
            elif offered:  # only navigation (Back / Skip): the free-text question
                qid = offered[0].split(":", 1)[-1]
                customer.answers[qid] = customer.comment()
                typed = {"type": "text", "text": customer.comment()}
                last = await self.act(customer, page, "text", typed, final=True)
                answered_text = True
            else:
                raise Lost(f"a message without choices before the end: {str(last.get('text'))[:60]!r}")
        raise Lost(f"survey not finished after {MAX_STEPS} actions")


async def run(args: argparse.Namespace) -> int:
    customers = [Customer(index=i) for i in range(args.customers)]
    run = Run(title="python -m benchmarks.webchat_load", channel=CHANNEL, customers=customers)
    settings = {
        "WEBCHAT_SECRET": "webchat-benchmark-secret",
        "TRUSTED_PROXIES": '["127.0.0.1"]',
        "WEBCHAT_TOTAL_MESSAGES_PER_MINUTE": str(TOTAL_MESSAGES_PER_MINUTE),
    }
    drivers: list[WebVisitors] = []  # the load's, then the probe visitor's
    async with ClientSession(connector=TCPConnector(limit=0)) as session:

        async def drive_factory(bot: BotProcess) -> Drive:
            assert bot.http_url is not None
            await wait_healthy(session, bot.http_url)
            drivers.append(WebVisitors(session, bot.http_url))
            return drivers[-1].drive

        await run.execute(settings=settings, drive_factory=drive_factory, limit=args.duration_limit)
    if drivers:
        visitors = drivers[0]
        run.out("error frames from the bot", dict(visitors.errors) or 0)
        for kind in ("message", "edit", "ack"):
            counts = [visitors.frames.get(c.index, Counter())[kind] for c in customers]
            run.out(f"'{kind}' frames per visitor", spread(counts))
    run.report()
    return 0


def parse_args(argv: list[str] | None = None) -> argparse.Namespace:
    return load_args("python -m benchmarks.webchat_load", __doc__, "visitors", argv)


def main(argv: list[str] | None = None) -> int:
    return asyncio.run(run(parse_args(argv)))


if __name__ == "__main__":
    sys.exit(main())
