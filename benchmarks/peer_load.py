"""Peer benchmark: Feedback Bot against a throwaway python-telegram-bot bot, same load, one invocation.

Run on demand (it prints figures and never asserts timings)::

    .venv/bin/python -m benchmarks.peer_load [--customers N] [--order peer,feedback]
        [--think-ms MS] [--duration-limit S] [--py-spy PATH] [--profile-dir DIR]

Each bot in ``--order`` runs in turn as a child process of this one, polling a fresh instance of the same
fake Bot API (``tests.fakes.telegram_api``, the ``TimedTelegram`` of ``benchmarks.telegram_load``) that
this process serves on 127.0.0.1, and the same N customers (same chat ids, same script: /start, Agree,
the answer buttons, a comment) take the default survey as fast as the bot answers. The bots:

- ``peer``: ``benchmarks.peer_bot`` (ConversationHandler + PicklePersistence, no durability, no pacing;
  different chats concurrently, one chat's updates in order).
- ``feedback``: Feedback Bot itself (``python -m bot.cli run``) with its embedded SecantusDB child, pacing
  switched off (TELEGRAM_GLOBAL_RATE / TELEGRAM_CHAT_RATE / TELEGRAM_CHAT_BURST raised).
- ``feedback-256m``: the same with the embedded server as it was before it was sized for a bot
  (256 MB WiredTiger cache, SecantusDB's per-command profiling-level look-up on),
  for before/after comparisons in one invocation, e.g.
  ``--order feedback-256m,feedback,feedback-256m,feedback``.
- ``feedback-inline``: the same with every write of an answer made before its reply and before the chat's
  next event, as before they were batched in the background (``bot.app.BACKGROUND_WRITES_SECONDS`` None).
- ``feedback-baseline``: Feedback Bot as another checkout has it (``--baseline-root``, e.g. a worktree of
  main), run with this interpreter: before/after a branch in one invocation, e.g.
  ``--baseline-root ../wt-base --order feedback-baseline,feedback,feedback-baseline,feedback``.

For each bot it prints actions/s, p50/p99 reply latency (as ``benchmarks.telegram_load`` defines it), the
CPU seconds and the peak RSS of the whole process tree (the bot and every descendant, e.g. the embedded
server): the maximum of the summed VmRSS sampled every 20 ms, and the sum of each process's VmHWM (an upper
bound). Then the ratios against the first bot in the order.

For Feedback Bot it also counts **store round trips** from the embedded server's own counters (the
``top`` command: per-namespace command counts, which heartbeats and the benchmark's reads of the counters
do not touch): over the whole load, divided by customer actions; then a probe customer takes the survey
alone after the load, and each of its actions is counted separately once the counters have settled;
the counters are also read when the bot makes its first message call of each reply (the call waits for
that), which splits an answer's round trips into those the reply waited for (the reply path) and those
made after it (in the background, or before the chat's next event).

``--py-spy`` (a py-spy executable, not part of the lock) samples the bot process and the embedded server
during the load of each Feedback Bot run and prints the top functions by own time and total time.
"""

from __future__ import annotations

import argparse
import asyncio
import contextlib
import signal
import sys
import tempfile
import time
from collections import Counter
from collections.abc import Sequence
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from benchmarks.bot_child import (
    PROJECT_ROOT,
    BotProcess,
    TreeSampler,
    clean_env,
    cmdline,
    feedback_env,
    start_child,
    tree_pids,
    wait_until,
)
from benchmarks.store_counters import StoreCounters, describe, difference, idle, per_action
from benchmarks.survey_load import latency_line, percentile
from benchmarks.telegram_load import (
    FIRST_CHAT_ID,
    UNPACED,
    Customer,
    Load,
    TimedTelegram,
)

BOTS = ("peer", "feedback", "feedback-256m", "feedback-inline", "feedback-baseline")
DATABASE = "feedback_peer_bench"
PROBE_CHAT_ID = 699_999


# --------------------------------------------------------------------------- the bots


