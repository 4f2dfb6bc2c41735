"""The embedded server's lifecycle, open_database, and the tests' network guard."""

from __future__ import annotations

import asyncio
import logging
import os
import signal
import socket
import sys
from pathlib import Path
from typing import Any

import pytest
from pymongo import AsyncMongoClient
from pymongo.errors import DuplicateKeyError, OperationFailure

from storage.embedded import EmbeddedMongo, EmbeddedMongoError
from storage.mongo import EMBEDDED_POOL_SIZE, open_database, redact_uri


def _has_exited(pid: int) -> bool:
    # An orphan may linger as a zombie until its new parent reaps it; that counts as exited.
    try:
        status = Path(f"/proc/{pid}/status").read_text()
    except FileNotFoundError:
        return True
    return "State:\tZ" in status


async def _wait_exited(pid: int, seconds: float = 15.0) -> bool:
    for _ in range(int(seconds / 0.1)):
        if _has_exited(pid):
            return True
        await asyncio.sleep(0.1)
    return False


async def test_data_survives_restart(tmp_path: Path) -> None:
    for round_ in range(2):
        server = await EmbeddedMongo.start(data_dir=tmp_path)
        client: AsyncMongoClient[dict[str, Any]] = AsyncMongoClient(server.uri, tz_aware=True)
        try:
            items = client.app.items
            if round_ == 0:
                await items.create_index("k", unique=True)
                await items.insert_many([{"_id": 1, "k": "a"}, {"_id": 2, "k": "b"}])
            else:
                assert await items.find({}).sort("_id").to_list() == [
                    {"_id": 1, "k": "a"},
                    {"_id": 2, "k": "b"},
                ]
                with pytest.raises(DuplicateKeyError):  # the index came back too
                    await items.insert_one({"k": "a"})
        finally:
            await client.close()
            await server.stop()
    assert (tmp_path / "mongo" / "WiredTiger").is_file()


async def test_in_memory_server_works_and_stops() -> None:
    server = await EmbeddedMongo.start(data_dir=None)
    assert server.uri.startswith("mongodb://127.0.0.1:")
    assert server.uri.endswith("/?directConnection=true")
    client: AsyncMongoClient[dict[str, Any]] = AsyncMongoClient(server.uri)
    await client.db.c.insert_one({"_id": 1})
    assert await client.db.c.count_documents({}) == 1
    await client.close()
    await server.stop()
    assert _has_exited(server.pid)


async def test_child_exits_when_parent_dies(tmp_path: Path) -> None:
    # A parent killed outright never calls stop(); the child must notice stdin's EOF.
    script = (
        "import asyncio, sys\n"
        "from storage.embedded import EmbeddedMongo\n"
        "async def main():\n"
        "    server = await EmbeddedMongo.start(data_dir=None)\n"
        "    print(server.pid, flush=True)\n"
        "    await asyncio.sleep(60)\n"
        "asyncio.run(main())\n"
    )
    parent = await asyncio.create_subprocess_exec(
        sys.executable, "-c", script, stdout=asyncio.subprocess.PIPE, cwd=Path.cwd()
    )
    assert parent.stdout is not None
    child_pid = int(await asyncio.wait_for(parent.stdout.readline(), 30))
    assert not _has_exited(child_pid)
    parent.kill()
    await parent.wait()
    assert await _wait_exited(child_pid)


async def test_sigterm_stops_child_cleanly() -> None:
    server = await EmbeddedMongo.start(data_dir=None)
    os.kill(server.pid, signal.SIGTERM)
    assert await _wait_exited(server.pid)
    await server.stop()
    assert server._process.returncode == 0


async def test_stop_kills_an_unresponsive_child() -> None:
    server = await EmbeddedMongo.start(data_dir=None)
    os.kill(server.pid, signal.SIGSTOP)  # frozen: it can no longer react to stdin's EOF
    await server.stop(grace_seconds=0.5)
    assert server._process.returncode == -signal.SIGKILL


async def test_start_failure_raises_with_child_stderr() -> None:
    with socket.socket() as taken:
        taken.bind(("127.0.0.1", 0))
        taken.listen()
        port = taken.getsockname()[1]
        with pytest.raises(EmbeddedMongoError) as raised:
            await EmbeddedMongo.start(data_dir=None, port=port)
    message = str(raised.value)
    assert f"failed to start on 127.0.0.1:{port}" in message
    assert "address already in use" in message.lower()


async def test_open_database_embedded(tmp_path: Path, caplog: pytest.LogCaptureFixture) -> None:
    caplog.set_level(logging.INFO, logger="storage")
    async with open_database(uri=None, data_dir=tmp_path, database="bot") as db:
        await db.c.insert_one({"_id": 1})
        assert db.name == "bot"
        # A connection is a server thread: the embedded server gets a small pool.
        assert db.client.options.pool_options.max_pool_size == EMBEDDED_POOL_SIZE
    async with open_database(uri=None, data_dir=tmp_path, database="bot") as db:
        assert await db.c.find_one({}) == {"_id": 1}
    assert "using embedded MongoDB" in caplog.text


