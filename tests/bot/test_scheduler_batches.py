"""Job kinds run in batches: every claimed job of the kind handed over at once, done or retried together."""

from __future__ import annotations

from datetime import UTC, datetime

from bot.scheduler import JobRunner
from storage.jobs import Job, JobStatus
from storage.store import Store
from storage.types import Database

T0 = datetime(2026, 11, 23, 12, 0, tzinfo=UTC)


async def test_a_pass_hands_a_batch_kind_its_jobs_together(db: Database) -> None:
    store = await Store.open(db)
    for number in range(5):
        await store.jobs.schedule(job_id=f"count:{number}", kind="count", due_at=T0)
    await store.jobs.schedule(job_id="single", kind="single", due_at=T0)
    batches: list[list[str]] = []
    singles: list[str] = []

    async def count(jobs: list[Job]) -> None:
        batches.append(sorted(job.id for job in jobs))

    async def single(job: Job) -> None:
        singles.append(job.id)

    runner = JobRunner(
        jobs=store.jobs, handlers={"single": single}, batches={"count": count}, clock=lambda: T0
    )
    assert sorted(runner.kinds()) == ["count", "single"]
    assert await runner.run_due() == 6
    assert batches == [[f"count:{n}" for n in range(5)]] and singles == ["single"]
    assert await db["jobs"].count_documents({"status": JobStatus.DONE}) == 6


async def test_a_failed_batch_leaves_every_job_to_run_again(db: Database) -> None:
    store = await Store.open(db)
    for number in range(3):
        await store.jobs.schedule(job_id=f"count:{number}", kind="count", due_at=T0)

    async def failing(jobs: list[Job]) -> None:
        raise RuntimeError("the counters are unreachable")

    runner = JobRunner(jobs=store.jobs, handlers={}, batches={"count": failing}, clock=lambda: T0)
    assert await runner.run_due() == 3
    docs = await db["jobs"].find({}).to_list()
    assert all(doc["status"] == JobStatus.PENDING and doc["due_at"] > T0 for doc in docs)
    assert all(doc["last_error"] == "RuntimeError" for doc in docs)
