"""Fixtures for scenario tests through the real Telegram stack."""

from __future__ import annotations

import asyncio
from collections.abc import AsyncIterator
from pathlib import Path
from typing import Any

import pytest
import pytest_asyncio
from aiohttp import web
from pymongo.asynchronous.database import AsyncDatabase

from storage.embedded import EmbeddedMongo
from tests.fakes.libretranslate import FakeLibreTranslate
from tests.fakes.telegram_api import FakeTelegram
from tests.handlers.telegram_harness import BotRunner


@pytest_asyncio.fixture
async def telegram() -> AsyncIterator[FakeTelegram]:
    async with FakeTelegram() as fake:
        yield fake


async def _runner(
    telegram: FakeTelegram,
    embedded_mongo: EmbeddedMongo,
    db: AsyncDatabase[dict[str, Any]],
    tmp_path: Path,
    *,
    webhook: bool,
) -> AsyncIterator[BotRunner]:
    runner = BotRunner(
        telegram=telegram, mongo_uri=embedded_mongo.uri, database=db.name, data_dir=tmp_path, webhook=webhook
    )
    try:
        yield runner
    finally:
        await runner.stop()


@pytest_asyncio.fixture
async def polling(
    telegram: FakeTelegram, embedded_mongo: EmbeddedMongo, db: AsyncDatabase[dict[str, Any]], tmp_path: Path
) -> AsyncIterator[BotRunner]:
    """A bot in long-polling mode (not yet started)."""
    async for runner in _runner(telegram, embedded_mongo, db, tmp_path, webhook=False):
        yield runner


@pytest_asyncio.fixture
async def webhook(
    telegram: FakeTelegram, embedded_mongo: EmbeddedMongo, db: AsyncDatabase[dict[str, Any]], tmp_path: Path
) -> AsyncIterator[BotRunner]:
    """A bot in webhook mode (not yet started)."""
    async for runner in _runner(telegram, embedded_mongo, db, tmp_path, webhook=True):
        yield runner


@pytest_asyncio.fixture
async def libre(monkeypatch: pytest.MonkeyPatch) -> AsyncIterator[FakeLibreTranslate]:
    # requests honours proxy variables; loopback must go direct.
    monkeypatch.setenv("NO_PROXY", "127.0.0.1,localhost")
    monkeypatch.setenv("no_proxy", "127.0.0.1,localhost")
    fake = FakeLibreTranslate()
    app = web.Application()
    app.router.add_post("/translate", fake.translate)
    runner = web.AppRunner(app, shutdown_timeout=1)
    await runner.setup()
    site = web.TCPSite(runner, "127.0.0.1", 0)
    await site.start()
    port = site._server.sockets[0].getsockname()[1]  # type: ignore[union-attr]
    fake.base_url = f"http://127.0.0.1:{port}"
    try:
        yield fake
    finally:
        fake.release.set()  # let a hung request finish so its worker thread ends
        await asyncio.sleep(0.05)
        await runner.cleanup()
