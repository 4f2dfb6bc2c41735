"""Open the project's MongoDB database: the configured server or the embedded one."""

from __future__ import annotations

import asyncio
import logging
from collections.abc import AsyncIterator
from contextlib import AsyncExitStack, asynccontextmanager
from pathlib import Path
from typing import Any

import pymongo
from pymongo import AsyncMongoClient
from pymongo.asynchronous.database import AsyncDatabase
from pymongo.errors import OperationFailure, PyMongoError

from storage import mongo_uri
from storage.data_lock import DataFolderBusy, DataFolderLock
from storage.embedded import EmbeddedMongo
from storage.requirements_check import require_suitable_server

logger = logging.getLogger("storage")

# Commands that may use the embedded server of a bot already running on the same data folder.
SERVING_COMMAND = "run"
# How long to wait for a bot that holds the data folder but whose server is still starting.
HOLDER_STARTUP_SECONDS = 30.0
EMBEDDED_POOL_SIZE = 16  # connections to the embedded server, each a thread there (see open_database)


class DatabaseUnreachable(RuntimeError):
    """The first contact with MongoDB failed; the message names the hosts, never the password."""


def redact_uri(uri: str) -> str:
    """Return scheme, hosts and path of the URI: no user:password, no options (may hold secrets)."""
    scheme, sep, rest = uri.partition("://")
    if not sep:
        return "<unparseable MongoDB URI>"
    rest = rest.partition("?")[0]
    # The credentials end at the last "@" before the path begins (a password may contain "/").
    slash = rest.find("/", rest.rfind("@") + 1)
    authority, path = (rest, "") if slash < 0 else (rest[:slash], rest[slash:])
    return f"{scheme}://{authority.rpartition('@')[2]}{path}"


@asynccontextmanager
async def open_database(
    *,
    uri: str | None,
    data_dir: Path | None,
    database: str,
    command: str = SERVING_COMMAND,
    share: bool = False,
) -> AsyncIterator[AsyncDatabase[dict[str, Any]]]:
    """Yield the database once it answers; without a URI the embedded server of `data_dir` is used.

    `command` is what this process is, as other processes on the data folder are told; with `share`
    a bot already running on the folder lends its server instead of this process starting one.
    """
    async with AsyncExitStack() as stack:
        if uri is not None:
            mongo_uri.parse(uri)  # a malformed URI fails here, in one line, before any connection
            logger.info("using MongoDB at %s", redact_uri(uri))
        configured = uri is not None
        if uri is None:
            uri = await stack.enter_async_context(_embedded(data_dir, command=command, share=share))
        # The embedded server runs a thread per connection under one interpreter lock: a pool as large
        # as pymongo's default (100) bought no throughput under a burst of commands, only threads and
        # their memory. A configured server keeps the URI's own pool settings.
        client: AsyncMongoClient[dict[str, Any]] = (
            AsyncMongoClient(uri, tz_aware=True)
            if configured
            else AsyncMongoClient(uri, tz_aware=True, maxPoolSize=EMBEDDED_POOL_SIZE)
        )
        stack.push_async_callback(client.close)
        await _first_contact(client, uri)
        if configured and command == SERVING_COMMAND:
            # Version, topology and privileges, before the first index is created.
            await require_suitable_server(client[database])
        yield client[database]


async def _first_contact(client: AsyncMongoClient[dict[str, Any]], uri: str) -> None:
    """Ping within a few seconds so a wrong host fails the start now, not after 30 s of retries."""
    target = mongo_uri.parse(uri)
    where = ", ".join(target.hosts)
    try:
        # pymongo's own deadline (CSOT): server selection and the ping share it, nothing is cancelled.
        with pymongo.timeout(target.startup_seconds):
            await client.admin.command("ping")
    except OperationFailure as error:
        # Typically authentication: pymongo's message says what the server refused, without secrets.
        detail = (error.details or {}).get("errmsg") or str(error)
        raise DatabaseUnreachable(f"MongoDB at {where} refused the connection: {detail}") from None
    except PyMongoError as error:
        reason = str(error).split(" (configured timeouts", 1)[0].split(", Timeout:", 1)[0]
        raise DatabaseUnreachable(
            f"cannot reach MongoDB at {where} within {target.startup_seconds:g} s ({reason})"
        ) from None


@asynccontextmanager
async def _embedded(data_dir: Path | None, *, command: str, share: bool) -> AsyncIterator[str]:
    """The URI of the embedded server of `data_dir`: our own, or the running bot's when shared."""
    if data_dir is None:
        server = await EmbeddedMongo.start(data_dir=None)
        logger.info("using embedded MongoDB (SecantusDB, data in memory) at %s", server.uri)
        try:
            yield server.uri
        finally:
            await server.stop()
        return
    deadline = asyncio.get_running_loop().time() + HOLDER_STARTUP_SECONDS
    while True:
        got = DataFolderLock.acquire(data_dir, command=command)
        if isinstance(got, DataFolderLock):
            lock = got
            break
        # An empty command: the holder has only just taken the lock and not yet said who it is.
        starting = got.uri is None and got.command in {"", SERVING_COMMAND}
        if (
            not share
            or got.command not in {"", SERVING_COMMAND}
            or (starting and asyncio.get_running_loop().time() > deadline)
        ):
            raise DataFolderBusy(data_dir, got)
        if got.uri is not None:
            logger.info("using the embedded MongoDB of the bot running on this data folder (pid %s)", got.pid)
            yield got.uri
            return
        await asyncio.sleep(0.2)
    try:
        server = await EmbeddedMongo.start(data_dir=data_dir)
        try:
            lock.advertise(server.uri)
            logger.info(
                "using embedded MongoDB (SecantusDB, data in %s) at %s", data_dir / "mongo", server.uri
            )
            yield server.uri
        finally:
            await server.stop()
    finally:
        lock.release()
