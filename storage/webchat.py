"""The web chat's transcript: what a browser shows again after a reload or a reconnect."""

from __future__ import annotations

import hashlib
from datetime import datetime
from typing import Any

from bson import ObjectId
from pymongo import ASCENDING, InsertOne, UpdateOne
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

    async def store_out(
        self, *, chat_key: str, messages: list[tuple[str | None, dict[str, Any]]], at: datetime
    ) -> list[tuple[str, bool]]:
        """The bot's messages of one reply, in one round trip and in order: each replaces the body of
        the stored message its ref names, or is stored new. Per message: its id, and whether it
        replaced a stored one."""
        # Ids made now, in order: messages stored at the same `at` sort by id.
        fresh = [ObjectId() for _ in messages]
        edits: dict[int, ObjectId] = {}
        ops: list[InsertOne[Document] | UpdateOne] = []
        for index, ((ref, body), message_id) in enumerate(zip(messages, fresh, strict=True)):
            if ref is not None and ObjectId.is_valid(ref):
                edits[index] = ObjectId(ref)
                ops.append(
                    UpdateOne(
                        {"_id": edits[index], "chat": chat_key, "direction": "out"}, {"$set": {"body": body}}
                    )
                )
            else:
                ops.append(InsertOne(_out(message_id, chat_key, body, at)))
        if not ops:
            return []
        result = await self._docs.bulk_write(ops, ordered=True)
        missing: set[int] = set()
        if result.matched_count < len(edits):
            # A ref to a message never stored (the prompt an anonymous visitor was shown): stored new.
            query = {"_id": {"$in": list(edits.values())}, "chat": chat_key, "direction": "out"}
            found = {doc["_id"] async for doc in self._docs.find(query, {"_id": 1})}
            missing = {index for index, ref in edits.items() if ref not in found}
            await self._docs.insert_many(
                [_out(fresh[index], chat_key, messages[index][1], at) for index in sorted(missing)]
            )
        return [
            (str(edits[index]), True)
            if index in edits and index not in missing
            else (str(fresh[index]), False)
            for index in range(len(messages))
        ]

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


def _out(message_id: ObjectId, chat_key: str, body: dict[str, Any], at: datetime) -> Document:
    return {"_id": message_id, "chat": chat_key, "direction": "out", "body": body, "at": at}
