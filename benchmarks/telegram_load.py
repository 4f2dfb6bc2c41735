"""Load benchmark: N simulated customers take the default survey at once through the real bot.

Run on demand (it prints figures and never asserts timings)::

    .venv/bin/python -m benchmarks.telegram_load [--customers N] [--mode polling|webhook]
        [--duration-limit S] [--think-ms MS] [--no-pacing] [--no-limits]
        [--answered-question edit,new,separate]

What runs: the real ``bot.app.FeedbackBot`` (python-telegram-bot over HTTP) against the fake Bot API
``tests.fakes.telegram_api.FakeTelegram`` on 127.0.0.1, with the embedded store: no MONGODB_URI, so the
bot starts its own embedded SecantusDB child process with its files in a temporary data directory.

Each customer sends /start, presses Agree, answers every question with the answer button on the bot's
latest message (4 on 5-point scales, 9 on the 0-10 scale), then types a comment for the optional free-text
question. A customer acts only once the bot's reply to its previous action has arrived.

Reply latency of an action = from handing the update to the fake (``queue_update`` in polling mode, just
before ``post_webhook`` in webhook mode) until the fake records the bot's call carrying the next prompt
to that chat: a ``sendMessage``, or an ``editMessageText`` that puts a keyboard on a message (the next
question edited into the answered one, ``TELEGRAM_ANSWERED_QUESTION=edit``). Every step of this flow
ends with exactly one such call. "First output" is the same up to the bot's first call for that chat
(answerCallbackQuery, editMessageText or sendMessage).

By default the bot keeps its real pacing (Settings defaults or TELEGRAM_* environment overrides), and
the fake answers 429 "Too Many Requests" as Telegram does above its limits (``--no-limits``: never):
more than 30 messages in any second overall, or in one chat more than a burst of 4 and then 1 a
second. Messages are what puts something into a chat: ``sendMessage``, ``sendDocument``,
``editMessageText``, ``editMessageReplyMarkup`` (Telegram's FAQ speaks of messages; edits are counted
to be safe, as the bot's pacer counts them); ``answerCallbackQuery`` shows a notification and is not
counted. ``--no-pacing`` raises the bot's limits (and turns the fake's off) so engine + storage
throughput shows on its own. ``--answered-question`` takes one or more of ``edit,new,separate``
(``TELEGRAM_ANSWERED_QUESTION``): each runs in turn with a fresh bot and store, and a comparison follows.
"""

from __future__ import annotations

import argparse
import asyncio
import contextlib
import logging
import math
import os
import re
import resource
import sys
import tempfile
import time
from collections import defaultdict, deque
from collections.abc import Awaitable, Callable, Sequence
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from pymongo import AsyncMongoClient

from benchmarks.survey_load import latency_line, percentile
from bot.app import TELEGRAM_WEBHOOK_PATH, FeedbackBot
from bot.settings import load_settings
from tests.fakes.telegram_api import ApiError, FakeTelegram, JSONDict, SentMessage

WEBHOOK_SECRET = "bench-secret_token"
DATABASE = "feedback_bench"
FIRST_CHAT_ID = 700_001
OUTPUT_METHODS = ("sendMessage", "editMessageText", "editMessageReplyMarkup", "answerCallbackQuery")
MESSAGE_METHODS = OUTPUT_METHODS[:3]  # what puts something into a chat (answerCallbackQuery does not)
GLOBAL_LIMIT = 30  # Telegram: about 30 messages per second, all chats together
JITTER = 0.05  # seconds of slack in the fake's limits
UNPACED = 1_000_000  # rates/burst high enough that pacing never waits
MAX_STEPS = 40  # a customer that needs more actions than this is lost in the dialogue
WEBHOOK_ATTEMPTS = 3
STORE_COLLECTIONS = ("inbox", "conversations", "responses", "consents", "customers", "identities")

log = logging.getLogger("benchmarks.telegram_load")


# --------------------------------------------------------------------------- the fake, timestamped


