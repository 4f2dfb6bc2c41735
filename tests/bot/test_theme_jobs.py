"""The hourly theme job through the real job runner: texts written since the last run are assigned."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta

from bot.scheduler import JobRunner
from bot.theme_jobs import CATCH_UP, ThemeJobs
from storage.store import Store
from storage.types import Database
from tests.clock import Clock


async def test_hourly_job_assigns_new_texts_once_and_plans_the_next(db: Database) -> None:
    clock = Clock(datetime(2026, 11, 23, 8, 20, tzinfo=UTC))
    store = await Store.open(db)
    themes = ThemeJobs(store=store, pivot=None, clock=clock)
    runner = JobRunner(jobs=store.jobs, handlers=themes.handlers(), clock=clock)
    await themes.plan()
    await themes.plan()  # a second worker starting plans nothing more
    assert [doc["_id"] async for doc in db["jobs"].find({"kind": CATCH_UP})] == [f"{CATCH_UP}:2026-11-23T09"]

    await db["feedback"].insert_one(
        {
            "_id": "f1",
            "kind": "suggestion",
            "text": "La entrega llegó tarde",
            "language": "es",
            "received_at": clock.now,
        }
    )
    assert await runner.run_due() == 0  # not yet 09:00
    clock.now += timedelta(hours=1)
    assert await runner.run_due() == 1
    (assigned,) = await db["theme_assignments"].find({}).to_list(None)
    assert assigned["key"] == "feedback:f1" and assigned["theme"] == "delivery_time"
    assert "text" not in assigned  # no words stored beside the matched stems
    assert await db["jobs"].find_one({"_id": f"{CATCH_UP}:2026-11-23T10", "status": "pending"}) is not None

    clock.now += timedelta(hours=1)
    assert await runner.run_due() == 1
    assert await db["theme_assignments"].count_documents({}) == 1  # nothing assigned twice
