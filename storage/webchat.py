"""The web chat's transcript: what a browser shows again after a reload or a reconnect."""

from __future__ import annotations

import hashlib
from datetime import datetime
from typing import Any

from bson import ObjectId
from pymongo import ASCENDING
from pymongo.errors import DuplicateKeyError

from storage.types import Database, Document

CHANNEL = "web"


class WebChatTranscripts:
    def __init__(self, db: Database) -> None:
        self._docs = db["webchat_messages"]

    async def add(
        self, *, chat_key: str, direction: str, body: dict[str, Any], at: datetime, source: str | None = None
    ) -> str:
        """Append a message; with `source` (the event it came from) a repeat adds nothing."""
        message_id = ObjectId(hashlib.sha256(source.encode()).digest()[:12]) if source else ObjectId()
        try:
            await self._docs.insert_one(
                {"_id": message_id, "chat": chat_key, "direction": direction, "body": body, "at": at}
            )
        except DuplicateKeyError:
            pass
        return str(message_id)

    async def edit(self, *, chat_key: str, message_id: str, body: dict[str, Any]) -> bool:
        if not ObjectId.is_valid(message_id):
            return False
        result = await self._docs.update_one(
            {"_id": ObjectId(message_id), "chat": chat_key, "direction": "out"}, {"$set": {"body": body}}
        )
        return result.matched_count == 1

    async def recent(self, *, chat_key: str, limit: int) -> list[Document]:
        """The last `limit` messages, oldest first."""
        cursor = self._docs.find({"chat": chat_key}).sort([("at", -1), ("_id", -1)]).limit(limit)
        return list(reversed(await cursor.to_list(None)))

    async def since(self, *, chat_key: str, at: datetime) -> list[Document]:
        cursor = self._docs.find({"chat": chat_key, "at": {"$gte": at}}).sort([("at", ASCENDING)])
        return await cursor.to_list(None)

    async def forget_chat(self, *, channel: str, chat_key: str) -> None:
        if channel == CHANNEL:  # other channels' chat keys are not ours
            await self.erase(chat_key=chat_key)

    async def erase(self, *, chat_key: str) -> int:
        return (await self._docs.delete_many({"chat": chat_key})).deleted_count
