"""Compatibility battery: every query shape the project uses, against the embedded server."""

from __future__ import annotations

import asyncio
from datetime import UTC, datetime, timedelta, timezone
from typing import Any

import pytest
from bson import ObjectId
from pymongo import ASCENDING, DESCENDING, DeleteOne, InsertOne, ReplaceOne, ReturnDocument, UpdateOne
from pymongo.asynchronous.collection import AsyncCollection
from pymongo.asynchronous.database import AsyncDatabase
from pymongo.errors import BulkWriteError, DuplicateKeyError

from storage.embedded_server import TTL_SWEEP_SECONDS

Db = AsyncDatabase[dict[str, Any]]
Coll = AsyncCollection[dict[str, Any]]

NOW = datetime(2025, 6, 1, 12, 0, tzinfo=UTC)


async def ids(cursor: Any) -> list[Any]:
    return [doc["_id"] async for doc in cursor]


# --- inserts and indexes -------------------------------------------------------------


async def test_insert_one_and_many(db: Db) -> None:
    one = await db.c.insert_one({"name": "a"})
    assert isinstance(one.inserted_id, ObjectId)
    many = await db.c.insert_many([{"_id": "b", "name": "b"}, {"_id": "c", "name": "c"}])
    assert many.inserted_ids == ["b", "c"]
    assert await db.c.find_one({"_id": one.inserted_id}) == {"_id": one.inserted_id, "name": "a"}
    assert await ids(db.c.find({}, sort=[("name", ASCENDING)])) == [one.inserted_id, "b", "c"]


async def test_duplicate_id_raises_11000(db: Db) -> None:
    await db.c.insert_one({"_id": 1})
    with pytest.raises(DuplicateKeyError) as raised:
        await db.c.insert_one({"_id": 1})
    assert raised.value.code == 11000


async def test_unique_index_raises_duplicate_key(db: Db) -> None:
    await db.c.create_index("email", unique=True)
    await db.c.insert_one({"email": "a@example.org"})
    with pytest.raises(DuplicateKeyError) as raised:
        await db.c.insert_one({"email": "a@example.org"})
    assert raised.value.code == 11000
    assert await db.c.count_documents({}) == 1


async def test_compound_unique_index(db: Db) -> None:
    await db.c.create_index([("channel", ASCENDING), ("chat_key", ASCENDING)], unique=True)
    await db.c.insert_many([{"channel": "tg", "chat_key": "1"}, {"channel": "wa", "chat_key": "1"}])
    with pytest.raises(DuplicateKeyError) as raised:
        await db.c.insert_one({"channel": "tg", "chat_key": "1"})
    assert raised.value.code == 11000
    # An update that would create the duplicate is refused the same way.
    with pytest.raises(DuplicateKeyError):
        await db.c.update_one({"channel": "wa"}, {"$set": {"channel": "tg"}})
    assert await db.c.count_documents({"channel": "wa"}) == 1


async def test_insert_many_duplicate_reports_write_error(db: Db) -> None:
    await db.c.create_index("k", unique=True)
    with pytest.raises(BulkWriteError) as raised:
        await db.c.insert_many([{"k": 1}, {"k": 2}, {"k": 1}, {"k": 3}], ordered=True)
    errors = raised.value.details["writeErrors"]
    assert [(e["index"], e["code"]) for e in errors] == [(2, 11000)]
    assert raised.value.details["nInserted"] == 2
    assert sorted(await db.c.distinct("k")) == [1, 2]


async def test_create_index_is_idempotent(db: Db) -> None:
    names = [
        await db.c.create_index([("channel", ASCENDING), ("chat_key", ASCENDING)], unique=True)
        for _ in range(2)
    ]
    ttl = [await db.c.create_index("created_at", expireAfterSeconds=3600) for _ in range(2)]
    assert names == ["channel_1_chat_key_1", "channel_1_chat_key_1"]
    assert ttl == ["created_at_1", "created_at_1"]
    info = await db.c.index_information()
    assert set(info) == {"_id_", "channel_1_chat_key_1", "created_at_1"}
    assert info["channel_1_chat_key_1"]["unique"] is True
    assert info["created_at_1"]["expireAfterSeconds"] == 3600