class TimedTelegram(FakeTelegram):
    """FakeTelegram that timestamps, per chat, every bot output once the fake has recorded it, and
    (with `limits`) refuses messages above Telegram's limits with 429."""

    def __init__(self, *, limits: bool = True) -> None:
        super().__init__()
        self.outputs: defaultdict[int, list[tuple[float, str]]] = defaultdict(list)
        self.sends: defaultdict[int, list[float]] = defaultdict(list)  # prompt times per chat
        self.callback_chats: dict[str, int] = {}  # callback_query_id -> chat, filled by customers
        self._waiters: dict[int, tuple[int, asyncio.Future[None]]] = {}
        self._limits = limits
        self._recent: deque[float] = deque()  # messages in the last second, all chats
        self._per_chat: defaultdict[int, deque[float]] = defaultdict(deque)
        # Awaited before a message is sent or edited in a chat, the bot's call waiting meanwhile.
        self.before_output: Callable[[int], Awaitable[None]] | None = None

    async def _before_output(self, params: JSONDict) -> None:
        if self.before_output is not None and str(params.get("chat_id", "")).lstrip("-").isdigit():
            await self.before_output(int(params["chat_id"]))

    def _admit(self, params: JSONDict) -> None:
        """Telegram's limits: 30 messages in any second overall; a burst of 4, then 1/s, per chat."""
        if not self._limits:
            return
        now = time.monotonic()
        # The windows allow for the jitter of a request's way here: a bot that keeps to the limits
        # by its own clock must not be refused because one request travelled a few ms faster.
        while self._recent and now - self._recent[0] >= 1.0 - JITTER:
            self._recent.popleft()
        chat = self._per_chat[int(params.get("chat_id", 0))]
        while chat and now - chat[0] >= 4.0:
            chat.popleft()
        allowed = 4 + int(now - chat[0] + JITTER) if chat else 4
        if len(self._recent) >= GLOBAL_LIMIT or len(chat) >= allowed:
            raise ApiError(429, "Too Many Requests: retry after 1", retry_after=1)
        self._recent.append(now)
        chat.append(now)

    def _record(self, chat_id: int, method: str, *, prompt: bool) -> None:
        now = time.monotonic()
        self.outputs[chat_id].append((now, method))
        if not prompt:
            return
        self.sends[chat_id].append(now)
        waiter = self._waiters.get(chat_id)
        if waiter is not None and len(self.sends[chat_id]) >= waiter[0] and not waiter[1].done():
            waiter[1].set_result(None)

    async def wait_sends(self, chat_id: int, count: int) -> None:
        """Wait until the bot has put `count` prompts into the chat in total."""
        if len(self.sends[chat_id]) >= count:
            return
        future: asyncio.Future[None] = asyncio.get_running_loop().create_future()
        self._waiters[chat_id] = (count, future)
        try:
            await future
        finally:
            self._waiters.pop(chat_id, None)

    async def _send_message(self, params: JSONDict) -> JSONDict:
        self._admit(params)
        await self._before_output(params)
        result = await super()._send_message(params)
        self._record(int(result["chat"]["id"]), "sendMessage", prompt=True)
        return result

    async def _edit_message_text(self, params: JSONDict) -> JSONDict:
        self._admit(params)
        await self._before_output(params)
        result = await super()._edit_message_text(params)
        self._record(int(result["chat"]["id"]), "editMessageText", prompt="reply_markup" in result)
        return result

    async def _edit_message_reply_markup(self, params: JSONDict) -> JSONDict:
        self._admit(params)
        return await super()._edit_message_reply_markup(params)

    async def _send_document(self, params: JSONDict) -> JSONDict:
        self._admit(params)
        return await super()._send_document(params)

    async def _answer_callback_query(self, params: JSONDict) -> bool:
        result = await super()._answer_callback_query(params)
        chat_id = self.callback_chats.get(str(params.get("callback_query_id")))
        if chat_id is not None:
            self._record(chat_id, "answerCallbackQuery", prompt=False)
        return result


# --------------------------------------------------------------------------- simulated customers


@dataclass
class Action:
    kind: str  # start | consent | rating5 | scale10 | text
    sent_at: float
    first_at: float | None = None
    reply_at: float | None = None
    ack_seconds: float | None = None  # webhook only: duration of the POST (200 = update stored)

    @property
    def latency(self) -> float | None:
        return None if self.reply_at is None else self.reply_at - self.sent_at

    @property
    def first_latency(self) -> float | None:
        return None if self.first_at is None else self.first_at - self.sent_at


@dataclass
class Customer:
    index: int
    chat_id: int
    actions: list[Action] = field(default_factory=list)
    answers: dict[str, Any] = field(default_factory=dict)  # what the customer gave, per question id
    completed: bool = False
    problem: str | None = None


class BenchmarkError(RuntimeError):
    pass


