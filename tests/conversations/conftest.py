"""Fixtures shared by the dialogue tests."""

from __future__ import annotations

import pytest

from core.questionnaire import BUILTIN_DIR, load_file
from storage.store import Store
from storage.types import Database


@pytest.fixture
async def store(db: Database) -> Store:
    """Repositories on a fresh database, with the shipped default questionnaire installed."""
    store = await Store.open(db)
    await store.questionnaires.install(load_file(BUILTIN_DIR / "default.yaml"), source="test")
    return store
