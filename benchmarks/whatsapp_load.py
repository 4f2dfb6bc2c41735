"""Load benchmark: N WhatsApp customers take the default survey at once through Feedback Bot's webhook.

Run on demand (it prints figures and never asserts timings)::

    .venv/bin/python -m benchmarks.whatsapp_load [--customers 200] [--duration-limit S]

Feedback Bot runs as a child process (``feedback-bot run``, embedded SecantusDB child, WhatsApp only),
sending through the fake Graph API ``tests.fakes.graph_api.FakeGraph`` that this process serves on
127.0.0.1. Each customer (a US number, so English) posts Cloud API webhook bodies, signed with
``X-Hub-Signature-256``, to ``/webhooks/whatsapp``: "Hi", then the reply or list row of the prompt the
bot sent last (``consent:yes``; 4 on 5-point scales), the number typed for the 0-10 question (the bot
writes that scale out as text: more than ten choices), and a comment typed for the free-text question.
A customer acts once the bot's next prompt has reached the fake.

Reply latency of an action = from just before the webhook POST until the fake receives the bot's message
with the next prompt (an interactive message, or the written-out scale; after the comment, the
thank-you). "First output" = until the bot's first message to that number after the action (after
consent, the short acknowledgement comes first).

Store round trips (the embedded server's counters, as ``benchmarks.survey_load`` describes): over the
load per action, then a probe customer alone; the fake holds the bot's first message call of each of the
probe's replies while the counters are read, which splits its answers' round trips at the reply.
"""

from __future__ import annotations

import argparse
import asyncio
import hashlib
import hmac
import json
import re
import sys
import time
from collections import defaultdict
from collections.abc import Awaitable, Callable
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from aiohttp import ClientSession, ClientTimeout, TCPConnector, web

from benchmarks.bot_child import BotProcess
from benchmarks.survey_load import (
    REPLY_TIMEOUT,
    Action,
    Customer,
    Drive,
    Lost,
    Run,
    latency_line,
    load_args,
    spread,
    wait_healthy,
)
from core.questionnaire import load_file
from tests.fakes.graph_api import APP_SECRET, PHONE_NUMBER_ID, TOKEN, VERIFY_TOKEN, FakeGraph

CHANNEL = "whatsapp"
FIRST_NUMBER = 15_550_000_001  # +1 555 …: English by the number's country
WEBHOOK_PATH = "/webhooks/whatsapp"
WEBHOOK_ATTEMPTS = 3  # Meta redelivers when the answer is not 200
QUESTIONNAIRE = Path(__file__).resolve().parent.parent / "core" / "questionnaires" / "default.yaml"
SCALE = re.compile(r"(?m)^0 · 1 · 2 · 3 · 4 · 5 · 6 · 7 · 8 · 9 · 10$")
MAX_STEPS = 40


@dataclass
class TimedGraph(FakeGraph):
    """FakeGraph that timestamps every message per recipient and wakes the customer waiting on it."""

    received: defaultdict[str, list[tuple[float, dict[str, Any]]]] = field(
        default_factory=lambda: defaultdict(list)
    )
    _wakers: dict[str, asyncio.Event] = field(default_factory=dict)
    # Per number: awaited before the fake answers the bot's message call, the bot's call waiting meanwhile.
    holds: dict[str, Callable[[], Awaitable[None]]] = field(default_factory=dict)

    async def _messages(self, request: web.Request) -> web.Response:
        if self.holds:
            hold = self.holds.get(str((await request.json()).get("to")))  # aiohttp keeps the body read
            if hold is not None:
                await hold()
        before = len(self.sent)
        response = await super()._messages(request)
        if len(self.sent) > before:
            body = self.sent[-1]
            number = str(body.get("to"))
            self.received[number].append((time.monotonic(), body))
            self._wakers.setdefault(number, asyncio.Event()).set()
        return response

    async def next_from(self, number: str, start: int) -> tuple[float, dict[str, Any]]:
        """The bot's message number `start` to this customer (0-based), waiting for it if need be."""
        waker = self._wakers.setdefault(number, asyncio.Event())
        deadline = time.monotonic() + REPLY_TIMEOUT
        while len(self.received[number]) <= start:
            waker.clear()
            try:
                await asyncio.wait_for(waker.wait(), max(0.0, deadline - time.monotonic()))
            except TimeoutError:
                raise Lost(f"no message from the bot for {REPLY_TIMEOUT:g} s") from None
        return self.received[number][start]


def choices(body: dict[str, Any]) -> list[str]:
    """The payloads of an interactive message's reply buttons or list rows."""
    interactive = body.get("interactive") or {}
    action = interactive.get("action") or {}
    if interactive.get("type") == "button":
        return [str(b["reply"]["id"]) for b in action.get("buttons", [])]
    return [str(row["id"]) for section in action.get("sections", []) for row in section.get("rows", [])]


def is_prompt(body: dict[str, Any]) -> bool:
    return bool(choices(body)) or bool(SCALE.search(str((body.get("text") or {}).get("body", ""))))