async def test_open_database_with_uri_logs_no_credentials(
    embedded_mongo: EmbeddedMongo, caplog: pytest.LogCaptureFixture
) -> None:
    caplog.set_level(logging.INFO, logger="storage")
    host = embedded_mongo.uri.split("//", 1)[1]
    # The embedded server has no users: pymongo only authenticates on first use.
    uri = f"mongodb://{host}"
    async with open_database(uri=uri, data_dir=None, database="x") as db:
        assert db.client.options.pool_options.max_pool_size == 100  # a configured server: pymongo's
        await db.c.insert_one({"a": 1})
        assert await db.c.find_one({}, {"_id": 0}) == {"a": 1}
        await db.client.drop_database("x")
    assert f"using MongoDB at mongodb://{host.partition('?')[0]}" in caplog.text


@pytest.mark.parametrize(
    ("uri", "shown"),
    [
        ("mongodb://u:secret@h1:27017,h2/db?authSource=admin", "mongodb://h1:27017,h2/db"),
        ("mongodb+srv://u:p%40ss@cluster.example.net/?tls=true", "mongodb+srv://cluster.example.net/"),
        ("mongodb://u:pa/ss@word@h/db", "mongodb://h/db"),
        ("mongodb://h:27017", "mongodb://h:27017"),
        ("not a uri", "<unparseable MongoDB URI>"),
    ],
)
def test_redact_uri(uri: str, shown: str) -> None:
    assert redact_uri(uri) == shown


async def test_network_guard_refuses_remote_hosts(network_attempts: list[str]) -> None:
    with pytest.raises(RuntimeError, match="must not use the network"):
        socket.create_connection(("example.com", 80), timeout=1)
    with socket.socket() as raw, pytest.raises(RuntimeError):
        raw.connect(("192.0.2.1", 80))  # TEST-NET-1: never routable anyway
    with pytest.raises(RuntimeError):
        await asyncio.open_connection("2001:db8::1", 80)
    assert len(network_attempts) == 3
    network_attempts.clear()  # expected here; the autouse check would fail the test otherwise


@pytest.mark.parametrize("lookups", [False, True])
async def test_profile_level_lookup_is_off_by_default(monkeypatch: pytest.MonkeyPatch, lookups: bool) -> None:
    """The embedded server skips SecantusDB's per-command profiling-level look-up unless asked to keep it."""
    import storage.embedded

    options = ("--cache-size", "8M", *(("--secantus-per-command-lookups",) if lookups else ()))
    monkeypatch.setattr(storage.embedded, "SERVER_OPTIONS", options)
    server = await EmbeddedMongo.start(data_dir=None)
    client: AsyncMongoClient[dict[str, Any]] = AsyncMongoClient(server.uri)
    try:
        db = client["profile_check"]
        await db.command("profile", 2)
        await db["things"].insert_one({"_id": 1})
        assert await db["things"].find_one({"_id": 1}) == {"_id": 1}
        recorded = await db["system.profile"].count_documents({})
        assert (recorded > 0) is lookups
    finally:
        await client.close()
        await server.stop()


def test_the_default_cache_is_sized_for_a_bot() -> None:
    from storage.embedded_server import CACHE_SIZE, _parse_args

    assert _parse_args([]).cache_size == CACHE_SIZE == "32M"
    assert not _parse_args([]).secantus_per_command_lookups


def _loaded_libraries(pid: int) -> set[str]:
    maps = Path(f"/proc/{pid}/maps").read_text()
    return {name for name in ("numpy", "shapely") if f"/{name}" in maps}


async def test_geo_libraries_load_on_first_geo_use() -> None:
    """shapely and numpy stay out of the server until a geo index needs them; then geo works as before."""
    server = await EmbeddedMongo.start(data_dir=None)
    client: AsyncMongoClient[dict[str, Any]] = AsyncMongoClient(server.uri)
    try:
        places = client["geo_check"]["places"]
        await places.insert_one({"_id": 0, "name": "no location"})
        assert await places.find_one({"name": "no location"}) is not None
        assert _loaded_libraries(server.pid) == set()

        await places.create_index([("loc", "2dsphere")])
        await places.insert_many(
            [
                {"_id": 1, "loc": {"type": "Point", "coordinates": [13.4, 52.5]}},
                {"_id": 2, "loc": {"type": "Point", "coordinates": [2.35, 48.85]}},
            ]
        )
        ring = [[10, 50], [15, 50], [15, 55], [10, 55], [10, 50]]
        within = {"loc": {"$geoWithin": {"$geometry": {"type": "Polygon", "coordinates": [ring]}}}}
        assert [doc["_id"] async for doc in places.find(within)] == [1]
        near = {"loc": {"$near": {"$geometry": {"type": "Point", "coordinates": [2, 48]}}}}
        assert {doc["_id"] async for doc in places.find(near)} == {1, 2}
        # Malformed geometry is the client's error (BadValue), not a server failure: the error class
        # SecantusDB catches is the one the deferred module raises.
        malformed = {"$geometry": {"type": "Polygon", "coordinates": "x"}}
        with pytest.raises(OperationFailure) as refused:
            await places.find_one({"loc": {"$geoWithin": malformed}})
        assert refused.value.code == 2
        assert _loaded_libraries(server.pid) == {"numpy", "shapely"}
    finally:
        await client.close()
        await server.stop()