async def test_partial_unique_index(db: Db) -> None:
    # Only one open complaint per customer; closed ones may repeat.
    await db.c.create_index(
        "customer", unique=True, partialFilterExpression={"status": "open"}, name="one_open"
    )
    await db.c.insert_many(
        [
            {"customer": "x", "status": "closed"},
            {"customer": "x", "status": "closed"},
            {"customer": "x", "status": "open"},
        ]
    )
    with pytest.raises(DuplicateKeyError):
        await db.c.insert_one({"customer": "x", "status": "open"})
    info = await db.c.index_information()
    assert info["one_open"]["partialFilterExpression"] == {"status": "open"}


async def test_sparse_unique_index(db: Db) -> None:
    await db.c.create_index("phone", unique=True, sparse=True)
    await db.c.insert_many([{"n": 1}, {"n": 2}, {"phone": "+1"}])
    with pytest.raises(DuplicateKeyError):
        await db.c.insert_one({"phone": "+1"})


async def test_ttl_index_expires_documents(db: Db) -> None:
    await db.c.create_index("created_at", expireAfterSeconds=60)
    now = datetime.now(UTC)
    await db.c.insert_many(
        [
            {"_id": "old", "created_at": now - timedelta(hours=1)},
            {"_id": "new", "created_at": now},
            {"_id": "no_date", "created_at": "not a date"},
        ]
    )
    # Expired documents go in a background pass: once a minute on MongoDB, every
    # TTL_SWEEP_SECONDS on the embedded server.
    for _ in range(int(TTL_SWEEP_SECONDS * 30)):
        if await db.c.count_documents({"_id": "old"}) == 0:
            break
        await asyncio.sleep(0.1)
    assert sorted(await ids(db.c.find({}))) == ["new", "no_date"]


# --- updates -------------------------------------------------------------------------


async def test_update_set_dotted_paths_and_unset(db: Db) -> None:
    await db.c.insert_one({"_id": 1, "answers": {"q0": "yes"}, "tmp": 1})
    result = await db.c.update_one(
        {"_id": 1},
        {"$set": {"answers.q1": 5, "meta.lang": "ar"}, "$unset": {"tmp": "", "absent": ""}},
    )
    assert (result.matched_count, result.modified_count) == (1, 1)
    assert await db.c.find_one({"_id": 1}) == {
        "_id": 1,
        "answers": {"q0": "yes", "q1": 5},
        "meta": {"lang": "ar"},
    }
    assert await db.c.count_documents({"answers.q1": 5}) == 1


async def test_update_inc_push_addtoset_max_min(db: Db) -> None:
    await db.c.insert_one({"_id": 1, "n": 1, "tags": ["a"], "hi": 5, "lo": 5})
    await db.c.update_one(
        {"_id": 1},
        {
            "$inc": {"n": 2, "fresh": 1},
            "$push": {"log": {"at": NOW, "e": "x"}},
            "$addToSet": {"tags": "a", "new_set": "z"},
            "$max": {"hi": 3, "first_seen": NOW},
            "$min": {"lo": 3},
        },
    )
    await db.c.update_one({"_id": 1}, {"$addToSet": {"tags": {"$each": ["a", "b"]}}})
    await db.c.update_one({"_id": 1}, {"$push": {"log": {"$each": [{"e": "y"}], "$slice": -5}}})
    assert await db.c.find_one({"_id": 1}) == {
        "_id": 1,
        "n": 3,
        "fresh": 1,
        "tags": ["a", "b"],
        "new_set": ["z"],
        "log": [{"at": NOW, "e": "x"}, {"e": "y"}],
        "hi": 5,
        "lo": 3,
        "first_seen": NOW,
    }


