"""Responses: the outbox's answer copies never go backwards, completion is final."""

from __future__ import annotations

from datetime import UTC, datetime

from core.responses import ResponseStatus
from storage.store import Store
from storage.types import Database

T0 = datetime(2026, 12, 1, 12, 0, tzinfo=UTC)


async def started(store: Store) -> None:
    await store.responses.start(
        response_id="r1",
        customer_id="c1",
        questionnaire_id="q",
        questionnaire_version=1,
        language="en",
        channel="telegram",
        order_ref=None,
        consent_version="v",
    )


async def test_a_late_older_copy_of_the_answers_does_not_overwrite_a_newer_one(db: Database) -> None:
    store = await Store.open(db)
    await started(store)
    newer = {"q1": {"value": 3, "skipped": False, "at": T0}}
    older = {"q1": {"value": 5, "skipped": False, "at": T0}}
    await store.responses.save_answers(response_id="r1", answers=newer, seq=7)
    await store.responses.save_answers(response_id="r1", answers=older, seq=6)  # a slow worker's
    await store.responses.save_answers(response_id="r1", answers=newer, seq=7)  # applied again
    doc = await store.responses.get(response_id="r1")
    assert doc is not None and doc.answers["q1"].value == 3 and doc.answers_seq == 7


async def test_completion_takes_the_final_answers_and_later_copies_change_nothing(db: Database) -> None:
    store = await Store.open(db)
    await started(store)
    final = {"q1": {"value": 4, "skipped": False, "at": T0}}
    await store.responses.complete(response_id="r1", dropped_answers=[], answers=final, seq=9)
    await store.responses.save_answers(
        response_id="r1", answers={"q1": {"value": 1, "skipped": False, "at": T0}}, seq=10
    )
    doc = await store.responses.get(response_id="r1")
    assert doc is not None and doc.status is ResponseStatus.COMPLETE and doc.answers["q1"].value == 4


async def test_reads_come_back_typed_and_the_stored_shape_is_unchanged(db: Database) -> None:
    store = await Store.open(db)
    await started(store)
    raw = await db["responses"].find_one({"_id": "r1"})
    assert (
        raw is not None
        and raw["status"] == "in_progress"
        and raw["answers"] == {}
        and raw["order_ref"] is None
    )
    response = await store.responses.get(response_id="r1")
    assert response is not None and response.to_document() == raw
    assert [
        r.id for r in await store.responses.stale(started_before=raw["started_at"].replace(year=2100))
    ] == ["r1"]
    final = {"q1": {"value": 4, "skipped": False, "at": T0}}
    await store.responses.complete(response_id="r1", answers=final, seq=2)
    completed = [r async for r in store.responses.export(status=ResponseStatus.COMPLETE)]
    assert [r.id for r in completed] == ["r1"] and completed[0].duration_seconds is not None
    assert [r async for r in store.responses.export(status=ResponseStatus.IN_PROGRESS)] == []