@dataclass
class Load:
    fake: TimedTelegram
    mode: str
    webhook_url: str | None
    think_seconds: float
    webhook_failures: int = 0

    async def deliver(self, update: JSONDict, action: Action) -> None:
        if self.mode == "polling":
            action.sent_at = time.monotonic()
            self.fake.queue_update(update)
            return
        assert self.webhook_url is not None
        action.sent_at = time.monotonic()
        for _ in range(WEBHOOK_ATTEMPTS):  # Telegram redelivers when the answer is not 200
            status = await self.fake.post_webhook(self.webhook_url, update, secret=WEBHOOK_SECRET)
            if status == 200:
                action.ack_seconds = time.monotonic() - action.sent_at
                return
            self.webhook_failures += 1
        raise BenchmarkError(f"webhook kept answering {status}")

    async def act(self, customer: Customer, kind: str, update: JSONDict) -> SentMessage:
        """Deliver the update, wait for the bot's reply message, return the chat's latest message."""
        chat = customer.chat_id
        sends_before = len(self.fake.sends[chat])
        outputs_before = len(self.fake.outputs[chat])
        query = update.get("callback_query")
        if query is not None:
            self.fake.callback_chats[str(query["id"])] = chat
        action = Action(kind=kind, sent_at=time.monotonic())
        customer.actions.append(action)
        await self.deliver(update, action)
        await self.fake.wait_sends(chat, sends_before + 1)
        action.reply_at = self.fake.sends[chat][sends_before]
        action.first_at = self.fake.outputs[chat][outputs_before][0]
        return self.fake.last_message(chat)

    async def run_customer(self, customer: Customer) -> None:
        fake, chat = self.fake, customer.chat_id
        last = await self.act(customer, "start", fake.text_update(chat_id=chat, text="/start"))
        for _ in range(MAX_STEPS):
            if self.think_seconds:
                await asyncio.sleep(self.think_seconds)
            payloads = [data for row in last.buttons for _, data in row]
            answers = [p.split(":", 2) for p in payloads if p.startswith("a:") and p.count(":") == 2]
            if "consent:yes" in payloads:
                update = fake.callback_update(chat_id=chat, message_id=last.message_id, data="consent:yes")
                last = await self.act(customer, "consent", update)
            elif answers:
                qid = answers[0][1]
                values = {value for _, _, value in answers}
                if values == {str(v) for v in range(1, 6)}:
                    kind, value = "rating5", 4
                elif values == {str(v) for v in range(11)}:
                    kind, value = "scale10", 9
                else:
                    raise BenchmarkError(f"question {qid} offers unexpected answers {sorted(values)}")
                customer.answers[qid] = value
                update = fake.callback_update(
                    chat_id=chat, message_id=last.message_id, data=f"a:{qid}:{value}"
                )
                last = await self.act(customer, kind, update)
            elif payloads:  # only navigation (Back/Skip): a free-text question
                qid = payloads[0].split(":", 1)[-1]
                text = f"{qid} from benchmark customer {customer.index}: quick delivery, thanks"
                customer.answers[qid] = text
                last = await self.act(customer, "text", fake.text_update(chat_id=chat, text=text))
            else:  # no buttons left: the thank-you message
                customer.completed = bool(customer.answers)
                return
        raise BenchmarkError(
            f"survey not finished after {MAX_STEPS} actions; last message: {last.text[:80]!r}"
        )

    async def guarded(self, customer: Customer) -> None:
        try:
            await self.run_customer(customer)
        except BenchmarkError as error:
            customer.problem = str(error)


# --------------------------------------------------------------------------- measurements


@dataclass
class ProcessInfo:
    pid: int
    command: str
    vm_hwm_kib: int | None
    vm_rss_kib: int | None
    cpu_seconds: float


def _status_kib(pid: int, key: str) -> int | None:
    with contextlib.suppress(OSError):
        for line in Path(f"/proc/{pid}/status").read_text().splitlines():
            if line.startswith(key + ":"):
                return int(line.split()[1])
    return None