async def start_bot(kind: str, fake: TimedTelegram, data_dir: Path, baseline_root: Path | None) -> BotProcess:
    if kind == "peer":
        argv = ["-m", "benchmarks.peer_bot", "--token", fake.token, "--base-url", fake.base_url]
        return await start_child([*argv, "--data-dir", str(data_dir)], clean_env())
    settings = {
        "TELEGRAM_BOT_TOKEN": fake.token,
        "TELEGRAM_API_BASE_URL": fake.base_url,
        "TELEGRAM_POLL_TIMEOUT": "10",
        "TELEGRAM_GLOBAL_RATE": str(UNPACED),
        "TELEGRAM_CHAT_RATE": str(UNPACED),
        "TELEGRAM_CHAT_BURST": str(UNPACED),
    }
    store = "256m" if kind == "feedback-256m" else "default"
    writes = "inline" if kind == "feedback-inline" else "background"
    env = feedback_env(data_dir=data_dir, database=DATABASE, settings=settings)
    argv = ["-m", "benchmarks.feedback_runner", "--store", store]
    root = PROJECT_ROOT
    if kind == "feedback-baseline":
        if baseline_root is None:
            raise ValueError("feedback-baseline needs --baseline-root")
        root = baseline_root
        env["PYTHONPATH"] = str(root)  # ahead of the editable install of this checkout
    else:
        argv += ["--writes", writes]  # a baseline checkout may predate the option
    return await start_child(argv, env, cwd=root)


# --------------------------------------------------------------------------- py-spy


def summarize_profile(path: Path, top: int = 12) -> list[str]:
    """Top functions by own samples and by total samples from py-spy's raw (collapsed) output."""
    own: Counter[str] = Counter()
    total: Counter[str] = Counter()
    samples = 0
    with contextlib.suppress(OSError):
        for line in path.read_text().splitlines():
            stack, _, count_text = line.rpartition(" ")
            if not stack or not count_text.isdigit():
                continue
            count = int(count_text)
            frames = [f.split(" (", 1)[0] + " " + f.rsplit("/", 1)[-1].rstrip(")") for f in stack.split(";")]
            samples += count
            own[frames[-1]] += count
            for frame in set(frames[1:]):  # frames[0] is the thread / process
                total[frame] += count
    if not samples:
        return ["no samples"]
    lines = [f"{samples} samples; own time:"]
    lines += [f"    {n / samples * 100:5.1f} %  {f}" for f, n in own.most_common(top)]
    lines.append("  total time (excluding frames present in > 90 % of samples):")
    lines += [
        f"    {n / samples * 100:5.1f} %  {f}" for f, n in total.most_common(top * 4) if n / samples <= 0.9
    ][: top * 2]
    return lines


# --------------------------------------------------------------------------- one run


@dataclass
class Result:
    kind: str
    customers: int
    finished: int
    actions: int
    wall: float
    latencies: list[float]
    peak_rss_kib: int
    hwm_sum_kib: int
    processes: int
    cpu_seconds: float
    notes: list[str] = field(default_factory=list)

    @property
    def rate(self) -> float:
        return self.actions / self.wall if self.wall else 0.0

    def p(self, q: float) -> float:
        return percentile(self.latencies, q) if self.latencies else float("nan")


async def probe(fake: TimedTelegram, counters: StoreCounters) -> list[str]:
    """One customer alone, every action's round trips counted once the counters have settled."""
    load = Load(fake=fake, mode="polling", webhook_url=None, think_seconds=0.0)
    customer = Customer(index=-1, chat_id=PROBE_CHAT_ID)
    lines = [await idle(counters)]
    snapshots: list[Counter[str]] = [await counters.settled()]
    at_reply: list[Counter[str]] = []
    waiting = False
    original_act = load.act

    async def at_first_output(chat_id: int) -> None:
        # The bot's first message call of its reply waits while the counters are read: what the
        # reply path cost, before anything the bot does after replying.
        nonlocal waiting
        if chat_id == PROBE_CHAT_ID and waiting:
            waiting = False
            at_reply.append(await counters.snapshot())

    async def counted_act(customer: Customer, kind: str, update: dict[str, Any]) -> Any:
        nonlocal waiting
        waiting = True
        result = await original_act(customer, kind, update)
        if waiting:  # no message call seen (never expected): count up to the reply's arrival
            waiting = False
            at_reply.append(await counters.snapshot())
        snapshots.append(await counters.settled())
        return result

    load.act = counted_act  # type: ignore[method-assign]
    fake.before_output = at_first_output
    try:
        await load.run_customer(customer)
    finally:
        fake.before_output = None
    lines += per_action([a.kind for a in customer.actions], snapshots, at_reply)
    return [f"{label}: {figures}" for label, figures in lines]