async def test_upsert_with_set_on_insert(db: Db) -> None:
    update = {
        "$set": {"last_seen": NOW},
        "$setOnInsert": {"created_at": NOW, "version": 0},
        "$inc": {"visits": 1},
    }
    first = await db.c.update_one({"channel": "tg", "chat_key": "7"}, update, upsert=True)
    assert (first.matched_count, first.modified_count) == (0, 0)
    assert first.upserted_id is not None
    later = NOW + timedelta(hours=1)
    second = await db.c.update_one(
        {"channel": "tg", "chat_key": "7"},
        {**update, "$set": {"last_seen": later}, "$setOnInsert": {"created_at": later}},
        upsert=True,
    )
    assert (second.matched_count, second.modified_count, second.upserted_id) == (1, 1, None)
    doc = await db.c.find_one({}, {"_id": 0})
    assert doc == {
        "channel": "tg",
        "chat_key": "7",
        "last_seen": later,
        "created_at": NOW,
        "version": 0,
        "visits": 2,
    }


async def test_update_many_counts(db: Db) -> None:
    await db.c.insert_many([{"s": "a"}, {"s": "a"}, {"s": "b"}])
    result = await db.c.update_many({"s": "a"}, {"$set": {"s": "c"}})
    assert (result.matched_count, result.modified_count) == (2, 2)
    noop = await db.c.update_many({"s": "c"}, {"$set": {"s": "c"}})
    assert (noop.matched_count, noop.modified_count) == (2, 0)


async def test_bulk_write_mixed(db: Db) -> None:
    result = await db.c.bulk_write(
        [
            UpdateOne({"_id": 1}, {"$set": {"a": 1}}, upsert=True),
            InsertOne({"_id": 2}),
            UpdateOne({"_id": 2}, {"$inc": {"a": 5}}),
            DeleteOne({"_id": 1}),
        ],
        ordered=True,
    )
    assert (result.upserted_ids, result.inserted_count) == ({0: 1}, 1)
    assert (result.matched_count, result.modified_count, result.deleted_count) == (1, 1, 1)
    assert await db.c.find({}).to_list() == [{"_id": 2, "a": 5}]


async def test_replace_upsert_in_bulk_and_prefix_regex_in_or(db: Db) -> None:
    """Theme day counts are replaced whole (upserted in bulk); an erased customer's answers are found
    by a key prefix, with the id escaped."""
    await db.c.bulk_write(
        [ReplaceOne({"_id": "d1"}, {"n": 1}, upsert=True), ReplaceOne({"_id": "d1"}, {"n": 2}, upsert=True)],
        ordered=False,
    )
    assert await db.c.find_one({"_id": "d1"}) == {"_id": "d1", "n": 2}
    await db.c.insert_many(
        [{"_id": k, "key": k} for k in ("answer:r.1:q1", "answer:r.1:q2", "answer:rx1:q1", "feedback:f1")]
    )
    query = {"$or": [{"key": {"$in": ["feedback:f1"]}}, {"key": {"$regex": "^answer:r\\.1:"}}]}
    assert sorted(await ids(db.c.find(query))) == ["answer:r.1:q1", "answer:r.1:q2", "feedback:f1"]
    assert await db.c.find_one({"n": {"$ne": 2}, "key": {"$exists": False}}) is None


async def test_optimistic_concurrency_on_version(db: Db) -> None:
    await db.c.insert_one({"_id": "conv", "version": 0, "step": "start"})

    async def save(seen_version: int, step: str) -> int:
        result = await db.c.update_one(
            {"_id": "conv", "version": seen_version},
            {"$set": {"step": step}, "$inc": {"version": 1}},
        )
        return result.matched_count

    assert await save(0, "q1") == 1
    assert await save(0, "stale") == 0  # someone else already moved it on
    # Many writers racing on the same version: exactly one wins.
    wins = await asyncio.gather(*(save(1, f"w{i}") for i in range(10)))
    assert sorted(wins) == [0] * 9 + [1]
    doc = await db.c.find_one({"_id": "conv"})
    assert doc is not None and doc["version"] == 2 and doc["step"].startswith("w")


# --- job leasing ---------------------------------------------------------------------


def claim_filter(now: datetime) -> dict[str, Any]:
    return {
        "due_at": {"$lte": now},
        "$or": [{"lease_until": {"$exists": False}}, {"lease_until": {"$lt": now}}],
    }


async def claim(jobs: Coll, now: datetime, worker: str) -> dict[str, Any] | None:
    return await jobs.find_one_and_update(
        claim_filter(now),
        {"$set": {"lease_until": now + timedelta(minutes=5), "worker": worker}},
        sort=[("due_at", ASCENDING)],
        return_document=ReturnDocument.AFTER,
    )