class WhatsAppCustomers:
    """Drives customers through the webhook; one HTTP session for all (as Meta's delivery would)."""

    def __init__(self, graph: TimedGraph, webhook_url: str, session: ClientSession) -> None:
        self.graph, self.url, self.session = graph, webhook_url, session
        self.non_200 = 0
        self.acks: list[float] = []  # webhook POST -> 200 (the message stored), seconds
        questionnaire = load_file(QUESTIONNAIRE)
        self._by_text = {q.text["en"]: q.id for q in questionnaire.questions}

    async def post(self, body: dict[str, Any]) -> None:
        raw = json.dumps(body).encode()
        signature = "sha256=" + hmac.new(APP_SECRET.encode(), raw, hashlib.sha256).hexdigest()
        headers = {"X-Hub-Signature-256": signature, "Content-Type": "application/json"}
        for _ in range(WEBHOOK_ATTEMPTS):
            posted = time.monotonic()
            async with self.session.post(self.url, data=raw, headers=headers) as response:
                if response.status == 200:
                    self.acks.append(time.monotonic() - posted)
                    return
            self.non_200 += 1
        raise Lost(f"webhook kept answering {response.status}")

    async def act(
        self, customer: Customer, number: str, kind: str, body: dict[str, Any], *, final: bool
    ) -> dict[str, Any]:
        """Post the body; the bot's next prompt (or, after the last answer, its next message)."""
        seen = len(self.graph.received[number])
        action: Action = await customer.begin(kind)
        await self.post(body)
        index = seen
        while True:
            at, message = await self.graph.next_from(number, index)
            if action.first_at is None:
                action.first_at = at
            if final or is_prompt(message):
                action.reply_at = at
                return message
            index += 1

    def question_of(self, text: str) -> str:
        """The question id of a written-out prompt, from its English text."""
        for question_text, qid in self._by_text.items():
            if question_text in text:
                return qid
        raise Lost(f"a 0-10 prompt that is no question of the default survey: {text[:60]!r}")

    async def drive(self, customer: Customer) -> None:
        number = str(FIRST_NUMBER + customer.index)
        if customer.at_bot_message is not None:
            self.graph.holds[number] = customer.at_bot_message
        try:
            await self.take_survey(customer, number)
        finally:
            self.graph.holds.pop(number, None)

    async def take_survey(self, customer: Customer, number: str) -> None:
        graph = self.graph
        last = await self.act(customer, number, "start", graph.text(number, "Hi"), final=False)
        answered_text = False
        for _ in range(MAX_STEPS):
            if answered_text and not is_prompt(last):
                customer.completed = bool(customer.answers)  # the thank-you
                return
            answered_text = False
            payloads = choices(last)
            kind = "button_reply" if (last.get("interactive") or {}).get("type") == "button" else "list_reply"
            answers = [p.split(":", 2) for p in payloads if p.startswith("a:") and p.count(":") == 2]
            if "consent:yes" in payloads:
                body = graph.reply(number, "consent:yes", kind=kind)
                last = await self.act(customer, number, "consent", body, final=False)
            elif answers:
                qid, values = answers[0][1], {value for _, _, value in answers}
                if values != {str(v) for v in range(1, 6)}:
                    raise Lost(f"question {qid} offers unexpected answers {sorted(values)}")
                customer.answers[qid] = 4
                body = graph.reply(number, f"a:{qid}:4", kind=kind)
                last = await self.act(customer, number, "rating5", body, final=False)
            elif not payloads:  # the 0-10 scale, written out: the number is typed
                text = str((last.get("text") or {}).get("body", ""))
                customer.answers[self.question_of(text)] = 9
                last = await self.act(customer, number, "scale10", graph.text(number, "9"), final=False)
            else:  # only navigation (Back / Skip): the free-text question
                qid = payloads[0].split(":", 1)[-1]
                customer.answers[qid] = customer.comment()
                body = graph.text(number, customer.comment())
                last = await self.act(customer, number, "text", body, final=True)
                answered_text = True
        raise Lost(f"survey not finished after {MAX_STEPS} actions")


async def run(args: argparse.Namespace) -> int:
    customers = [Customer(index=i) for i in range(args.customers)]
    run = Run(title="python -m benchmarks.whatsapp_load", channel=CHANNEL, customers=customers)
    connector = TCPConnector(limit=0)  # one connection per customer in flight, as Meta's delivery
    session = ClientSession(connector=connector, timeout=ClientTimeout(60))
    async with TimedGraph() as graph, session:
        settings = {
            "WHATSAPP_API_BASE_URL": graph.base_url,
            "WHATSAPP_PHONE_NUMBER_ID": PHONE_NUMBER_ID,
            "WHATSAPP_ACCESS_TOKEN": TOKEN,
            "WHATSAPP_APP_SECRET": APP_SECRET,
            "WHATSAPP_VERIFY_TOKEN": VERIFY_TOKEN,
            "WEBCHAT_ENABLED": "false",
        }
        drivers: list[WhatsAppCustomers] = []  # the load's, then the probe customer's

        async def drive_factory(bot: BotProcess) -> Drive:
            assert bot.http_url is not None
            await wait_healthy(session, bot.http_url)
            drivers.append(WhatsAppCustomers(graph, bot.http_url + WEBHOOK_PATH, session))
            return drivers[-1].drive

        await run.execute(settings=settings, drive_factory=drive_factory, limit=args.duration_limit)
        if drivers:
            run.out("webhook POST -> 200 (stored)", latency_line(drivers[0].acks))
            run.out("webhook non-200 answers", drivers[0].non_200)
        probe_messages = len(graph.received[str(FIRST_NUMBER + run.probe.index)]) if run.probe else 0
        run.out("Graph API messages received (the load's)", len(graph.sent) - probe_messages)
        per_customer = [len(graph.received[str(FIRST_NUMBER + c.index)]) for c in customers]
        run.out("  per customer", spread(per_customer))
        # The probe's refusals, if any, are included: the fake records no number for them.
        run.out("messages the fake refused (Cloud API limits)", len(graph.refused))
    run.report()
    return 0


def parse_args(argv: list[str] | None = None) -> argparse.Namespace:
    return load_args("python -m benchmarks.whatsapp_load", __doc__, "customers", argv)


def main(argv: list[str] | None = None) -> int:
    return asyncio.run(run(parse_args(argv)))


if __name__ == "__main__":
    sys.exit(main())
