"""The start-up check of a MongoDB server: version, topology, the user's privileges."""

from __future__ import annotations

import logging
from typing import Any

import pytest
from pymongo.asynchronous.database import AsyncDatabase

from storage.requirements_check import (
    REQUIRED_ACTIONS,
    UnsuitableServerError,
    assess,
    check_server,
    missing_actions,
    require_suitable_server,
    version_tuple,
)

READ_WRITE = [  # what MongoDB's built-in role readWrite grants on a database (abridged)
    "changeStream", "collStats", "convertToCapped", "createCollection", "createIndex", "dbStats",
    "dropCollection", "dropIndex", "find", "insert", "killCursors", "listCollections", "listIndexes",
    "remove", "renameCollectionSameDB", "update",
]  # fmt: skip


def _status(*privileges: dict[str, Any], user: bool = True) -> dict[str, Any]:
    users = [{"user": "feedback_bot", "db": "admin"}] if user else []
    return {"authInfo": {"authenticatedUsers": users, "authenticatedUserPrivileges": list(privileges)}}


def _on(db: str, actions: list[str], collection: str = "") -> dict[str, Any]:
    return {"resource": {"db": db, "collection": collection}, "actions": actions}


def test_read_write_on_the_database_is_enough() -> None:
    assert missing_actions(_status(_on("feedback_bot", READ_WRITE)), "feedback_bot") == []
    assert missing_actions(_status(_on("", READ_WRITE)), "feedback_bot") == []  # readWriteAnyDatabase
    assert missing_actions(_status({"resource": {"anyResource": True}, "actions": ["anyAction"]}), "x") == [
        "find", "insert", "update", "remove", "createIndex", "createCollection",
    ]  # fmt: skip
    assert (
        missing_actions(_status({"resource": {"anyResource": True}, "actions": list(REQUIRED_ACTIONS)}), "x")
        == []
    )


def test_read_only_or_another_database_or_one_collection_is_not() -> None:
    assert missing_actions(_status(_on("feedback_bot", ["find", "listCollections"])), "feedback_bot") == [
        "insert", "update", "remove", "createIndex", "createCollection",
    ]  # fmt: skip
    assert missing_actions(_status(_on("other", READ_WRITE)), "feedback_bot") == list(REQUIRED_ACTIONS)
    assert missing_actions(_status(_on("feedback_bot", READ_WRITE, "inbox")), "feedback_bot") == list(
        REQUIRED_ACTIONS
    )
    assert missing_actions(_status(user=False), "feedback_bot") is None


def test_assess_names_each_problem_in_one_line() -> None:
    verdict = assess(
        build_info={"version": "4.2.24"},
        hello={"setName": "rs0"},
        status=_status(_on("feedback_bot", ["find"])),
        database="feedback_bot",
    )
    assert verdict.topology == "replica set rs0"
    assert verdict.problems == (
        "MongoDB 4.2.24 is too old: 4.4 or newer is needed",
        "the database user lacks insert, update, remove, createIndex, createCollection on database "
        "feedback_bot: grant it the role readWrite on feedback_bot",
    )
    assert verdict.notes == ()
    good = assess(
        build_info={"version": "7.0.12"},
        hello={"msg": "isdbgrid"},
        status=_status(_on("feedback_bot", READ_WRITE)),
        database="feedback_bot",
    )
    assert (good.topology, good.problems, good.notes) == ("sharded cluster", (), ())
    assert version_tuple("8.0.0-rc1") == (8, 0, 0) and version_tuple("x") == ()


async def test_the_embedded_server_passes_with_notes(
    db: AsyncDatabase[Any], caplog: pytest.LogCaptureFixture
) -> None:
    verdict = await check_server(db)
    assert version_tuple(verdict.version) >= (4, 4)
    assert verdict.topology == "standalone" and verdict.problems == ()
    assert any("no authenticated user" in note for note in verdict.notes)
    with caplog.at_level(logging.WARNING, logger="storage"):
        assert await require_suitable_server(db) == verdict
    assert any("standalone MongoDB server" in r.getMessage() for r in caplog.records)


async def test_require_refuses_an_unsuitable_server_in_one_line(
    db: AsyncDatabase[Any], monkeypatch: pytest.MonkeyPatch
) -> None:
    real = db.command

    async def old_server(command: Any, *args: Any, **kwargs: Any) -> Any:
        answer = await real(command, *args, **kwargs)
        return {**answer, "version": "4.0.28"} if command == "buildInfo" else answer

    monkeypatch.setattr(db, "command", old_server)
    with pytest.raises(
        UnsuitableServerError, match=r"^MongoDB 4\.0\.28 is too old: 4\.4 or newer is needed$"
    ):
        await require_suitable_server(db)
