"""Cache of machine translations, keyed by provider, language pair and the SHA-256 of the original.

The original text is not stored here (the message keeps it). The cached translation is the
provider's answer with protected tokens still as placeholders (see `conversations.translation`),
so order numbers, links and e-mail addresses do not end up in this collection either.
"""

from __future__ import annotations

from datetime import UTC, datetime

from storage.types import Database


def cache_id(*, provider: str, source: str, target: str, text_hash: str) -> str:
    return f"{provider}:{source}:{target}:{text_hash}"


class TranslationCache:
    def __init__(self, db: Database) -> None:
        self._entries = db["translation_cache"]

    async def get(self, *, text_hash: str, source: str, target: str, provider: str) -> str | None:
        document = await self._entries.find_one(
            {"_id": cache_id(provider=provider, source=source, target=target, text_hash=text_hash)}
        )
        if document is None:
            return None
        translated = document.get("translation")
        return translated if isinstance(translated, str) else None

    async def put(
        self, *, text_hash: str, source: str, target: str, provider: str, translated_text: str
    ) -> None:
        await self._entries.update_one(
            {"_id": cache_id(provider=provider, source=source, target=target, text_hash=text_hash)},
            {
                "$set": {
                    "provider": provider,
                    "source": source,
                    "target": target,
                    "text_hash": text_hash,
                    "translation": translated_text,
                    "created_at": datetime.now(UTC),
                }
            },
            upsert=True,
        )

    async def forget(self, *, text_hashes: list[str]) -> int:
        """Erase cached translations of these texts (a customer's words, in every language)."""
        if not text_hashes:
            return 0
        result = await self._entries.delete_many({"text_hash": {"$in": text_hashes}})
        return result.deleted_count
