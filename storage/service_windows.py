"""When each customer last wrote (platforms with a messaging window), and messages held until they write."""

from __future__ import annotations

from datetime import datetime
from typing import Any

from pymongo.errors import DuplicateKeyError

from storage.types import Database


class ServiceWindows:
    def __init__(self, db: Database) -> None:
        self._docs = db["service_windows"]

    async def customer_wrote(self, *, channel: str, chat_key: str, at: datetime) -> None:
        # $max: a late redelivery of an older message must not move the window back.
        await self._docs.update_one(
            {"_id": f"{channel}:{chat_key}"}, {"$max": {"last_inbound_at": at}}, upsert=True
        )

    async def last_inbound(self, *, channel: str, chat_key: str) -> datetime | None:
        doc = await self._docs.find_one({"_id": f"{channel}:{chat_key}"})
        return None if doc is None else doc.get("last_inbound_at")

    async def forget_chat(self, *, channel: str, chat_key: str) -> None:
        await self._docs.delete_one({"_id": f"{channel}:{chat_key}"})


class HeldMessages:
    """Messages that may not go out yet; each is taken by exactly one worker."""

    def __init__(self, db: Database) -> None:
        self._docs = db["held_messages"]

    async def hold(
        self, *, channel: str, chat_key: str, message_id: str, message: dict[str, Any], at: datetime
    ) -> bool:
        """False when this message is held already (a retried job holds nothing twice)."""
        try:
            await self._docs.insert_one(
                {"_id": message_id, "chat": f"{channel}:{chat_key}", "message": message, "held_at": at}
            )
        except DuplicateKeyError:
            return False
        return True

    async def take(self, *, channel: str, chat_key: str) -> list[dict[str, Any]]:
        """The held messages, oldest first, removed as they are taken (a concurrent taker gets none)."""
        found = await self._docs.find({"chat": f"{channel}:{chat_key}"}).sort("held_at", 1).to_list(None)
        taken = []
        for doc in found:
            if (await self._docs.delete_one({"_id": doc["_id"]})).deleted_count == 1:
                taken.append(doc["message"])
        return taken

    async def forget_chat(self, *, channel: str, chat_key: str) -> None:
        await self._docs.delete_many({"chat": f"{channel}:{chat_key}"})
