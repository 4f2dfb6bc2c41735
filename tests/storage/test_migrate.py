"""Copying a database (the trial data into a real MongoDB): documents and indexes, on two databases."""

from __future__ import annotations

import uuid
from collections.abc import AsyncIterator
from datetime import UTC, datetime
from typing import Any

import pytest
import pytest_asyncio
from bson import Binary, Decimal128, ObjectId
from pymongo import AsyncMongoClient
from pymongo.asynchronous.database import AsyncDatabase

from storage.indexes import ensure_indexes
from storage.migrate import CollectionCopy, MigrationError, copy_database

Db = AsyncDatabase[dict[str, Any]]
AT = datetime(2026, 11, 30, 9, 15, 0, 123000, tzinfo=UTC)


@pytest_asyncio.fixture
async def target(mongo_client: AsyncMongoClient[dict[str, Any]]) -> AsyncIterator[Db]:
    """A second database on the same embedded server, dropped afterwards."""
    name = f"test_target_{uuid.uuid4().hex[:12]}"
    yield mongo_client[name]
    await mongo_client.drop_database(name)


async def _fill(db: Db) -> None:
    """The bot's own indexes plus documents of every BSON type the bot stores, and then some."""
    await ensure_indexes(db)
    await db["conversations"].insert_many(
        [
            {"_id": f"telegram:{n}", "state": "in_survey", "version": n, "draft": {"answers": [1, 2, n]}}
            for n in range(1205)  # more than two batches
        ]
    )
    await db["inbox"].insert_one(
        {"_id": ObjectId(), "channel": "telegram", "event_id": "u-1", "received_at": AT, "status": "done"}
    )
    await db["contacts"].insert_one(
        {
            "_id": "c-1",
            "customer_id": "p-1",
            "sealed": Binary(b"\x00\x01secret", 0),
            "amount": Decimal128("9.95"),
        }
    )
    await db["empty_but_indexed"].create_index("x", unique=True, name="x_unique")


async def _indexes(db: Db, name: str) -> dict[str, dict[str, Any]]:
    found = {}
    async for index in await db[name].list_indexes():
        found[index["name"]] = {k: v for k, v in index.items() if k not in {"v", "ns"}}
    return found


async def _documents(db: Db, name: str) -> list[dict[str, Any]]:
    return [doc async for doc in db[name].find({}, sort=[("_id", 1)])]


async def test_every_collection_arrives_with_its_documents_and_indexes(db: Db, target: Db) -> None:
    await _fill(db)
    seen: list[tuple[str, int]] = []

    def progress(copy: CollectionCopy) -> None:
        seen.append((copy.name, copy.documents))

    report = await copy_database(db, target, batch_size=500, progress=progress)

    names = sorted(await db.list_collection_names())
    assert sorted(await target.list_collection_names()) == names
    assert [c.name for c in report.collections] == names
    for name in names:
        assert await _documents(target, name) == await _documents(db, name), name
        assert await _indexes(target, name) == await _indexes(db, name), name
    conversations = next(c for c in report.collections if c.name == "conversations")
    assert (conversations.documents, conversations.inserted, conversations.already_there) == (1205, 1205, 0)
    assert report.documents == report.inserted == 1207
    assert ("conversations", 500) in seen and ("conversations", 1205) in seen
    # Types survive: a timezone-aware datetime comes back equal, binary and decimals as they were.
    contact = await target["contacts"].find_one({"_id": "c-1"})
    assert contact is not None and contact["sealed"] == b"\x00\x01secret"
    assert contact["amount"] == Decimal128("9.95")
    inbox = await target["inbox"].find_one({"event_id": "u-1"})
    assert inbox is not None and inbox["received_at"] == AT
    # The unique indexes hold in the target.
    ttl = (await _indexes(target, "inbox"))["done_at_1"]
    assert ttl["expireAfterSeconds"] == 7 * 24 * 3600
    assert (await _indexes(target, "inbox"))["channel_1_event_id_1"]["unique"] is True


async def test_a_target_holding_documents_is_refused_unless_resuming(db: Db, target: Db) -> None:
    await _fill(db)
    await target["conversations"].insert_one({"_id": "someone-else", "state": "new"})
    with pytest.raises(MigrationError, match=r"already holds documents \(in conversations\)"):
        await copy_database(db, target)
    assert await target["conversations"].count_documents({}) == 1  # nothing written
    assert "inbox" not in await target.list_collection_names()


async def test_an_interrupted_copy_resumes_without_doubling_or_overwriting(db: Db, target: Db) -> None:
    await _fill(db)
    await copy_database(db, target)
    # As if the first copy had stopped half-way through conversations, with one document changed since.
    await target["conversations"].delete_many({"version": {"$gte": 600}})
    await target["conversations"].update_one({"_id": "telegram:1"}, {"$set": {"state": "kept"}})

    report = await copy_database(db, target, resume=True)

    conversations = next(c for c in report.collections if c.name == "conversations")
    assert (conversations.inserted, conversations.already_there) == (605, 600)
    assert await target["conversations"].count_documents({}) == 1205
    kept = await target["conversations"].find_one({"_id": "telegram:1"})
    assert kept is not None and kept["state"] == "kept"
    assert report.inserted == 605


async def test_a_conflict_on_another_unique_index_stops_the_copy(db: Db, target: Db) -> None:
    await _fill(db)
    await target["inbox"].create_index([("channel", 1), ("event_id", 1)], unique=True)
    await target["inbox"].insert_one({"_id": "other", "channel": "telegram", "event_id": "u-1"})
    with pytest.raises(MigrationError, match=r"inbox: document .* not written"):
        await copy_database(db, target, resume=True)


async def test_copying_a_database_onto_itself_is_refused(db: Db) -> None:
    await _fill(db)
    with pytest.raises(MigrationError, match="same database"):
        await copy_database(db, db)
