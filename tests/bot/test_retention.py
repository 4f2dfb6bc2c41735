"""Each kind of personal data erased when its period ends; statistics and open work stay."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta
from typing import Any

from bot.retention import RetentionPolicy, enforce
from storage.store import Store
from storage.types import Database
from tests.clock import Clock

NOW = datetime(2026, 11, 24, 12, 0, tzinfo=UTC)
DAY = timedelta(days=1)


async def ticket(store: Store, tid: str, **fields: Any) -> None:
    doc: dict[str, Any] = {"_id": tid, "source": tid, "customer_id": f"c-{tid}", "description": "words"}
    doc |= {
        "category": "logistics",
        "history": [{"action": "wrote", "text": "words"}],
        "created_at": NOW - 900 * DAY,
    }
    await store.tickets._docs.insert_one(doc | fields)
    await store.contacts.save(ticket_id=tid, customer_id=f"c-{tid}", value="+34 600 111 222")


async def test_each_kind_has_its_own_period(db: Database) -> None:
    store = await Store.open(db)
    for rid, age in (("old", 400), ("new", 10)):
        await store.responses._docs.insert_one(
            {"_id": rid, "customer_id": "c", "started_at": NOW - age * DAY}
        )
        await store.feedback.add(
            feedback_id=rid, customer_id="c", kind="suggestion", text="t", language="en", channel="web",
            received_at=NOW - age * DAY, classified_at=NOW - age * DAY,
        )  # fmt: skip
    await ticket(store, "C-OLD", status="closed", closed_at=NOW - 800 * DAY)
    await ticket(store, "C-MID", status="closed", closed_at=NOW - 100 * DAY)
    await ticket(store, "C-NEW", status="closed", closed_at=NOW - 10 * DAY)
    await ticket(store, "C-OPEN", status="in_progress")

    done = await enforce(store, RetentionPolicy(), clock=Clock(NOW))
    assert done == {"responses": 1, "feedback": 1, "contacts": 2, "tickets": 1}
    assert [doc["_id"] async for doc in db["responses"].find({})] == ["new"]
    assert [doc["_id"] async for doc in db["feedback"].find({})] == ["new"]
    assert sorted([doc["_id"] async for doc in db["contacts"].find({})]) == ["C-NEW", "C-OPEN"]
    old = await db["tickets"].find_one({"_id": "C-OLD"})
    assert old is not None and old["customer_id"] is None and old["order_ref"] is None
    assert old["category"] == "logistics" and "words" not in str(old["history"])
    assert await db["jobs"].count_documents({"_id": "ticket.publish:C-OLD:erased"}) == 1
    middle = await db["tickets"].find_one({"_id": "C-MID"})
    assert middle is not None and middle["description"] == "words"  # its contact went, the ticket stays
    assert await enforce(store, RetentionPolicy(), clock=Clock(NOW)) == dict.fromkeys(done, 0)