async def test_find_one_and_update_claims_earliest_due_job(db: Db) -> None:
    await db.jobs.create_index("due_at")
    await db.jobs.insert_many(
        [
            {"_id": "late", "due_at": NOW - timedelta(minutes=1)},
            {"_id": "early", "due_at": NOW - timedelta(minutes=9)},
            {"_id": "future", "due_at": NOW + timedelta(minutes=1)},
            {"_id": "leased", "due_at": NOW - timedelta(hours=1), "lease_until": NOW + timedelta(1)},
            {"_id": "expired", "due_at": NOW - timedelta(minutes=5), "lease_until": NOW},
        ]
    )
    claimed = [await claim(db.jobs, NOW + timedelta(seconds=1), "w") for _ in range(4)]
    assert [job and job["_id"] for job in claimed] == ["early", "expired", "late", None]
    first = claimed[0]
    assert first is not None
    assert first["lease_until"] == NOW + timedelta(minutes=5, seconds=1)
    assert first["worker"] == "w"


async def test_concurrent_claimers_never_share_a_job(db: Db) -> None:
    await db.jobs.create_index("due_at")
    await db.jobs.insert_many([{"_id": i, "due_at": NOW - timedelta(seconds=i)} for i in range(40)])

    async def worker(name: str) -> list[int]:
        got = []
        while (job := await claim(db.jobs, NOW, name)) is not None:
            got.append(job["_id"])
        return got

    results = await asyncio.gather(*(worker(f"w{i}") for i in range(8)))
    claimed = [job for result in results for job in result]
    assert sorted(claimed) == list(range(40))


async def test_find_one_and_update_upsert_counter(db: Db) -> None:
    values = []
    for _ in range(3):
        doc = await db.counters.find_one_and_update(
            {"_id": "ticket"},
            {"$inc": {"seq": 1}},
            upsert=True,
            return_document=ReturnDocument.AFTER,
        )
        assert doc is not None
        values.append(doc["seq"])
    assert values == [1, 2, 3]
    before = await db.counters.find_one_and_update(
        {"_id": "ticket"}, {"$inc": {"seq": 1}}, return_document=ReturnDocument.BEFORE
    )
    assert before == {"_id": "ticket", "seq": 3}


# --- reads ---------------------------------------------------------------------------


@pytest.fixture
async def people(db: Db) -> Coll:
    await db.people.insert_many(
        [
            {"_id": 1, "name": "ann", "lang": "en", "score": 5, "at": NOW - timedelta(days=3)},
            {"_id": 2, "name": "bo", "lang": "zh", "score": 3, "at": NOW - timedelta(days=2)},
            {"_id": 3, "name": "cy", "lang": "ar", "score": 4, "at": NOW - timedelta(days=1)},
            {"_id": 4, "name": "di", "lang": "en", "at": NOW, "phone": None},
            {"_id": 5, "name": "ed", "lang": "fr", "score": 1, "at": NOW + timedelta(days=1)},
        ]
    )
    return db.people


async def test_find_filters(people: Coll) -> None:
    assert await ids(people.find({"lang": {"$in": ["zh", "ar"]}}).sort("_id")) == [2, 3]
    assert await ids(people.find({"score": {"$exists": False}})) == [4]
    assert await ids(people.find({"phone": {"$exists": True}})) == [4]
    assert await ids(people.find({"phone": None}).sort("_id")) == [1, 2, 3, 4, 5]
    assert await ids(people.find({"at": {"$gte": NOW - timedelta(days=2), "$lt": NOW}})) == [2, 3]
    either = {"$or": [{"lang": "fr"}, {"score": {"$gte": 5}}]}
    assert await ids(people.find(either).sort("_id")) == [1, 5]
    assert await ids(people.find({"lang": {"$ne": "en"}}).sort("_id")) == [2, 3, 5]
    assert await ids(people.find({"score": {"$ne": 3}}).sort("_id")) == [1, 3, 4, 5]
    assert await ids(people.find({"lang": {"$nin": ["en", "fr"]}}).sort("_id")) == [2, 3]