def child_processes() -> list[ProcessInfo]:
    """Direct children of this process (the embedded MongoDB server), read from /proc."""
    me, ticks = os.getpid(), os.sysconf("SC_CLK_TCK")
    found: list[ProcessInfo] = []
    for entry in Path("/proc").iterdir():
        if not entry.name.isdigit():
            continue
        try:
            stat = (entry / "stat").read_text()
            cmdline = (entry / "cmdline").read_bytes().replace(b"\0", b" ").decode(errors="replace")
        except OSError:
            continue
        fields = stat[stat.rindex(")") + 2 :].split()  # the command name may contain spaces
        if int(fields[1]) != me:
            continue
        pid = int(entry.name)
        cpu = (int(fields[11]) + int(fields[12])) / ticks  # utime + stime
        found.append(
            ProcessInfo(pid, cmdline.strip(), _status_kib(pid, "VmHWM"), _status_kib(pid, "VmRSS"), cpu)
        )
    return found


def own_cpu_seconds() -> float:
    usage = resource.getrusage(resource.RUSAGE_SELF)
    return usage.ru_utime + usage.ru_stime


class LoopLag:
    """Samples how late the event loop wakes a 20 ms sleeper: a saturated loop delays everything."""

    def __init__(self) -> None:
        self.samples: list[float] = []
        self._task: asyncio.Task[None] | None = None

    async def _run(self) -> None:
        while True:
            start = time.monotonic()
            await asyncio.sleep(0.02)
            self.samples.append(time.monotonic() - start - 0.02)

    def start(self) -> None:
        self._task = asyncio.create_task(self._run())

    async def stop(self) -> None:
        if self._task is not None:
            self._task.cancel()
            with contextlib.suppress(asyncio.CancelledError):
                await self._task


class EmbeddedUri(logging.Handler):
    """Picks the embedded server's URI out of the bot's own start-up log line."""

    def __init__(self) -> None:
        super().__init__(logging.INFO)
        self.uri: str | None = None

    def emit(self, record: logging.LogRecord) -> None:
        message = record.getMessage()
        match = re.search(r"mongodb://\S+", message)
        if message.startswith("using embedded MongoDB") and match:
            self.uri = match.group()


async def verify_responses(uri: str, customers: list[Customer], sizes: dict[str, int]) -> str:
    """Check in MongoDB that each finished customer has one complete response with exactly its answers."""
    by_comment = {c.answers.get("comments"): c for c in customers if c.completed}
    client: AsyncMongoClient[dict[str, Any]] = AsyncMongoClient(uri, tz_aware=True)
    db = client[DATABASE]
    try:
        docs = await db["responses"].find({}).to_list()
        sizes.update({name: await db[name].count_documents({}) for name in STORE_COLLECTIONS})
    finally:
        await client.close()
    complete = [d for d in docs if d.get("status") == "complete"]
    matched: set[int] = set()
    wrong = 0
    for doc in complete:
        stored = {qid: answer.get("value") for qid, answer in doc.get("answers", {}).items()}
        customer = by_comment.get(stored.get("comments"))
        if customer is None or stored != customer.answers or customer.index in matched:
            wrong += 1
        else:
            matched.add(customer.index)
    n_answers = sorted({len(c.answers) for c in customers if c.completed})
    return (
        f"{len(complete)} of {len(docs)} responses have status 'complete'; "
        f"{len(matched)} match a finished customer's answers exactly "
        f"({'/'.join(map(str, n_answers)) or 0} answers each), {wrong} mismatched"
    )


# --------------------------------------------------------------------------- the run


def settings_values(
    fake: FakeTelegram, data_dir: str, *, mode: str, pacing: bool, answered: str | None = None
) -> dict[str, Any]:
    values: dict[str, Any] = {
        "TELEGRAM_BOT_TOKEN": fake.token,
        "TELEGRAM_API_BASE_URL": fake.base_url,
        "MONGODB_URI": None,  # embedded store, even if the environment names a server
        "MONGODB_DATABASE": DATABASE,
        "FEEDBACK_BOT_DATA_DIR": data_dir,
        "FEEDBACK_BOT_HOST": "127.0.0.1",
        "FEEDBACK_BOT_PORT": 0,
        "TELEGRAM_POLL_TIMEOUT": 10,
        "PUBLIC_URL": None,
        "TELEGRAM_WEBHOOK_SECRET": None,
    }
    if answered is not None:
        values["TELEGRAM_ANSWERED_QUESTION"] = answered
    if mode == "webhook":
        values["PUBLIC_URL"] = "http://127.0.0.1:1"  # only handed to the fake's setWebhook
        values["TELEGRAM_WEBHOOK_SECRET"] = WEBHOOK_SECRET
    if not pacing:
        values |= {
            "TELEGRAM_GLOBAL_RATE": UNPACED,
            "TELEGRAM_CHAT_RATE": UNPACED,
            "TELEGRAM_CHAT_BURST": UNPACED,
        }
    return values


