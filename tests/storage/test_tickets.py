"""Tickets: short readable ids, idempotent creation per source event, versioned updates."""

from __future__ import annotations

import asyncio

from storage.store import Store
from storage.tickets import ALPHABET, ID_LENGTH, ID_PREFIX, REDACTED, ticket_id_for
from storage.types import Database


def test_ids_are_short_unambiguous_and_stable() -> None:
    first = ticket_id_for("telegram:1")
    assert first == ticket_id_for("telegram:1")
    assert first != ticket_id_for("telegram:2")
    assert first.startswith(ID_PREFIX) and len(first) == len(ID_PREFIX) + ID_LENGTH
    assert set(first.removeprefix(ID_PREFIX)) <= set(ALPHABET)
    assert not set("0O1IL5S2Z") & set(ALPHABET)


async def test_the_same_source_creates_one_ticket(db: Database) -> None:
    store = await Store.open(db)
    docs = await asyncio.gather(
        *(store.tickets.create(source="telegram:42", fields={"customer_id": "c1"}) for _ in range(5))
    )
    assert len({doc.id for doc in docs}) == 1
    assert await db["tickets"].count_documents({}) == 1


async def test_versioned_update_records_history(db: Database) -> None:
    store = await Store.open(db)
    doc = await store.tickets.create(source="telegram:7", fields={"customer_id": "c1", "status": "open"})
    ticket_id = doc.id
    assert await store.tickets.update(
        ticket_id=ticket_id, expected_version=1, changes={"status": "claimed"}, event={"action": "claim"}
    )
    assert not await store.tickets.update(
        ticket_id=ticket_id, expected_version=1, changes={"status": "closed"}, event={"action": "x"}
    )
    saved = await store.tickets.get(ticket_id=ticket_id)
    assert saved is not None and saved.status == "claimed" and saved.version == 2
    assert [entry.action for entry in saved.history] == ["claim"]


async def test_orders_and_customers(db: Database) -> None:
    store = await Store.open(db)
    first = await store.tickets.create(source="s1", fields={"customer_id": "c1", "order_ref": "A1"})
    await store.tickets.create(source="s2", fields={"customer_id": "c1", "order_ref": "A1"})
    await store.tickets.create(source="s3", fields={"customer_id": "c2", "order_ref": "B2"})
    assert await store.tickets.count_for_order(order_ref="A1") == 2
    assert await store.tickets.count_for_order(order_ref="A1", excluding=first.id) == 1
    assert len(await store.tickets.for_customer(customer_id="c1")) == 2
    redacted = await store.tickets.redact_for_customer(customer_id="c1")
    assert first.id in redacted
    assert len(redacted) == 2
    assert await store.tickets.count_for_order(order_ref="A1") == 0
    assert await store.tickets.for_customer(customer_id="c1") == []
    kept = await store.tickets.get(ticket_id=first.id)
    assert kept is not None and kept.description == REDACTED and kept.customer_id is None