async def test_find_sort_skip_limit_projection(people: Coll) -> None:
    cursor = people.find({}, sort=[("lang", ASCENDING), ("score", DESCENDING)])
    assert await ids(cursor) == [3, 1, 4, 5, 2]
    page = people.find({}, {"name": 1, "_id": 0}).sort("at", DESCENDING).skip(1).limit(2)
    assert await page.to_list() == [{"name": "di"}, {"name": "cy"}]
    hidden = await people.find_one({"_id": 1}, {"at": 0, "score": 0})
    assert hidden == {"_id": 1, "name": "ann", "lang": "en"}
    assert await people.find_one({"_id": 99}) is None


async def test_count_and_distinct(people: Coll) -> None:
    assert await people.count_documents({}) == 5
    assert await people.count_documents({"lang": "en"}) == 2
    assert await people.count_documents({"at": {"$lt": NOW}}) == 3
    assert await people.estimated_document_count() == 5
    assert sorted(await people.distinct("lang")) == ["ar", "en", "fr", "zh"]
    assert sorted(await people.distinct("lang", {"score": {"$gte": 3}})) == ["ar", "en", "zh"]


async def test_delete_counts(people: Coll) -> None:
    assert (await people.delete_one({"lang": "en"})).deleted_count == 1
    assert (await people.delete_one({"lang": "xx"})).deleted_count == 0
    assert (await people.delete_many({"at": {"$lte": NOW}})).deleted_count == 3
    assert await ids(people.find({})) == [5]


# --- aggregation ---------------------------------------------------------------------


@pytest.fixture
async def answers(db: Db) -> Coll:
    rows = [
        ("s1", "q1", "en", 5, ["fast"]),
        ("s1", "q1", "en", 3, ["slow", "rude"]),
        ("s1", "q1", "zh", 4, []),
        ("s1", "q2", "en", 1, ["rude"]),
        ("s2", "q1", "ar", 2, ["fast", "rude"]),
    ]
    await db.answers.insert_many(
        [
            {"survey": s, "question": q, "lang": lang, "score": v, "tags": t, "at": NOW}
            for s, q, lang, v, t in rows
        ]
    )
    return db.answers


async def test_aggregate_group_by_compound_id(answers: Coll) -> None:
    pipeline: list[dict[str, Any]] = [
        {"$match": {"at": {"$lte": NOW}}},
        {
            "$group": {
                "_id": {"survey": "$survey", "question": "$question"},
                "n": {"$sum": 1},
                "total": {"$sum": "$score"},
                "avg": {"$avg": "$score"},
                "count": {"$count": {}},
                "langs": {"$addToSet": "$lang"},
            }
        },
        {"$sort": {"_id.survey": 1, "_id.question": 1}},
        {"$project": {"_id": 0, "survey": "$_id.survey", "question": "$_id.question",
                      "n": 1, "total": 1, "avg": 1, "count": 1, "nlangs": {"$size": "$langs"}}},
    ]  # fmt: skip
    assert await (await answers.aggregate(pipeline)).to_list() == [
        {"n": 3, "total": 12, "avg": 4.0, "count": 3, "survey": "s1", "question": "q1",
         "nlangs": 2},
        {"n": 1, "total": 1, "avg": 1.0, "count": 1, "survey": "s1", "question": "q2",
         "nlangs": 1},
        {"n": 1, "total": 2, "avg": 2.0, "count": 1, "survey": "s2", "question": "q1",
         "nlangs": 1},
    ]  # fmt: skip


async def test_aggregate_unwind_and_count_stage(answers: Coll) -> None:
    pipeline: list[dict[str, Any]] = [
        {"$unwind": "$tags"},
        {"$group": {"_id": "$tags", "n": {"$sum": 1}}},
        {"$sort": {"n": -1, "_id": 1}},
    ]
    result = await (await answers.aggregate(pipeline)).to_list()
    assert result == [{"_id": "rude", "n": 3}, {"_id": "fast", "n": 2}, {"_id": "slow", "n": 1}]
    counted = await answers.aggregate([{"$match": {"lang": "en"}}, {"$count": "n"}])
    assert await counted.to_list() == [{"n": 3}]


