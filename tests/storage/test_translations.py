"""The translation cache on MongoDB."""

from __future__ import annotations

from datetime import datetime
from typing import Any

from pymongo.asynchronous.database import AsyncDatabase

from conversations.translation import text_hash
from handlers.translator import TranslationService
from storage.translations import TranslationCache


async def test_put_then_get_by_key(db: AsyncDatabase[dict[str, Any]]) -> None:
    cache = TranslationCache(db)
    key = text_hash("bonjour")
    assert await cache.get(text_hash=key, source="fr", target="en", provider="google") is None
    await cache.put(text_hash=key, source="fr", target="en", provider="google", translated_text="hello")
    assert await cache.get(text_hash=key, source="fr", target="en", provider="google") == "hello"
    assert await cache.get(text_hash=key, source="fr", target="de", provider="google") is None
    assert await cache.get(text_hash=key, source="fr", target="en", provider="deepl") is None

    document = await db["translation_cache"].find_one({"_id": f"google:fr:en:{key}"})
    assert document is not None
    assert {k: document[k] for k in ("provider", "source", "target", "text_hash", "translation")} == {
        "provider": "google",
        "source": "fr",
        "target": "en",
        "text_hash": key,
        "translation": "hello",
    }
    assert isinstance(document["created_at"], datetime)
    assert "bonjour" not in str(document)


async def test_put_twice_replaces(db: AsyncDatabase[dict[str, Any]]) -> None:
    cache = TranslationCache(db)
    key = text_hash("salut")
    await cache.put(text_hash=key, source="fr", target="en", provider="google", translated_text="hi")
    await cache.put(text_hash=key, source="fr", target="en", provider="google", translated_text="hello")
    assert await cache.get(text_hash=key, source="fr", target="en", provider="google") == "hello"
    assert await db["translation_cache"].count_documents({}) == 1


class Upper:
    name = "upper"

    def __init__(self) -> None:
        self.calls = 0

    def translate(self, text: str, *, source: str, target: str) -> str:
        self.calls += 1
        return text.upper()


async def test_translator_over_mongo_cache_keeps_no_original_or_tokens(
    db: AsyncDatabase[dict[str, Any]],
) -> None:
    provider = Upper()
    translator = TranslationService(provider, TranslationCache(db), rate_per_second=None)
    text = "écrivez à jane@example.org pour A1234-XY"
    first = await translator.translate(text, source="fr", target="en")
    second = await translator.translate(text, source="fr", target="en")
    assert first.text == second.text == "ÉCRIVEZ À jane@example.org POUR A1234-XY"
    assert provider.calls == 1
    documents = await db["translation_cache"].find().to_list()
    assert len(documents) == 1
    assert documents[0]["translation"] == "ÉCRIVEZ À {0} POUR {1}"
