"""Customers behind platform identities: one per user, whatever the races and interruptions."""

from __future__ import annotations

import asyncio

from storage.store import Store
from storage.types import Database


async def test_a_new_user_gets_one_customer_and_keeps_it(db: Database) -> None:
    store = await Store.open(db)
    first = await store.customers.identify(channel="telegram", user_key="7001")
    assert first.language is None and not first.language_explicit
    await store.customers.set_language(customer_id=first.id, language="de", explicit=True)
    again = await store.customers.identify(channel="telegram", user_key="7001")
    assert (again.id, again.language, again.language_explicit) == (first.id, "de", True)
    assert await db["customers"].count_documents({}) == 1
    assert await db["identities"].count_documents({"customer_id": first.id}) == 1


async def test_workers_identifying_the_same_new_user_at_once_agree(db: Database) -> None:
    stores = [await Store.open(db) for _ in range(2)]
    found = await asyncio.gather(
        *(stores[i % 2].customers.identify(channel="whatsapp", user_key="4915112345678") for i in range(6))
    )
    assert len({customer.id for customer in found}) == 1
    assert await db["customers"].count_documents({}) == 1
    assert await db["identities"].count_documents({}) == 1


async def test_an_identity_whose_customer_was_never_written_gets_it(db: Database) -> None:
    # A worker that died between writing the identity and the customer leaves this behind.
    await db["identities"].insert_one({"_id": "web:v1", "customer_id": "c-orphan", "channel": "web"})
    store = await Store.open(db)
    customer = await store.customers.identify(channel="web", user_key="v1")
    assert customer.id == "c-orphan"
    assert await db["customers"].count_documents({"_id": "c-orphan"}) == 1
