"""Shared by ``benchmarks.whatsapp_load`` and ``benchmarks.webchat_load``: customers, the run, the report.

A channel's benchmark supplies the bot's settings and a ``Drive`` coroutine that takes one ``Customer``
through the default survey (each action recorded with ``Customer.begin`` / ``Action`` times). This module
starts Feedback Bot as a child process with its embedded store (``benchmarks.bot_child``), runs all the
customers at once under a duration limit while sampling the bot's process tree, then reads MongoDB:
every finished customer must have exactly one response with status ``complete`` holding exactly the
answers it gave (matched by its comment, which names the customer), nothing lost, nothing doubled.

Store round trips come from the embedded server's own counters (``benchmarks.store_counters``): read
before and after the load once they have settled, divided by customer actions; then a probe customer
takes the survey alone and each of its actions is counted once the counters have stopped moving. Where
the channel's bot waits for its message call (the fake Graph API answers it), the counters are also read
while the bot's first message of a reply waits, which splits an answer's round trips into the reply path
and after it; the web chat's frames do not make the bot wait, so there the split is not printed.
"""

from __future__ import annotations

import argparse
import asyncio
import math
import resource
import sys
import tempfile
import time
from collections import Counter
from collections.abc import Awaitable, Callable, Sequence
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from aiohttp import ClientSession
from pymongo import AsyncMongoClient

from benchmarks.bot_child import BotProcess, TreeSampler, start_feedback_bot
from benchmarks.store_counters import StoreCounters, describe, difference, idle, per_action

DATABASE = "feedback_channel_bench"
REPLY_TIMEOUT = 60.0  # a customer who waits this long for an answer has been lost by the bot
MAX_STEPS = 40
STORE_COLLECTIONS = ("inbox", "conversations", "responses", "consents", "customers", "identities")
SETTLE_LIMIT = 10.0  # seconds the store may take to show the last completions (applied after the reply)


class Lost(RuntimeError):
    """The customer cannot go on (no reply, an unexpected prompt, an error frame)."""


@dataclass
class Action:
    kind: str  # start | consent | rating5 | scale10 | text
    sent_at: float
    first_at: float | None = None  # the bot's first output for this chat after the action
    reply_at: float | None = None  # the bot's message with the next prompt (or the thank-you)

    @property
    def latency(self) -> float | None:
        return None if self.reply_at is None else self.reply_at - self.sent_at


@dataclass
class Customer:
    index: int
    actions: list[Action] = field(default_factory=list)
    answers: dict[str, Any] = field(default_factory=dict)  # what the customer gave, per question id
    completed: bool = False
    problem: str | None = None
    # Set for the probe customer only: awaited before each action is sent (its counters settle) ...
    before_action: Callable[[], Awaitable[None]] | None = None
    # ... and by a channel whose bot waits for its message calls, while one to this customer waits.
    at_bot_message: Callable[[], Awaitable[None]] | None = None

    async def begin(self, kind: str) -> Action:
        if self.before_action is not None:
            await self.before_action()
        action = Action(kind=kind, sent_at=time.monotonic())
        self.actions.append(action)
        return action

    def comment(self) -> str:
        """The free-text answer: names the customer, so its stored response can be found."""
        return f"comments from benchmark customer {self.index}: quick delivery, thanks"


Drive = Callable[[Customer], Awaitable[None]]


def load_args(prog: str, doc: str | None, who: str, argv: list[str] | None) -> argparse.Namespace:
    """The options every survey load benchmark takes: how many customers, and for how long at most."""
    parser = argparse.ArgumentParser(prog=prog, description=(doc or "").split("\n")[0])
    parser.add_argument("--customers", type=int, default=200, help=f"simulated {who} (default 200)")
    parser.add_argument("--duration-limit", type=float, default=180.0, help="stop after S seconds")
    args = parser.parse_args(argv)
    if args.customers < 1 or args.duration_limit <= 0:
        parser.error("--customers must be >= 1, --duration-limit > 0")
    return args


def own_cpu_seconds() -> float:
    usage = resource.getrusage(resource.RUSAGE_SELF)
    return usage.ru_utime + usage.ru_stime


def _share(cpu: float, wall: float) -> str:
    return f"{cpu:.1f} s ({cpu / wall * 100:.0f}% of one core)"


def spread(counts: Sequence[int]) -> str:
    """min / median / max of per-customer counts, e.g. the bot's messages to each."""
    if not counts:
        return "n/a"
    ordered = sorted(counts)
    return f"min {ordered[0]} / median {ordered[len(ordered) // 2]} / max {ordered[-1]}"


def percentile(values: Sequence[float], p: float) -> float:
    """Nearest-rank percentile of non-empty `values`."""
    ordered = sorted(values)
    return ordered[max(0, math.ceil(p / 100 * len(ordered)) - 1)]


def latency_line(values: Sequence[float]) -> str:
    if not values:
        return "n/a"
    ms = [v * 1000 for v in values]
    return (
        f"p50 {percentile(ms, 50):.1f} / p90 {percentile(ms, 90):.1f} / "
        f"p99 {percentile(ms, 99):.1f} / max {max(ms):.1f} ms (n={len(ms)})"
    )


