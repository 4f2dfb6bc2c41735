"""Shared fixtures: one embedded MongoDB per session, a fresh database per test, no network."""

from __future__ import annotations

import ipaddress
import socket
import uuid
from collections.abc import AsyncIterator, Iterator
from typing import Any

import pytest
import pytest_asyncio
from pymongo import AsyncMongoClient
from pymongo.asynchronous.database import AsyncDatabase

from storage.embedded import EmbeddedMongo
from tests.fakes.graph_api import FakeGraph


class NetworkAccessError(RuntimeError):
    """A test tried to reach something other than this machine."""


# Kept apart from OSError on purpose: a client library would treat an OSError as a
# transient failure and retry quietly, so violations are also recorded and fail the test.
_violations: list[str] = []


def _is_loopback(host: object) -> bool:
    if host is None:  # passive lookups (binding a listener) resolve nothing remote
        return True
    if isinstance(host, bytes):
        host = host.decode()
    if not isinstance(host, str):
        return False
    if host.lower() in {"localhost", "localhost.", "ip6-localhost"}:
        return True
    try:
        address = ipaddress.ip_address(host.split("%", 1)[0])
    except ValueError:
        return False
    if isinstance(address, ipaddress.IPv6Address) and address.ipv4_mapped is not None:
        address = address.ipv4_mapped
    return address.is_loopback


def _check(what: str, host: object) -> None:
    if not _is_loopback(host):
        _violations.append(f"{what} {host!r}")
        raise NetworkAccessError(f"tests must not use the network: {what} {host!r}")


def _check_address(what: str, sock: socket.socket, address: Any) -> None:
    if sock.family in (socket.AF_INET, socket.AF_INET6):
        _check(what, address[0])


@pytest.fixture(scope="session", autouse=True)
def _no_network() -> Iterator[None]:
    """Refuse connections and name lookups beyond loopback for the whole session."""
    real_connect = socket.socket.connect
    real_connect_ex = socket.socket.connect_ex
    real_getaddrinfo = socket.getaddrinfo

    def connect(self: socket.socket, address: Any) -> None:
        _check_address("connect to", self, address)
        real_connect(self, address)

    def connect_ex(self: socket.socket, address: Any) -> int:
        _check_address("connect to", self, address)
        return real_connect_ex(self, address)

    def getaddrinfo(host: Any, *args: Any, **kwargs: Any) -> Any:
        # asyncio's loop.getaddrinfo and create_connection resolve through this function.
        _check("name lookup of", host)
        return real_getaddrinfo(host, *args, **kwargs)

    with pytest.MonkeyPatch.context() as patch:
        patch.setattr(socket.socket, "connect", connect)
        patch.setattr(socket.socket, "connect_ex", connect_ex)
        patch.setattr(socket, "getaddrinfo", getaddrinfo)
        yield


@pytest.fixture
def network_attempts() -> list[str]:
    """Attempts refused so far in this test; a test probing the guard clears it."""
    return _violations


@pytest.fixture(autouse=True)
def _fail_on_network_attempt() -> Iterator[None]:
    """Fail the test even if the code under test swallowed the NetworkAccessError."""
    _violations.clear()
    yield
    if _violations:
        attempts = ", ".join(_violations)
        _violations.clear()
        pytest.fail(f"test tried to use the network: {attempts}")


@pytest_asyncio.fixture(scope="session")
async def embedded_mongo(
    _no_network: None, tmp_path_factory: pytest.TempPathFactory
) -> AsyncIterator[EmbeddedMongo]:
    """One embedded server, on SQLite files like in production, for the whole session."""
    server = await EmbeddedMongo.start(data_dir=tmp_path_factory.mktemp("embedded-mongo"))
    yield server
    await server.stop()


@pytest_asyncio.fixture(scope="session")
async def mongo_client(
    embedded_mongo: EmbeddedMongo,
) -> AsyncIterator[AsyncMongoClient[dict[str, Any]]]:
    """A pymongo async client on the embedded server, as the bot configures it."""
    client: AsyncMongoClient[dict[str, Any]] = AsyncMongoClient(embedded_mongo.uri, tz_aware=True)
    yield client
    await client.close()


@pytest_asyncio.fixture
async def db(
    mongo_client: AsyncMongoClient[dict[str, Any]],
) -> AsyncIterator[AsyncDatabase[dict[str, Any]]]:
    """A database of its own for each test, dropped afterwards."""
    name = f"test_{uuid.uuid4().hex[:16]}"
    yield mongo_client[name]
    await mongo_client.drop_database(name)


@pytest_asyncio.fixture
async def graph() -> AsyncIterator[FakeGraph]:
    """A fake WhatsApp Graph API on 127.0.0.1."""
    async with FakeGraph() as fake:
        yield fake
