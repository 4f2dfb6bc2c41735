"""Improvement actions and tasks read back typed: status, due day, goal, posting and evaluation."""

from __future__ import annotations

from datetime import UTC, date, datetime

from storage.improvements import Goal, Improvement, ImprovementStatus
from storage.store import Store
from storage.types import Database

T0 = datetime(2026, 12, 1, 12, 0, tzinfo=UTC)


async def test_an_action_and_a_task_read_back_and_change_as_they_are_worked_on(db: Database) -> None:
    store = await Store.open(db)
    await store.improvements.add(
        action_id="A1",
        target="category:product",
        team="product",
        owner="Ana",
        due=date(2026, 12, 20),
        by="a",
        at=T0,
    )
    goal = {"dimension": "logistics", "csat": 0.8, "by": "2027-01-31"}
    await store.improvements.add_task(
        task_id="TW20261201-1", team="logistics", requirement="Faster", goal=goal, due=date(2027, 1, 31),
        report="report.weekly:2026-12-01", questionnaire="default", by="slack:U1", at=T0,
    )  # fmt: skip
    action, task = await store.improvements.all()
    assert not action.is_task and action.goal is None and action.status is ImprovementStatus.OPEN
    assert (action.owner, action.due, action.created_by, action.done_at) == (
        "Ana",
        date(2026, 12, 20),
        "a",
        None,
    )
    assert (
        task.is_task and task.goal == Goal("logistics", 0.8, date(2027, 1, 31)) and task.owner == "logistics"
    )
    assert task.message is None and task.verdict is None
    await store.improvements.posted(action_id=task.id, channel="C-LOG", ts="1.5")
    assert await store.improvements.finish(action_id=task.id, at=T0)
    await store.improvements.evaluated(action_id=task.id, evaluation={"verdict": "met", "at": T0})
    done = await store.improvements.get(action_id=task.id)
    assert done is not None and done.status is ImprovementStatus.DONE and done.done_at == T0
    assert (done.message, done.verdict) == (("C-LOG", "1.5"), "met")


def test_an_older_action_without_the_task_fields_still_reads() -> None:
    old = {"_id": "A1", "target": "dimension:payment", "team": "t", "owner": "o", "due": "2026-12-20",
           "created_at": T0}  # fmt: skip
    action = Improvement.from_document(old)
    assert action.status is ImprovementStatus.OPEN and action.kind is None and action.requirement == ""