async def run_customers(customers: list[Customer], drive: Drive, limit: float) -> tuple[float, bool]:
    """All customers at once; (wall seconds, whether the limit stopped the run)."""

    async def guarded(customer: Customer) -> None:
        try:
            await drive(customer)
        except Lost as error:
            customer.problem = str(error)

    start = time.monotonic()
    tasks = [asyncio.create_task(guarded(c)) for c in customers]
    done, pending = await asyncio.wait(tasks, timeout=limit)
    wall = time.monotonic() - start
    for task in pending:
        task.cancel()
    await asyncio.gather(*pending, return_exceptions=True)
    for task in done:
        task.result()  # an error in the benchmark itself surfaces here
    return wall, bool(pending)


async def settled(uri: str, customers: list[Customer], channel: str) -> list[tuple[str, str]]:
    """`verify` once the bot's background writes have caught up (a response's completion is applied
    after the thank-you: committed with the conversation first), or as it stands after SETTLE_LIMIT."""
    deadline = time.monotonic() + SETTLE_LIMIT
    while True:
        lines = await verify(uri, customers, channel)
        if lines[0][1].endswith(", 0 missing, 0 doubled, 0 mismatched") or time.monotonic() > deadline:
            return lines
        await asyncio.sleep(0.2)


async def verify(uri: str, customers: list[Customer], channel: str) -> list[tuple[str, str]]:
    """What MongoDB holds for the run: complete responses matching each finished customer's answers."""
    client: AsyncMongoClient[dict[str, Any]] = AsyncMongoClient(uri, tz_aware=True)
    db = client[DATABASE]
    try:
        docs = await db["responses"].find({}).to_list()
        sizes = {name: await db[name].count_documents({}) for name in STORE_COLLECTIONS}
        inbox = Counter(str(d.get("status")) for d in await db["inbox"].find({}, {"status": 1}).to_list())
    finally:
        await client.close()
    by_comment = {c.comment(): c for c in customers if c.completed}
    matched: Counter[int] = Counter()
    wrong = 0
    for doc in docs:
        if doc.get("status") != "complete" or doc.get("channel") != channel:
            continue
        stored = {qid: answer.get("value") for qid, answer in (doc.get("answers") or {}).items()}
        customer = by_comment.get(str(stored.get("comments")))
        if customer is None or stored != customer.answers:
            wrong += 1
        else:
            matched[customer.index] += 1
    complete = sum(d.get("status") == "complete" for d in docs)
    finished = len(by_comment)
    doubled = sum(n > 1 for n in matched.values())
    counts = sorted({len(c.answers) for c in customers if c.completed})
    return [
        (
            "responses in MongoDB",
            f"{complete} of {len(docs)} have status 'complete'; {len(matched)} of {finished} finished "
            f"customers have one matching exactly ({'/'.join(map(str, counts)) or 0} answers each); "
            f"{finished - len(matched)} missing, {doubled} doubled, {wrong} mismatched",
        ),
        ("inbox events by status", ", ".join(f"{k} {v}" for k, v in sorted(inbox.items())) or "none"),
        ("documents in the store", ", ".join(f"{k} {v}" for k, v in sizes.items())),
    ]


async def probe(drive: Drive, customer: Customer, counters: StoreCounters) -> list[tuple[str, str]]:
    """`customer` alone, each of its actions' round trips counted once the counters have settled."""
    lines = [await idle(counters)]
    settled: list[Counter[str]] = []
    at_reply: list[Counter[str]] = []
    waiting = held = False

    async def reply_arrived() -> None:
        nonlocal waiting
        if waiting:  # no message call held for this action: count up to the reply's arrival
            waiting = False
            at_reply.append(await counters.snapshot())

    async def before_action() -> None:
        nonlocal waiting
        await reply_arrived()
        settled.append(await counters.settled())
        waiting = True

    async def at_bot_message() -> None:
        # The bot's call waits while the counters are read: what the reply path cost, before
        # anything the bot does after replying.
        nonlocal waiting, held
        if waiting:
            waiting, held = False, True
            at_reply.append(await counters.snapshot())

    customer.before_action, customer.at_bot_message = before_action, at_bot_message
    try:
        await drive(customer)
    except Lost as error:
        return [*lines, ("lost", str(error))]
    await reply_arrived()
    settled.append(await counters.settled())
    return lines + per_action([a.kind for a in customer.actions], settled, at_reply if held else None)


async def wait_healthy(session: ClientSession, base_url: str) -> None:
    """Until `GET /healthz` answers 200 (the bot has finished starting)."""
    deadline = time.monotonic() + 60
    while True:
        try:
            async with session.get(f"{base_url}/healthz") as response:
                if response.status == 200:
                    return
        except OSError:
            pass
        if time.monotonic() > deadline:
            raise RuntimeError("the bot's /healthz never answered 200")
        await asyncio.sleep(0.1)