@dataclass
class Summary:
    """One run's headline figures, for the comparison of several `--answered-question` runs."""

    answered: str
    wall: float
    actions_per_second: float
    completed: int
    floods: int
    calls_per_answer: float
    messages_per_answer: float


def calls_per_action(fake: TimedTelegram, customers: list[Customer], kinds: set[str]) -> tuple[float, float]:
    """Mean Bot API calls, and of them messages, between an action of `kinds` and the next action."""
    calls = messages = count = 0
    for customer in customers:
        outputs = fake.outputs[customer.chat_id]
        starts = [a.sent_at for a in customer.actions] + [math.inf]
        for action, end in zip(customer.actions, starts[1:], strict=True):
            if action.kind not in kinds or action.reply_at is None:
                continue
            mine = [method for at, method in outputs if action.sent_at <= at < end]
            calls += len(mine)
            messages += sum(method in MESSAGE_METHODS for method in mine)
            count += 1
    return calls / max(1, count), messages / max(1, count)


async def run(args: argparse.Namespace, answered: str | None = None) -> Summary:
    uri_capture = EmbeddedUri()
    storage_log = logging.getLogger("storage")
    storage_log.setLevel(logging.INFO)
    storage_log.addHandler(uri_capture)
    lines: list[tuple[str, str]] = []

    def out(key: str, value: object) -> None:
        lines.append((key, str(value)))

    customers = [Customer(index=i, chat_id=FIRST_CHAT_ID + i) for i in range(args.customers)]
    with tempfile.TemporaryDirectory(prefix="feedback-bench-") as data_dir:
        async with TimedTelegram(limits=not (args.no_limits or args.no_pacing)) as fake:
            values = settings_values(
                fake, data_dir, mode=args.mode, pacing=not args.no_pacing, answered=answered
            )
            feedback_bot = FeedbackBot(load_settings(**values))
            settings = feedback_bot.settings
            started = time.monotonic()
            await feedback_bot.start()
            startup = time.monotonic() - started
            try:
                webhook_url = None
                if args.mode == "webhook":
                    assert feedback_bot.server is not None
                    webhook_url = f"http://127.0.0.1:{feedback_bot.server.port}{TELEGRAM_WEBHOOK_PATH}"
                load = Load(
                    fake=fake, mode=args.mode, webhook_url=webhook_url, think_seconds=args.think_ms / 1000
                )
                lag = LoopLag()
                children_before = {p.pid: p.cpu_seconds for p in child_processes()}
                cpu_before = own_cpu_seconds()
                calls_before = len(fake.calls)
                lag.start()
                load_start = time.monotonic()
                tasks = [asyncio.create_task(load.guarded(c)) for c in customers]
                done, pending = await asyncio.wait(tasks, timeout=args.duration_limit)
                load_end = time.monotonic()
                for task in pending:
                    task.cancel()
                await asyncio.gather(*pending, return_exceptions=True)
                for task in done:
                    task.result()  # an unexpected error in the benchmark itself surfaces here
                await lag.stop()
                cpu_used = own_cpu_seconds() - cpu_before
                children = child_processes()
                calls = fake.calls[calls_before:]
                sizes: dict[str, int] = {}
                # A response's completion is applied after the thank-you (committed with the
                # conversation first): let the background writes catch up before reading them.
                await feedback_bot.dispatcher.wait_idle()
                verification = (
                    await verify_responses(uri_capture.uri, customers, sizes)
                    if uri_capture.uri
                    else "embedded server URI not found in the bot's log; see thank-you count"
                )
                wall = load_end - load_start
                counters = feedback_bot.metrics.counters
                processing = feedback_bot.metrics
            finally:
                await feedback_bot.stop()
                storage_log.removeHandler(uri_capture)

    actions = [a for c in customers for a in c.actions]
    answered_actions = [a for a in actions if a.latency is not None]
    outputs = [c for c in calls if c.method in OUTPUT_METHODS]
    statuses: defaultdict[str, int] = defaultdict(int)
    for call in calls:
        if call.status not in (None, 200):
            statuses[f"{call.method} {call.status}"] += 1
    finished = sum(c.completed for c in customers)
    pacing = (
        f"{'OFF (--no-pacing)' if args.no_pacing else 'ON (bot settings)'}: "
        f"global {settings.telegram_global_rate:g} msg/s, per chat {settings.telegram_chat_rate:g} msg/s "
        f"burst {settings.telegram_chat_burst}"
    )

    out("mode", args.mode)
    out("answered question", settings.telegram_answered_question)
    out("pacing", pacing)
    out("fake's limits", "429 above 30 msg/s, or 4 + 1/s per chat" if fake._limits else "off")
    out("store", f"embedded SecantusDB in a temp dir ({uri_capture.uri or 'URI not captured'})")
    out("bot start-up", f"{startup:.2f} s (not included below)")
    out("customers", args.customers)
    out("think time", f"{args.think_ms:g} ms")
    stopped = f"STOPPED at --duration-limit {args.duration_limit:g} s (partial figures)" if pending else "no"
    out("duration limit hit", stopped)
    out("completed surveys (thank-you received)", f"{finished} / {args.customers}")
    out("completed surveys (MongoDB)", verification)
    if sizes:
        out("documents in the store", ", ".join(f"{k} {v}" for k, v in sizes.items()))
    problems = [c for c in customers if c.problem]
    if problems:
        out("customers with problems", f"{len(problems)}, e.g. {problems[0].problem}")
    out("total wall time", f"{wall:.2f} s")
    out("customer actions", f"{len(answered_actions)} answered ({len(actions)} sent)")
    out("customer actions/s", f"{len(answered_actions) / wall:.1f}")
    by_method = {m: sum(c.method == m for c in outputs) for m in OUTPUT_METHODS}
    out(
        "bot messages/s",
        f"{len(outputs) / wall:.1f} ({len(outputs)} calls: "
        + ", ".join(f"{m} {n}" for m, n in by_method.items())
        + ")",
    )
    latencies = [a.latency for a in answered_actions if a.latency is not None]
    out("reply latency (to next prompt)", latency_line(latencies))
    for kind in ("start", "consent", "rating5", "scale10", "text"):
        subset = [a.latency for a in answered_actions if a.kind == kind and a.latency is not None]
        if subset:
            out(f"  {kind}", latency_line(subset))
    out("by quarter of the run", quarters(answered_actions, load_start, wall))
    firsts = [a.first_latency for a in answered_actions if a.first_latency is not None]
    out("first bot output latency", latency_line(firsts))
    if args.mode == "webhook":
        acks = [a.ack_seconds for a in actions if a.ack_seconds is not None]
        out("webhook POST -> 200 (stored)", latency_line(acks))
        out("webhook non-200 answers", load.webhook_failures)
    else:
        out("getUpdates calls", sum(c.method == "getUpdates" for c in calls))
    floods = {k.removesuffix(" 429"): v for k, v in statuses.items() if k.endswith(" 429")}
    out("429 answers from the fake", f"{statuses_429(statuses)} {floods or ''}".strip())
    per_answer, messages_per_answer = calls_per_action(fake, customers, {"rating5", "scale10"})
    out(
        "Bot API calls per button answer",
        f"{per_answer:.2f} (of them messages: {messages_per_answer:.2f}; the rest answerCallbackQuery)",
    )
    other = {k: v for k, v in statuses.items() if not k.endswith(" 429")}
    out("other non-200 API answers", dict(other) or 0)
    accepted = sum(v for (name, _), v in counters.items() if name == "events_accepted")
    failed = sum(v for (name, _), v in counters.items() if name == "events_failed")
    mean_processing = processing.processing_seconds_sum / max(1, processing.processing_count)
    out(
        "bot metrics",
        f"events accepted {accepted}, failed {failed}, "
        f"mean processing {mean_processing * 1000:.1f} ms (engine + storage + paced sends)",
    )
    out("event-loop lag (benchmark process)", latency_line(lag.samples))
    out("peak RSS benchmark process", f"{resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024:.1f} MiB")
    out("CPU benchmark process during load", f"{cpu_used:.1f} s ({cpu_used / wall * 100:.0f}% of one core)")
    for child in children:
        name = "embedded server" if "embedded_server" in child.command else child.command[:60]
        hwm = f"{child.vm_hwm_kib / 1024:.1f} MiB" if child.vm_hwm_kib is not None else "n/a"
        rss = f"{child.vm_rss_kib / 1024:.1f} MiB" if child.vm_rss_kib is not None else "n/a"
        out(f"peak RSS child pid {child.pid} ({name})", f"{hwm} (VmHWM; now {rss})")
        cpu = child.cpu_seconds - children_before.get(child.pid, 0.0)
        out(f"CPU child pid {child.pid} during load", f"{cpu:.1f} s ({cpu / wall * 100:.0f}% of one core)")
    if not children:
        out("peak RSS child", "no child process found")

    width = max(len(key) for key, _ in lines)
    command = " ".join(["python -m benchmarks.telegram_load", *sys.argv[1:]])
    print(f"== {command}")
    for key, value in lines:
        print(f"{key.ljust(width)} : {value}", flush=True)
    return Summary(
        answered=settings.telegram_answered_question,
        wall=wall,
        actions_per_second=len(answered_actions) / wall,
        completed=finished,
        floods=statuses_429(statuses),
        calls_per_answer=per_answer,
        messages_per_answer=messages_per_answer,
    )


