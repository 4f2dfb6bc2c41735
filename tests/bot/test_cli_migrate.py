"""`feedback-bot migrate`: the trial's embedded data into another MongoDB, once, never doubled."""

from __future__ import annotations

import asyncio
import uuid
from pathlib import Path

from pymongo import AsyncMongoClient

from storage.embedded import EmbeddedMongo
from storage.mongo import open_database
from tests.bot.cli_support import one_line, run


def seed(data_dir: Path, database: str) -> None:
    async def write() -> None:
        async with open_database(uri=None, data_dir=data_dir, database=database, command="test") as db:
            await db["responses"].insert_many([{"_id": f"r{i}", "answers": {"q": i}} for i in range(3)])
            await db["responses"].create_index("answers.q", name="by_answer")
            await db["consents"].insert_one({"_id": "c1", "decision": "granted"})

    asyncio.run(write())


async def target_docs(uri: str, database: str, *, drop: bool = False) -> tuple[dict[str, int], list[str]]:
    client: AsyncMongoClient[dict[str, object]] = AsyncMongoClient(uri)
    try:
        db = client[database]
        counts = {name: await db[name].count_documents({}) for name in await db.list_collection_names()}
        indexes = [str(i["name"]) async for i in await db["responses"].list_indexes()]
        if drop:
            await client.drop_database(database)
        return counts, indexes
    finally:
        await client.close()


def test_migrate_copies_everything_once_and_refuses_to_double_it(
    tmp_path: Path, embedded_mongo: EmbeddedMongo
) -> None:
    database = f"migrated_{uuid.uuid4().hex[:8]}"  # MONGODB_DATABASE names both ends
    seed(tmp_path, database)
    copied = run(["migrate", "--to", embedded_mongo.uri], tmp_path, MONGODB_DATABASE=database)
    assert copied.returncode == 0, copied.stderr
    assert "copied 4 of 4 documents" in copied.stderr
    counts, indexes = asyncio.run(target_docs(embedded_mongo.uri, database))
    assert counts["responses"] == 3 and counts["consents"] == 1 and "by_answer" in indexes
    again = run(["migrate", "--to", embedded_mongo.uri], tmp_path, MONGODB_DATABASE=database)
    assert again.returncode == 1 and "already holds documents" in one_line(again)
    resumed = run(["migrate", "--to", embedded_mongo.uri, "--resume"], tmp_path, MONGODB_DATABASE=database)
    assert resumed.returncode == 0 and "copied 0 of 4 documents" in resumed.stderr
    assert asyncio.run(target_docs(embedded_mongo.uri, database, drop=True))[0] == counts
    refused = run(["migrate", "--to", "not-a-uri"], tmp_path, MONGODB_DATABASE=database)
    assert refused.returncode == 2 and one_line(refused).startswith("feedback-bot: --to is not a valid")