@dataclass
class Run:
    """One bot child, its customers and what was measured; `report` prints it."""

    title: str
    channel: str
    customers: list[Customer]
    lines: list[tuple[str, str]] = field(default_factory=list)
    probe: Customer | None = None  # the customer who took the survey alone after the load

    def out(self, key: str, value: object) -> None:
        self.lines.append((key, str(value)))

    async def execute(
        self,
        *,
        settings: dict[str, str],
        drive_factory: Callable[[BotProcess], Awaitable[Drive]],
        limit: float,
    ) -> None:
        """Start the bot, run the customers, read the store; `drive_factory` is called again for the
        probe customer, so that what a channel's driver measures stays the load's."""
        with tempfile.TemporaryDirectory(prefix=f"{self.channel}-bench-") as data_dir:
            started = time.monotonic()
            bot = await start_feedback_bot(data_dir=Path(data_dir), database=DATABASE, settings=settings)
            counters: StoreCounters | None = None
            try:
                drive = await drive_factory(bot)
                self.out("bot start-up", f"{time.monotonic() - started:.1f} s (not included below)")
                assert bot.store_uri is not None
                counters = StoreCounters(bot.store_uri, DATABASE)
                before = await counters.settled()
                sampler = TreeSampler(bot.process.pid)
                cpu_before, own_before = sampler.cpu_seconds(), own_cpu_seconds()
                sampler.start()
                wall, stopped = await run_customers(self.customers, drive, limit)
                cpu = sampler.cpu_seconds() - cpu_before
                own = own_cpu_seconds() - own_before
                await sampler.stop()
                self._measured(wall, stopped, limit, cpu, sampler)
                self.out("CPU, this benchmark process (customers + fakes)", _share(own, wall))
                # Before `settled`, whose reads of the store would be counted as the bot's.
                self._round_trips(difference(await counters.settled(), before))
                self.lines += await settled(bot.store_uri, self.customers, self.channel)
                self.probe = Customer(index=len(self.customers))
                self.out(
                    "probe customer alone, round trips per action",
                    "after the load, each counted once settled",
                )
                lines = await probe(await drive_factory(bot), self.probe, counters)
                self.lines += [(f"  {label}", figures) for label, figures in lines]
            finally:
                if counters is not None:
                    await counters.close()
                code = await bot.stop()
            problems = bot.log_problems()
            self.out("bot exit code", code)
            self.out("bot log lines at WARNING or above", len(problems))
            for line in problems[:10]:
                self.out("  bot log", line[:200])

    def _measured(self, wall: float, stopped: bool, limit: float, cpu: float, sampler: TreeSampler) -> None:
        customers = self.customers
        answered = [a for c in customers for a in c.actions if a.latency is not None]
        sent = sum(len(c.actions) for c in customers)
        self.out("customers", len(customers))
        self.out("duration limit hit", f"STOPPED at {limit:g} s (partial figures)" if stopped else "no")
        finished = sum(c.completed for c in customers)
        self.out("surveys completed (thank-you received)", f"{finished} / {len(customers)}")
        problems = [c.problem for c in customers if c.problem]
        if problems:
            self.out("customers lost", f"{len(problems)}, e.g. {problems[0]}")
        self.out("wall time", f"{wall:.1f} s")
        self.out("customer actions", f"{len(answered)} answered ({sent} sent)")
        self.out("customer actions/s", f"{len(answered) / wall:.1f}")
        latencies = [a.latency for a in answered if a.latency is not None]
        self.out("reply latency (to the next prompt)", latency_line(latencies))
        for kind in ("start", "consent", "rating5", "scale10", "text"):
            subset = [a.latency for a in answered if a.kind == kind and a.latency is not None]
            if subset:
                self.out(f"  {kind}", latency_line(subset))
        firsts = [a.first_at - a.sent_at for c in customers for a in c.actions if a.first_at is not None]
        self.out("first bot output latency", latency_line(firsts))
        self.out(
            "peak RSS, bot process tree",
            f"{sampler.peak_kib / 1024:.1f} MiB (max of summed VmRSS of {sampler.processes} processes, "
            f"every 20 ms); sum of VmHWM {sampler.hwm_sum_kib() / 1024:.1f} MiB",
        )
        for line in sampler.per_process():
            self.out("  process", line)
        self.out("CPU, bot process tree, during the load", _share(cpu, wall))

    def _round_trips(self, delta: Counter[str]) -> None:
        actions = sum(a.latency is not None for c in self.customers for a in c.actions)
        answers = sum(len(c.answers) for c in self.customers)
        self.out(
            "store round trips over the load",
            f"{delta.total()} for {actions} actions ({answers} answers): "
            f"per action {describe(delta, max(1, actions))}",
        )

    def report(self) -> None:
        print(f"== {self.title} {' '.join(sys.argv[1:])}".rstrip())
        width = max(len(key) for key, _ in self.lines)
        for key, value in self.lines:
            print(f"{key.ljust(width)} : {value}", flush=True)