async def run_one(kind: str, args: argparse.Namespace, profile_dir: Path | None, index: int) -> Result:
    customers = [Customer(index=i, chat_id=FIRST_CHAT_ID + i) for i in range(args.customers)]
    notes: list[str] = []
    with tempfile.TemporaryDirectory(prefix=f"peer-bench-{kind}-") as data_dir:
        async with TimedTelegram(limits=False) as fake:  # pacing is off for both bots: no 429s
            bot = await start_bot(kind, fake, Path(data_dir), args.baseline_root)
            spies: list[tuple[str, asyncio.subprocess.Process, Path]] = []
            counters: StoreCounters | None = None
            try:
                started = time.monotonic()
                await wait_until(
                    lambda: (
                        any(c.method == "getUpdates" for c in fake.calls)
                        or bot.process.returncode is not None
                    ),
                    60,
                    f"{kind} to poll",
                )
                if bot.process.returncode is not None:
                    raise RuntimeError(f"{kind} exited: " + "\n".join(bot.stderr_lines[-20:]))
                notes.append(f"start-up {time.monotonic() - started:.1f} s")
                sampler = TreeSampler(bot.process.pid)
                if kind != "peer":
                    if bot.store_uri is None:
                        raise RuntimeError("embedded server URI not found in the bot's log")
                    counters = StoreCounters(bot.store_uri, DATABASE)
                    before = await counters.settled()
                if profile_dir is not None and kind != "peer":
                    for pid in tree_pids(bot.process.pid):
                        role = "server" if "embedded_server" in cmdline(pid) else "bot"
                        if pid != bot.process.pid and role == "bot":
                            continue
                        out = profile_dir / f"{index}-{kind}-{role}.txt"
                        spy = await asyncio.create_subprocess_exec(
                            args.py_spy, "record", "--pid", str(pid), "--format", "raw", "--rate", "100",
                            "--nonblocking", "--output", str(out),
                            stdout=asyncio.subprocess.DEVNULL, stderr=asyncio.subprocess.DEVNULL,
                        )  # fmt: skip
                        spies.append((role, spy, out))
                cpu_before = sampler.cpu_seconds()
                load = Load(fake=fake, mode="polling", webhook_url=None, think_seconds=args.think_ms / 1000)
                sampler.start()
                load_start = time.monotonic()
                tasks = [asyncio.create_task(load.guarded(c)) for c in customers]
                done, pending = await asyncio.wait(tasks, timeout=args.duration_limit)
                wall = time.monotonic() - load_start
                for task in pending:
                    task.cancel()
                await asyncio.gather(*pending, return_exceptions=True)
                for task in done:
                    task.result()
                if pending:
                    notes.append(f"STOPPED at --duration-limit {args.duration_limit:g} s")
                for _, spy, _ in spies:
                    with contextlib.suppress(ProcessLookupError):
                        spy.send_signal(signal.SIGINT)
                cpu = sampler.cpu_seconds() - cpu_before
                actions = [a for c in customers for a in c.actions if a.latency is not None]
                answers = sum(len(c.answers) for c in customers)
                for action_kind in ("start", "consent", "rating5", "scale10", "text"):
                    subset = [a.latency for a in actions if a.kind == action_kind and a.latency is not None]
                    if subset:
                        notes.append(f"reply latency, {action_kind}: {latency_line(subset)}")
                if counters is not None:
                    delta = difference(await counters.settled(), before)
                    notes.append(
                        f"store round trips over the load: {delta.total()} for {len(actions)} actions "
                        f"({answers} answers): per action {describe(delta, max(1, len(actions)))}"
                    )
                    notes += [
                        "probe customer alone, round trips per action: " + line
                        for line in await probe(fake, counters)
                    ]
                await sampler.stop()
                notes += sampler.per_process()
                result = Result(
                    kind=kind, customers=len(customers), finished=sum(c.completed for c in customers),
                    actions=len(actions), wall=wall, latencies=[a.latency for a in actions if a.latency],
                    peak_rss_kib=sampler.peak_kib, hwm_sum_kib=sampler.hwm_sum_kib(),
                    processes=sampler.processes, cpu_seconds=cpu, notes=notes,
                )  # fmt: skip
                problems = [c.problem for c in customers if c.problem]
                if problems:
                    notes.append(f"{len(problems)} customers with problems, e.g. {problems[0]}")
            finally:
                if counters is not None:
                    await counters.close()
                for _, spy, _ in spies:
                    with contextlib.suppress(ProcessLookupError):
                        spy.send_signal(signal.SIGINT)
                    await spy.wait()
                code = await bot.stop()
                if code not in (0, -signal.SIGTERM):
                    notes.append(f"exit code {code}; stderr ends: {' | '.join(bot.stderr_lines[-5:])}")
            for role, _, out in spies:
                notes.append(f"py-spy {role} process during the load:")
                notes += ["  " + line for line in summarize_profile(out)]
    return result


