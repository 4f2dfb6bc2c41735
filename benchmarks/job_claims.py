"""How long one poll of the job runner takes as finished jobs pile up (they are kept 30 days).

Seeds the embedded server with DONE finished jobs and PENDING ones not yet due, then times, in the
same run one after the other: the claim query as it was (a condition on the lease, `$or`), and
`Jobs.claim_due` as it is (claiming moves `due_at` to the lease's end, so the query is one index
range). Prints milliseconds per poll and the ratio.

    python -m benchmarks.job_claims [--done 20000] [--pending 2000] [--polls 50]
"""

from __future__ import annotations

import argparse
import asyncio
import time
from datetime import UTC, datetime, timedelta
from typing import Any

from pymongo import AsyncMongoClient

from storage.embedded import EmbeddedMongo
from storage.indexes import ensure_indexes
from storage.jobs import JobStatus
from storage.store import Store


def _jobs(done: int, pending: int, now: datetime) -> list[dict[str, Any]]:
    finished: list[dict[str, Any]] = [
        {
            "_id": f"rollup:done:{n}",
            "kind": "rollup",
            "status": JobStatus.DONE,
            "due_at": now - timedelta(days=1),
            "lease_until": None,
            "version": 2,
            "payload": {},
        }
        for n in range(done)
    ]
    waiting: list[dict[str, Any]] = [
        {
            "_id": f"rollup:later:{n}",
            "kind": "rollup",
            "status": JobStatus.PENDING,
            "due_at": now + timedelta(hours=1),
            "lease_until": None,
            "version": 0,
            "payload": {},
        }
        for n in range(pending)
    ]
    return finished + waiting


async def run(args: argparse.Namespace) -> None:
    server = await EmbeddedMongo.start(data_dir=None)
    client: AsyncMongoClient[dict[str, Any]] = AsyncMongoClient(server.uri)
    try:
        db = client["job_claims"]
        await ensure_indexes(db)
        now = datetime.now(UTC)
        await db["jobs"].insert_many(_jobs(args.done, args.pending, now))
        store = await Store.open(db)
        old_query = {
            "status": JobStatus.PENDING,
            "due_at": {"$lte": now},
            "$or": [{"lease_until": None}, {"lease_until": {"$lte": now}}],
        }
        figures: dict[str, float] = {}
        for name in ("before: a condition on the lease ($or)", "now: Jobs.claim_due"):
            started = time.perf_counter()
            for _ in range(args.polls):
                if name.startswith("before"):
                    await db["jobs"].find(old_query).sort("due_at", 1).limit(20).to_list(None)
                else:
                    await store.jobs.claim_due(now=now, worker="bench", lease=timedelta(minutes=5))
            figures[name] = (time.perf_counter() - started) / args.polls * 1000
            print(f"{name:42} {figures[name]:9.2f} ms per poll")
        before, after = figures.values()
        print(f"{args.done} finished + {args.pending} waiting jobs: {before / after:.0f}x faster per poll")
    finally:
        await client.close()
        await server.stop()


def main() -> None:
    summary = (__doc__ or "").split("\n")[0]
    parser = argparse.ArgumentParser(prog="python -m benchmarks.job_claims", description=summary)
    parser.add_argument("--done", type=int, default=20_000, help="finished jobs kept (default 20,000)")
    parser.add_argument("--pending", type=int, default=2_000, help="jobs waiting for later (default 2,000)")
    parser.add_argument("--polls", type=int, default=50, help="polls timed per variant (default 50)")
    args = parser.parse_args()
    if args.done < 0 or args.pending < 0 or args.polls < 1:
        parser.error("--done and --pending must be >= 0, --polls >= 1")
    asyncio.run(run(args))


if __name__ == "__main__":
    main()
