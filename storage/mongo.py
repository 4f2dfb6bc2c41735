"""Open the project's MongoDB database: the configured server or the embedded one."""

from __future__ import annotations

import logging
from collections.abc import AsyncIterator
from contextlib import asynccontextmanager
from pathlib import Path
from typing import Any

from pymongo import AsyncMongoClient
from pymongo.asynchronous.database import AsyncDatabase

from storage.embedded import EmbeddedMongo

logger = logging.getLogger("storage")


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
    *, uri: str | None, data_dir: Path | None, database: str
) -> AsyncIterator[AsyncDatabase[dict[str, Any]]]:
    """Yield the database; without a URI an embedded server is started and later stopped."""
    embedded: EmbeddedMongo | None = None
    if uri is None:
        embedded = await EmbeddedMongo.start(data_dir=data_dir)
        uri = embedded.uri
        where = f"{data_dir / 'mongo'}" if data_dir is not None else "memory"
        logger.info("using embedded MongoDB (SecantusDB, data in %s) at %s", where, uri)
    else:
        logger.info("using MongoDB at %s", redact_uri(uri))
    try:
        client: AsyncMongoClient[dict[str, Any]] = AsyncMongoClient(uri, tz_aware=True)
        try:
            yield client[database]
        finally:
            await client.close()
    finally:
        if embedded is not None:
            await embedded.stop()
