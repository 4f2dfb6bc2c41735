"""Store concurrency benchmark: the embedded server under many chats at once, for two server settings.

Run on demand (it prints figures and asserts nothing)::

    .venv/bin/python -m benchmarks.store_concurrency [--chats 200] [--seconds 10] [--rounds 2]
        [--switch-intervals 0.005,0.0005]

Each chat does what an answer costs the bot on its reply path, one after the other: insert an inbox
entry, then a versioned update of its conversation. All chats run at once through one pymongo
client (its default pool), as the bot's dispatcher runs them. For each thread switch interval of the
embedded server (``--switch-interval``; CPython's default is 0.005 s) a fresh server is started and
measured for ``--seconds``; the settings take turns ``--rounds`` times, so a busy machine weighs on
both alike. It prints operations/s, p50/p99 per operation and the server's CPU seconds per 1,000
operations.
"""

from __future__ import annotations

import argparse
import asyncio
import statistics
import time
from pathlib import Path
from typing import Any

from pymongo import AsyncMongoClient

from storage import embedded
from storage.embedded import EmbeddedMongo


def _cpu_seconds(pid: int) -> float:
    fields = Path(f"/proc/{pid}/stat").read_text().rsplit(")", 1)[1].split()
    return (int(fields[11]) + int(fields[12])) / 100  # utime + stime, in clock ticks


async def _chat(db: Any, chat: int, until: float, latencies: list[float]) -> None:
    version = 0
    await db.conversations.insert_one({"_id": f"c{chat}", "version": 0, "answers": {}})
    n = 0
    while time.perf_counter() < until:
        start = time.perf_counter()
        await db.inbox.insert_one({"_id": f"c{chat}:{n}", "chat": f"c{chat}", "text": "4", "state": "new"})
        middle = time.perf_counter()
        result = await db.conversations.update_one(
            {"_id": f"c{chat}", "version": version},
            {"$set": {"version": version + 1, f"answers.q{n % 10}": n % 5 + 1}},
        )
        end = time.perf_counter()
        if result.modified_count != 1:
            raise RuntimeError("a versioned update found no document: the benchmark is wrong")
        version += 1
        n += 1
        latencies += [middle - start, end - middle]


async def measure(switch_interval: float, *, chats: int, seconds: float) -> tuple[float, float, float, float]:
    """Operations/s, p50 and p99 in ms, server CPU seconds per 1,000 operations."""
    embedded.SERVER_OPTIONS = ("--switch-interval", str(switch_interval))
    server = await EmbeddedMongo.start(data_dir=None)
    client: AsyncMongoClient[dict[str, Any]] = AsyncMongoClient(server.uri)
    try:
        db = client.bench
        await db.inbox.create_index("chat")
        cpu_before = _cpu_seconds(server.pid)
        latencies: list[float] = []
        until = time.perf_counter() + seconds
        started = time.perf_counter()
        await asyncio.gather(*(_chat(db, chat, until, latencies) for chat in range(chats)))
        wall = time.perf_counter() - started
        cpu = _cpu_seconds(server.pid) - cpu_before
    finally:
        await client.close()
        await server.stop()
        embedded.SERVER_OPTIONS = ()
    ops = len(latencies)
    cuts = statistics.quantiles(latencies, n=100)
    return ops / wall, cuts[49] * 1000, cuts[98] * 1000, cpu / ops * 1000


async def main_async(args: argparse.Namespace) -> None:
    intervals = [float(value) for value in args.switch_intervals.split(",")]
    print(f"== {args.chats} chats, {args.seconds:g} s per run, inbox insert + versioned update per answer")
    print(f"{'switch interval':>16} {'ops/s':>8} {'p50 ms':>8} {'p99 ms':>8} {'server CPU s/1000 ops':>22}")
    results: dict[float, list[float]] = {interval: [] for interval in intervals}
    for _ in range(args.rounds):
        for interval in intervals:
            rate, p50, p99, cpu = await measure(interval, chats=args.chats, seconds=args.seconds)
            results[interval].append(rate)
            print(f"{interval:>16g} {rate:>8.0f} {p50:>8.1f} {p99:>8.1f} {cpu:>22.2f}", flush=True)
    first = intervals[0]
    for interval in intervals[1:]:
        ratio = statistics.mean(results[interval]) / statistics.mean(results[first])
        print(f"ops/s, switch interval {interval:g} / {first:g}: x{ratio:.2f}")


def main() -> None:
    parser = argparse.ArgumentParser(prog="python -m benchmarks.store_concurrency")
    parser.add_argument("--chats", type=int, default=200)
    parser.add_argument("--seconds", type=float, default=10.0)
    parser.add_argument("--rounds", type=int, default=2)
    parser.add_argument("--switch-intervals", default="0.005,0.0005")
    asyncio.run(main_async(parser.parse_args()))


if __name__ == "__main__":
    main()
