"""Improvement tasks from suggested actions: created once with their jobs; finished by an admin."""

from __future__ import annotations

from datetime import UTC, date, datetime, timedelta

import pytest

from conversations.admin import reports as admin_reports
from conversations.reports.improvement_tasks import NotATask, TaskButton, create_tasks, finish
from conversations.reports.suggested_actions import SuggestedAction, Target
from storage.store import Store
from storage.types import Database

APPROVED = datetime(2026, 11, 23, 8, 0, tzinfo=UTC)
DEADLINE = date(2027, 2, 20)
ACTION = SuggestedAction(
    team="logistics",
    requirement="Raise logistics satisfaction: CSAT was 40 % in 2026-11-16 – 2026-11-22.",
    dimension="logistics",
    deadline=DEADLINE,
    target=Target("logistics", 0.5, DEADLINE),
)


async def test_tasks_and_their_jobs_are_made_once(store: Store, db: Database) -> None:
    for _ in range(2):  # a replay or a second worker
        made = await create_tasks(
            store,
            report_id="report.weekly:2026-11-23",
            suggestions=[ACTION],
            questionnaire="default",
            by="slack:U0BOSS",
            at=APPROVED,
        )
        assert made == ["TW20261123-1"]
    assert await db["improvements"].count_documents({}) == 1
    jobs = {doc["_id"]: doc["due_at"] async for doc in db["jobs"].find({})}
    assert jobs == {
        "improvement.post:TW20261123-1": APPROVED,
        "improvement.remind:TW20261123-1:14d": datetime(2027, 2, 6, 9, 0, tzinfo=UTC),
        "improvement.remind:TW20261123-1:1d": datetime(2027, 2, 19, 9, 0, tzinfo=UTC),
        "improvement.overdue:TW20261123-1": datetime(2027, 2, 21, 0, 0, tzinfo=UTC),
    }


async def test_an_admin_finishes_a_task_and_its_evaluation_is_planned(store: Store, db: Database) -> None:
    await create_tasks(
        store,
        report_id="report.monthly:2026-12-01",
        suggestions=[ACTION],
        questionnaire="default",
        by="slack:U0BOSS",
        at=APPROVED,
    )
    listed = await admin_reports.action(store, ["list"], admin="telegram:1", now=APPROVED)
    assert "TM20261201-1 dimension:logistics · logistics · logistics · due 2027-02-20 · open" in listed
    assert "target: logistics CSAT ≥ 50 % by 2027-02-20" in listed
    done_at = APPROVED + timedelta(days=30)
    answer = await admin_reports.action(store, ["done", "TM20261201-1"], admin="telegram:1", now=done_at)
    assert answer == "TM20261201-1 marked done; its effect on the target is evaluated on 2027-01-20."
    evaluation = await db["jobs"].find_one({"_id": "improvement.evaluate:TM20261201-1"})
    assert evaluation is not None and evaluation["due_at"] == done_at + timedelta(days=28)
    reminders = db["jobs"].find({"kind": {"$in": ["improvement.remind", "improvement.overdue"]}})
    assert {doc["status"] async for doc in reminders} == {"cancelled"}
    with pytest.raises(admin_reports.AdminReportError):  # done already
        await admin_reports.action(store, ["done", "TM20261201-1"], admin="telegram:1", now=done_at)
    assert await finish(store, action_id="TM20261201-1", by="slack:U0X", at=done_at) is False
    with pytest.raises(NotATask):
        await finish(store, action_id="TM20990101-9", by="slack:U0X", at=done_at)


def test_task_buttons_accept_only_task_ids() -> None:
    assert TaskButton.unpack("TW20261123-1") == TaskButton("TW20261123-1")
    for forged in ("A1", "TW20261123-1; x", "", None, 7):
        assert TaskButton.unpack(forged) is None
