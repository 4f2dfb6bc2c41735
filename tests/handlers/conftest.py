"""Fixtures for scenario tests through the real Telegram stack."""

from __future__ import annotations

from collections.abc import AsyncIterator
from pathlib import Path
from typing import Any

import pytest_asyncio
from pymongo.asynchronous.database import AsyncDatabase

from storage.embedded import EmbeddedMongo
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