def print_results(results: Sequence[Result], command: str) -> None:
    print(f"== {command}")
    header = (
        f"{'bot':<14} {'done':>9} {'actions':>7} {'wall s':>7} {'actions/s':>9} {'p50 ms':>7} "
        f"{'p99 ms':>7} {'peak RSS MiB':>12} {'ΣHWM MiB':>9} {'procs':>5} {'CPU s':>6}"
    )
    print(header)
    for r in results:
        print(
            f"{r.kind:<14} {f'{r.finished}/{r.customers}':>9} {r.actions:>7} {r.wall:>7.1f} {r.rate:>9.1f} "
            f"{r.p(50) * 1000:>7.0f} {r.p(99) * 1000:>7.0f} {r.peak_rss_kib / 1024:>12.1f} "
            f"{r.hwm_sum_kib / 1024:>9.1f} {r.processes:>5} {r.cpu_seconds:>6.1f}"
        )
    base = results[0]
    for r in results[1:]:
        print(
            f"{r.kind} / {base.kind}: actions/s x{r.rate / base.rate:.2f}, p50 x{r.p(50) / base.p(50):.2f}, "
            f"p99 x{r.p(99) / base.p(99):.2f}, peak RSS x{r.peak_rss_kib / max(1, base.peak_rss_kib):.2f}"
        )
    for r in results:
        for note in r.notes:
            print(f"[{r.kind}] {note}")


async def run(args: argparse.Namespace) -> int:
    profile_dir: Path | None = None
    if args.py_spy:
        profile_dir = Path(args.profile_dir or tempfile.mkdtemp(prefix="peer-bench-profile-"))
        profile_dir.mkdir(parents=True, exist_ok=True)
    results = []
    for index, kind in enumerate(args.order):
        results.append(await run_one(kind, args, profile_dir, index))
        print(f"-- {kind} done: {results[-1].rate:.1f} actions/s", file=sys.stderr, flush=True)
    print_results(results, " ".join(["python -m benchmarks.peer_load", *sys.argv[1:]]))
    return 0


def parse_args(argv: list[str] | None = None) -> argparse.Namespace:
    parser = argparse.ArgumentParser(
        prog="python -m benchmarks.peer_load", description=__doc__.split("\n")[0]
    )
    parser.add_argument("--customers", type=int, default=200, help="simulated customers (default 200)")
    parser.add_argument(
        "--order", default="peer,feedback", help=f"bots to run one after the other, from {', '.join(BOTS)}"
    )
    parser.add_argument("--think-ms", type=float, default=0.0, help="pause before each customer action")
    parser.add_argument("--duration-limit", type=float, default=300.0, help="stop each run after S seconds")
    parser.add_argument(
        "--py-spy", help="py-spy executable: profile Feedback Bot's processes during the load"
    )
    parser.add_argument("--profile-dir", help="where py-spy's raw profiles go (default: a temp dir)")
    parser.add_argument(
        "--baseline-root", type=Path, help="another checkout of the project, run as feedback-baseline"
    )
    args = parser.parse_args(argv)
    args.order = [k.strip() for k in args.order.split(",") if k.strip()]
    if not args.order or any(k not in BOTS for k in args.order):
        parser.error(f"--order takes bots from {', '.join(BOTS)}")
    if args.customers < 1 or args.duration_limit <= 0 or args.think_ms < 0:
        parser.error("--customers must be >= 1, --duration-limit > 0, --think-ms >= 0")
    return args


def main(argv: list[str] | None = None) -> int:
    return asyncio.run(run(parse_args(argv)))


if __name__ == "__main__":
    sys.exit(main())
