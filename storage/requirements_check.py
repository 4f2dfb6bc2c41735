"""What the bot needs from a MongoDB server, checked at start: version, topology and privileges.

The bot uses no multi-document transactions and no aggregation stages beyond what `count_documents`
sends (`$match`, `$group`); it needs single-document atomic updates, unique and TTL indexes. Any
server pymongo supports will do (MongoDB 4.4 or newer); a standalone server works, a replica set
gives failover and majority-acknowledged writes (see docs/production.md#mongodb-requirements).

Commands the bot issues on its database: find (and aggregate through `count_documents`), insert,
update, delete, createIndexes, ping; collections are created implicitly. MongoDB's built-in role
`readWrite` on the bot's database grants all of them (`feedback-bot migrate` also lists collections
and indexes, which `readWrite` grants too).
"""

from __future__ import annotations

import logging
from collections.abc import Mapping
from dataclasses import dataclass
from typing import Any

from pymongo.asynchronous.database import AsyncDatabase
from pymongo.errors import ConfigurationError, OperationFailure

logger = logging.getLogger("storage")

MIN_SERVER_VERSION = (4, 4)
"""pymongo 4.x's own minimum; nothing the bot does needs a newer server."""
REQUIRED_ACTIONS = ("find", "insert", "update", "remove", "createIndex", "createCollection")
"""Privilege actions the bot's user needs on every collection of its database (role `readWrite`)."""


class UnsuitableServerError(RuntimeError):
    """The server cannot serve the bot; the message is one line naming what is wrong."""


@dataclass(frozen=True, slots=True)
class ServerCheck:
    version: str
    topology: str
    """`standalone`, `replica set <name>` or `sharded cluster`."""
    problems: tuple[str, ...] = ()
    """Reasons the bot cannot run on this server."""
    notes: tuple[str, ...] = ()
    """Worth a warning, not a refusal."""


def version_tuple(text: str) -> tuple[int, ...]:
    """`7.0.12` → (7, 0, 12); a suffix such as `-rc1` is ignored, unparseable parts end the tuple."""
    parts: list[int] = []
    for piece in text.split("-", 1)[0].split("."):
        if not piece.isdigit():
            break
        parts.append(int(piece))
    return tuple(parts)


def missing_actions(status: Mapping[str, Any], database: str) -> list[str] | None:
    """Actions of REQUIRED_ACTIONS the authenticated user lacks on the whole of `database`.

    `status` is the answer to `{connectionStatus: 1, showPrivileges: true}`. None when nobody is
    authenticated (access control off, or a URI without a user): nothing to compare.
    """
    info = status.get("authInfo") or {}
    if not info.get("authenticatedUsers"):
        return None
    granted: set[str] = set()
    for privilege in info.get("authenticatedUserPrivileges") or []:
        resource = privilege.get("resource") or {}
        whole_database = resource.get("collection") == "" and resource.get("db") in ("", database)
        if resource.get("anyResource") or whole_database:
            granted.update(privilege.get("actions") or [])
    return [action for action in REQUIRED_ACTIONS if action not in granted]


def assess(
    *,
    build_info: Mapping[str, Any],
    hello: Mapping[str, Any],
    status: Mapping[str, Any] | None,
    database: str,
) -> ServerCheck:
    """The verdict on a server from its `buildInfo`, `hello` and `connectionStatus` answers."""
    problems: list[str] = []
    notes: list[str] = []
    version = str(build_info.get("version", "unknown"))
    found = version_tuple(version)
    minimum = ".".join(map(str, MIN_SERVER_VERSION))
    if not found:
        notes.append(f"MongoDB version {version!r} not recognised; {minimum} or newer is needed")
    elif found < MIN_SERVER_VERSION:
        problems.append(f"MongoDB {version} is too old: {minimum} or newer is needed")
    if hello.get("setName"):
        topology = f"replica set {hello['setName']}"
    elif hello.get("msg") == "isdbgrid":
        topology = "sharded cluster"
    else:
        topology = "standalone"
        notes.append(
            "a standalone MongoDB server: it works (the bot uses no transactions), but only a replica "
            "set survives the loss of a server"
        )
    if status is None:
        notes.append("privileges not checked: the server did not answer connectionStatus")
    else:
        missing = missing_actions(status, database)
        if missing is None:
            notes.append("no authenticated user: access control is off, privileges not checked")
        elif missing:
            problems.append(
                f"the database user lacks {', '.join(missing)} on database {database}: "
                f"grant it the role readWrite on {database}"
            )
    return ServerCheck(version=version, topology=topology, problems=tuple(problems), notes=tuple(notes))


async def check_server(db: AsyncDatabase[Any]) -> ServerCheck:
    """Ask the server of `db` what it is and what the connected user may do there."""
    try:
        build_info = await db.command("buildInfo")
        hello = await db.command("hello")
    except ConfigurationError as error:  # pymongo refuses servers older than it supports
        return ServerCheck(version="unknown", topology="unknown", problems=(str(error).split("\n")[0],))
    status: Mapping[str, Any] | None
    try:
        status = await db.command({"connectionStatus": 1, "showPrivileges": True})
    except OperationFailure:
        status = None
    return assess(build_info=build_info, hello=hello, status=status, database=db.name)


async def require_suitable_server(db: AsyncDatabase[Any]) -> ServerCheck:
    """check_server, then log its notes as warnings; raise UnsuitableServerError if it has problems.

    Meant for start-up with `MONGODB_URI`, before the indexes are created.
    """
    verdict = await check_server(db)
    for note in verdict.notes:
        logger.warning("MongoDB: %s", note)
    if verdict.problems:
        raise UnsuitableServerError("; ".join(_one_line(p) for p in verdict.problems))
    logger.info("MongoDB %s, %s: suitable", verdict.version, verdict.topology)
    return verdict


def _one_line(text: str) -> str:
    return " ".join(text.split())