def compare(summaries: list[Summary]) -> None:
    """The runs side by side, with ratios to the first."""
    if len(summaries) < 2:
        return
    first = summaries[0]
    print(f"== comparison (ratios to {first.answered})")
    print("answered question | completed | wall s | actions/s | 429s | calls / messages per button answer")
    for one in summaries:
        print(
            f"{one.answered:<17} | {one.completed:>9} | {one.wall:6.1f} (x{one.wall / first.wall:.2f}) | "
            f"{one.actions_per_second:5.1f} (x{one.actions_per_second / first.actions_per_second:.2f}) | "
            f"{one.floods:>4} | {one.calls_per_answer:.2f} / {one.messages_per_answer:.2f}",
            flush=True,
        )


def quarters(answered: Sequence[Action], start: float, wall: float) -> str:
    """Actions/s and median reply latency per quarter of the run (by reply time): shows drift."""
    parts: list[str] = []
    for q in range(4):
        low, high = start + wall * q / 4, start + wall * (q + 1) / 4
        subset = [
            a.reply_at - a.sent_at for a in answered if a.reply_at is not None and low <= a.reply_at < high
        ]
        median = f"{percentile(subset, 50) * 1000:.0f} ms" if subset else "n/a"
        parts.append(f"Q{q + 1} {len(subset) / (wall / 4):.1f}/s p50 {median}")
    return " | ".join(parts)


