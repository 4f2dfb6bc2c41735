"""Storage benchmark: the embedded server (SecantusDB files in a temp dir) through pymongo's async client."""

from __future__ import annotations

import asyncio
import tempfile
import time
from collections.abc import Awaitable, Callable
from datetime import UTC, datetime, timedelta
from pathlib import Path
from typing import Any

from bson import ObjectId
from pymongo import ASCENDING, AsyncMongoClient, ReturnDocument
from pymongo.asynchronous.collection import AsyncCollection

from storage.embedded import EmbeddedMongo

Coll = AsyncCollection[dict[str, Any]]
NOW = datetime(2025, 6, 1, tzinfo=UTC)
rows: list[tuple[str, str]] = []


def report(label: str, value: str) -> None:
    rows.append((label, value))
    print(f"  {label:<52} {value:>14}", flush=True)


def job(i: int) -> dict[str, Any]:
    return {
        "_id": ObjectId(),
        "key": f"k{i}",
        "due_at": NOW + timedelta(seconds=i),
        "version": 0,
        "survey": f"s{i % 5}",
        "question": f"q{i % 7}",
        "score": i % 5 + 1,
    }


async def preload(db: Any, sizes: dict[str, int]) -> None:
    """Fill collections over the wire in batches of 1,000."""
    for name, size in sizes.items():
        await db[name].create_index("due_at")
        await db[name].create_index("key")
        for start in range(0, size, 1000):
            await db[name].insert_many([job(i) for i in range(start, start + 1000)])


async def rate(label: str, op: Callable[[int], Awaitable[object]], count: int, budget: float = 10.0) -> None:
    """Run op up to count times (or for the time budget) one after another; report ops/s."""
    start = time.perf_counter()
    done = 0
    while done < count and time.perf_counter() - start < budget:
        await op(done)
        done += 1
    elapsed = time.perf_counter() - start
    per_second = done / elapsed
    report(f"{label} (n={done})", f"{per_second:,.{1 if per_second < 10 else 0}f} /s")


async def lease_claims(coll: Coll, count: int) -> None:
    now = NOW + timedelta(days=1)  # every job is due

    async def claim(_: int) -> object:
        return await coll.find_one_and_update(
            {
                "due_at": {"$lte": now},
                "$or": [{"lease_until": {"$exists": False}}, {"lease_until": {"$lt": now}}],
            },
            {"$set": {"lease_until": now + timedelta(minutes=5)}},
            sort=[("due_at", ASCENDING)],
            return_document=ReturnDocument.AFTER,
        )

    size = await coll.estimated_document_count()
    await rate(f"find_one_and_update lease claim, {size:,} docs", claim, count)


async def insert_many(db: Any, batch: int, batches: int) -> None:
    coll = db[f"bulk{batch}"]
    start = time.perf_counter()
    for b in range(batches):
        await coll.insert_many([job(b * batch + i) for i in range(batch)])
    elapsed = time.perf_counter() - start
    report(
        f"insert_many, batches of {batch} (docs={batch * batches})",
        f"{batch * batches / elapsed:,.0f} docs/s",
    )


async def run(data_dir: Path) -> None:
    server = await EmbeddedMongo.start(data_dir=data_dir)
    client: AsyncMongoClient[dict[str, Any]] = AsyncMongoClient(server.uri, tz_aware=True)
    db = client.bench
    big = db.jobs20k
    try:
        started = time.perf_counter()
        await preload(db, {"jobs2k": 2_000, "jobs20k": 20_000})
        report(
            "preload 22,000 docs with insert_many (1,000 per batch)", f"{time.perf_counter() - started:.1f} s"
        )
        await rate("insert_one into an empty collection", lambda i: db.ins.insert_one(job(i)), 1000, 30)
        await rate("insert_one into the 20k-doc collection", lambda i: big.insert_one(job(-i)), 20)
        target = await big.find_one({"key": "k123"})
        assert target is not None

        async def versioned(i: int) -> None:
            result = await big.update_one(
                {"_id": target["_id"], "version": i}, {"$set": {"step": i}, "$inc": {"version": 1}}
            )
            assert result.matched_count == 1

        async def update_and_read(i: int) -> None:
            await big.update_one({"_id": target["_id"]}, {"$set": {"answers.q1": i}})
            await big.find_one({"_id": target["_id"]})

        await rate("versioned update_one {_id, version}, 20k docs", versioned, 1000)
        version = 1000  # past any version the loop above can have reached

        async def versioned_by_id(i: int) -> None:
            # The same check as a pipeline update filtered on _id alone (modified_count 0 means a
            # stale version): the alternative for servers that scan on compound filters.
            fresh = {"$eq": ["$version", version + i]}
            result = await big.update_one(
                {"_id": target["_id"]},
                [{"$set": {"step": {"$cond": [fresh, i, "$step"]},
                           "version": {"$cond": [fresh, {"$add": ["$version", 1]}, "$version"]}}}],
            )  # fmt: skip
            assert result.modified_count == 1

        await big.update_one({"_id": target["_id"]}, {"$set": {"version": version}})
        await rate("versioned via {_id} + $cond pipeline, 20k docs", versioned_by_id, 1000)
        await rate("update_one + find_one read-back, 20k docs", update_and_read, 500)
        await rate(
            "find_one by indexed key, 20k docs", lambda i: big.find_one({"key": f"k{i * 37 % 20000}"}), 1000
        )
        await lease_claims(db.jobs2k, 300)
        await lease_claims(big, 300)
        await insert_many(db, 100, 3)
        await insert_many(db, 1000, 1)
        pipeline: list[dict[str, Any]] = [
            {"$group": {"_id": {"s": "$survey", "q": "$question"},
                        "n": {"$sum": 1}, "avg": {"$avg": "$score"}}},
            {"$sort": {"_id.s": 1, "_id.q": 1}},
        ]  # fmt: skip
        times = []
        for _ in range(3):
            start = time.perf_counter()
            groups = await (await big.aggregate(pipeline)).to_list()
            times.append(time.perf_counter() - start)
        assert len(groups) == 35
        report(f"aggregate $group over {await big.estimated_document_count():,} docs", f"{min(times):.2f} s")
    finally:
        await client.close()
        await server.stop()


def main() -> None:
    """Print the table; the whole run takes about a minute."""
    started = time.perf_counter()
    with tempfile.TemporaryDirectory(prefix="feedback-bench-") as folder:
        asyncio.run(run(Path(folder)))
    print("\n| operation | result |\n|---|---|")
    for label, value in rows:
        print(f"| {label} | {value} |")
    print(f"\ntotal {time.perf_counter() - started:.0f} s")


if __name__ == "__main__":
    main()
