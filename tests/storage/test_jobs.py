"""Durable jobs: idempotent scheduling, one claimant per job, leases that expire, retries."""

from __future__ import annotations

import asyncio
from datetime import UTC, datetime, timedelta

from storage.jobs import MAX_ATTEMPTS, JobStatus
from storage.store import Store
from storage.types import Database

T0 = datetime(2026, 11, 23, 12, 0, tzinfo=UTC)
LEASE = timedelta(minutes=5)


async def test_schedule_is_idempotent(db: Database) -> None:
    store = await Store.open(db)
    assert await store.jobs.schedule(job_id="j1", kind="k", due_at=T0, payload={"a": 1})
    assert not await store.jobs.schedule(job_id="j1", kind="k", due_at=T0 + LEASE, payload={"a": 2})
    doc = await store.jobs.get(job_id="j1")
    assert doc is not None and doc["payload"] == {"a": 1} and doc["due_at"] == T0


async def test_only_due_jobs_are_claimed_in_due_order(db: Database) -> None:
    store = await Store.open(db)
    await store.jobs.schedule(job_id="late", kind="k", due_at=T0 + timedelta(hours=1))
    await store.jobs.schedule(job_id="second", kind="k", due_at=T0 - timedelta(minutes=1))
    await store.jobs.schedule(job_id="first", kind="k", due_at=T0 - timedelta(minutes=2))
    claimed = await store.jobs.claim_due(now=T0, worker="w1", lease=LEASE)
    assert [job.id for job in claimed] == ["first", "second"]
    assert all(job.attempts == 1 for job in claimed)
    # Still pending until completed; held, they are due again only when their lease ends.
    assert await store.jobs.next_due() == T0 + LEASE
    assert claimed[0].due_at == T0 - timedelta(minutes=2)  # the handler sees when it was meant to run


async def test_two_workers_never_hold_the_same_job(db: Database) -> None:
    store = await Store.open(db)
    for number in range(30):
        await store.jobs.schedule(job_id=f"j{number}", kind="k", due_at=T0)
    results = await asyncio.gather(
        *(store.jobs.claim_due(now=T0, worker=f"w{n}", lease=LEASE, limit=30) for n in range(4))
    )
    ids = [job.id for jobs in results for job in jobs]
    assert sorted(ids) == sorted(f"j{n}" for n in range(30))
    assert len(ids) == len(set(ids))


async def test_a_live_lease_blocks_and_an_expired_one_frees(db: Database) -> None:
    store = await Store.open(db)
    await store.jobs.schedule(job_id="j", kind="k", due_at=T0)
    (first,) = await store.jobs.claim_due(now=T0, worker="w1", lease=LEASE)
    assert await store.jobs.claim_due(now=T0 + timedelta(minutes=4), worker="w2", lease=LEASE) == []
    (again,) = await store.jobs.claim_due(now=T0 + timedelta(minutes=6), worker="w2", lease=LEASE)
    assert again.attempts == 2
    # The first worker comes back too late: its completion does not count.
    assert not await store.jobs.complete(first)
    assert await store.jobs.complete(again)
    doc = await store.jobs.get(job_id="j")
    assert doc is not None and doc["status"] == JobStatus.DONE
    assert await store.jobs.claim_due(now=T0 + timedelta(hours=1), worker="w3", lease=LEASE) == []


async def test_retry_then_park_as_failed(db: Database) -> None:
    store = await Store.open(db)
    await store.jobs.schedule(job_id="j", kind="k", due_at=T0)
    now = T0
    for attempt in range(1, MAX_ATTEMPTS + 1):
        (job,) = await store.jobs.claim_due(now=now, worker="w", lease=LEASE)
        assert job.attempts == attempt
        now += timedelta(minutes=1)
        await store.jobs.retry(job, due_at=now, error="boom")
    doc = await store.jobs.get(job_id="j")
    assert doc is not None and doc["status"] == JobStatus.FAILED and doc["last_error"] == "boom"
    assert await store.jobs.claim_due(now=now + timedelta(days=1), worker="w", lease=LEASE) == []


async def test_cancelled_jobs_do_not_run(db: Database) -> None:
    store = await Store.open(db)
    await store.jobs.schedule(job_id="j", kind="k", due_at=T0)
    await store.jobs.cancel(job_id="j")
    assert await store.jobs.claim_due(now=T0, worker="w", lease=LEASE) == []
    assert await store.jobs.backlog(now=T0) == 0


async def test_a_worker_claims_only_the_kinds_it_can_run(db: Database) -> None:
    store = await Store.open(db)
    await store.jobs.schedule(job_id="a", kind="ticket.publish", due_at=T0)
    await store.jobs.schedule(job_id="b", kind="followup", due_at=T0)
    claimed = await store.jobs.claim_due(now=T0, worker="w", lease=LEASE, kinds=["followup"])
    assert [job.id for job in claimed] == ["b"]
    assert await store.jobs.backlog(now=T0) == 1  # the other kind waits; the claimed one is held


async def test_complete_many_marks_only_the_jobs_still_held(db: Database) -> None:
    store = await Store.open(db)
    for name in ("a", "b"):
        await store.jobs.schedule(job_id=name, kind="k", due_at=T0)
    held = await store.jobs.claim_due(now=T0, worker="w1", lease=LEASE)
    # b's lease ran out and another worker took it over (its version moved on): w1's copy is stale.
    await db["jobs"].update_one({"_id": "b"}, {"$inc": {"version": 1}})
    assert await store.jobs.complete_many(held) == 1
    assert [doc["status"] async for doc in db["jobs"].find({}).sort("_id", 1)] == [
        JobStatus.DONE,
        JobStatus.PENDING,
    ]
    assert await store.jobs.complete_many([]) == 0


async def test_many_due_jobs_are_claimed_together_by_one_worker_each(db: Database) -> None:
    store = await Store.open(db)
    for number in range(40):
        await store.jobs.schedule(job_id=f"j{number:02}", kind="k", due_at=T0 + timedelta(seconds=number))
    await db["jobs"].update_many({"_id": {"$in": ["j00", "j01"]}}, {"$unset": {"scheduled_at": ""}})  # older
    results = await asyncio.gather(
        *(store.jobs.claim_due(now=T0 + LEASE, worker=f"w{n}", lease=LEASE, limit=40) for n in range(4))
    )
    ids = [job.id for jobs in results for job in jobs]
    assert sorted(ids) == [f"j{n:02}" for n in range(40)] and len(ids) == len(set(ids))
    for jobs in results:
        assert [job.id for job in jobs] == sorted(job.id for job in jobs)  # in due order
        assert all(job.attempts == 1 and job.version == 1 for job in jobs)
        assert all(job.due_at == T0 + timedelta(seconds=int(job.id[1:])) for job in jobs)
    # Whoever holds a job can finish it: its version is the one stored.
    assert await store.jobs.complete_many([job for jobs in results for job in jobs]) == 40