def statuses_429(statuses: dict[str, int]) -> int:
    return sum(v for k, v in statuses.items() if k.endswith(" 429"))


def parse_args(argv: list[str] | None = None) -> argparse.Namespace:
    parser = argparse.ArgumentParser(
        prog="python -m benchmarks.telegram_load", description=__doc__.split("\n")[0]
    )
    parser.add_argument("--customers", type=int, default=50, help="simulated customers (default 50)")
    parser.add_argument("--mode", choices=("polling", "webhook"), default="polling")
    parser.add_argument(
        "--duration-limit", type=float, default=300.0, help="stop after S seconds, report partial figures"
    )
    parser.add_argument("--think-ms", type=float, default=0.0, help="pause before each customer action")
    parser.add_argument(
        "--no-pacing", action="store_true", help="raise the bot's send limits to measure engine + storage"
    )
    parser.add_argument("--no-limits", action="store_true", help="the fake never answers 429")
    parser.add_argument(
        "--answered-question",
        default="",
        help="comma-separated TELEGRAM_ANSWERED_QUESTION values, run in turn (default: the setting's)",
    )
    args = parser.parse_args(argv)
    styles = [style for style in args.answered_question.split(",") if style]
    if any(style not in ("edit", "new", "separate") for style in styles):
        parser.error("--answered-question takes edit, new and separate")
    args.styles = styles or [None]
    if args.customers < 1 or args.duration_limit <= 0 or args.think_ms < 0:
        parser.error("--customers must be >= 1, --duration-limit > 0, --think-ms >= 0")
    return args


def main(argv: list[str] | None = None) -> int:
    args = parse_args(argv)
    logging.basicConfig(level=logging.WARNING, format="%(levelname)s %(name)s: %(message)s")
    for handler in logging.getLogger().handlers:
        handler.setLevel(logging.WARNING)
    return asyncio.run(run_all(args))


async def run_all(args: argparse.Namespace) -> int:
    summaries = [await run(args, style) for style in args.styles]
    compare(summaries)
    return 0


if __name__ == "__main__":
    sys.exit(main())