async def test_aggregate_facet(answers: Coll) -> None:
    pipeline: list[dict[str, Any]] = [
        {"$match": {"survey": "s1"}},
        {
            "$facet": {
                "by_lang": [{"$group": {"_id": "$lang", "n": {"$sum": 1}}}, {"$sort": {"_id": 1}}],
                "total": [{"$count": "n"}],
                "top": [{"$sort": {"score": -1}}, {"$limit": 1}, {"$project": {"_id": 0, "score": 1}}],
            }
        },
    ]  # fmt: skip
    assert await (await answers.aggregate(pipeline)).to_list() == [
        {
            "by_lang": [{"_id": "en", "n": 3}, {"_id": "zh", "n": 1}],
            "total": [{"n": 4}],
            "top": [{"score": 5}],
        }
    ]


async def test_aggregate_group_by_local_day(db: Db) -> None:
    # 23:30 UTC is already the next day in Shanghai (UTC+8).
    late = datetime(2025, 6, 1, 23, 30, tzinfo=UTC)
    await db.c.insert_many([{"at": late}, {"at": late - timedelta(hours=12)}])
    day = {"$dateToString": {"date": "$at", "format": "%Y-%m-%d", "timezone": "Asia/Shanghai"}}
    pipeline: list[dict[str, Any]] = [
        {"$group": {"_id": day, "n": {"$sum": 1}}},
        {"$sort": {"_id": 1}},
    ]
    assert await (await db.c.aggregate(pipeline)).to_list() == [
        {"_id": "2025-06-01", "n": 1},
        {"_id": "2025-06-02", "n": 1},
    ]


# --- values --------------------------------------------------------------------------


async def test_datetimes_round_trip_as_utc(db: Db) -> None:
    precise = datetime(2025, 3, 30, 1, 59, 59, 123456, tzinfo=UTC)
    elsewhere = datetime(2025, 3, 30, 9, 0, tzinfo=timezone(timedelta(hours=8)))
    await db.c.insert_one({"_id": 1, "precise": precise, "elsewhere": elsewhere})
    doc = await db.c.find_one({"_id": 1})
    assert doc is not None
    # BSON dates hold milliseconds; pymongo converts aware datetimes to UTC.
    assert doc["precise"] == precise.replace(microsecond=123000)
    assert doc["precise"].tzinfo is not None and doc["precise"].utcoffset() == timedelta(0)
    assert doc["elsewhere"] == datetime(2025, 3, 30, 1, 0, tzinfo=UTC)
    assert await db.c.count_documents({"elsewhere": datetime(2025, 3, 30, 1, 0, tzinfo=UTC)}) == 1


@pytest.mark.parametrize("value", ['{"$gt": ""}', "$where", "$ne", "{$set: {admin: true}}"])
async def test_operator_looking_strings_are_plain_data(db: Db, value: str) -> None:
    await db.c.insert_many([{"_id": 1, "text": value}, {"_id": 2, "text": "other"}])
    assert await ids(db.c.find({"text": value})) == [1]
    assert await ids(db.c.find({"text": {"$eq": value}})) == [1]
    await db.c.update_one({"_id": 2}, {"$set": {"text": value}})
    assert await db.c.count_documents({"text": value}) == 2
    assert await db.c.find_one({"_id": 2}) == {"_id": 2, "text": value}


async def test_large_document_round_trip(db: Db) -> None:
    doc = {"_id": 1, "blob": "x" * 900_000, "items": [{"i": i, "s": "é" * 5} for i in range(5000)]}
    await db.c.insert_one(doc)
    assert await db.c.find_one({"_id": 1}) == doc


async def test_unicode_round_trip(db: Db) -> None:
    texts = {"zh": "服务很好，谢谢！", "ar": "الخدمة ممتازة، شكراً", "emoji": "👍🏽 great 🎉", "ru": "Спасибо"}
    await db.c.insert_one({"_id": 1, **texts, "名字": "键"})
    assert await db.c.find_one({"_id": 1}) == {"_id": 1, **texts, "名字": "键"}
    for key, text in texts.items():
        assert await db.c.count_documents({key: text}) == 1
    assert await db.c.distinct("emoji") == ["👍🏽 great 🎉"]
