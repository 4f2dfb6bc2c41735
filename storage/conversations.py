"""Dialogue state per chat, written with optimistic concurrency (a version number)."""

from __future__ import annotations

import dataclasses
from datetime import UTC, datetime
from typing import Any

from pymongo.errors import DuplicateKeyError

from core.responses import Response, ResponseStatus, answers_from_document
from storage.types import Database, Document

RECENT_EVENTS_KEPT = 20


class Conversations:
    """Documents keyed `<channel>:<chat_key>`; `version` counts successful saves."""

    def __init__(self, db: Database) -> None:
        self._docs = db["conversations"]

    @staticmethod
    def key(*, channel: str, chat_key: str) -> str:
        return f"{channel}:{chat_key}"

    async def load(self, *, channel: str, chat_key: str) -> Document | None:
        return await self._docs.find_one({"_id": self.key(channel=channel, chat_key=chat_key)})

    async def for_response(self, *, response_id: str) -> Document | None:
        """The conversation in which this survey response is being answered, if any still is."""
        return await self._docs.find_one({"response_id": response_id})

    async def save(self, *, state: Document, expected_version: int, event_id: str) -> Document | None:
        """Write `state` if nobody saved since `expected_version`: the document as now stored, or
        None on a lost race.

        A versioned `update_one` rather than `find_one_and_update`: equally atomic on MongoDB,
        and the embedded server's slow path is `find_one_and_update`.
        """
        body: dict[str, Any] = {
            k: v for k, v in state.items() if k not in {"_id", "version", "recent_events"}
        }
        body["updated_at"] = datetime.now(UTC)
        recent = [*state.get("recent_events", []), event_id][-RECENT_EVENTS_KEPT:]
        body["recent_events"] = recent
        stored = {"_id": state["_id"], "version": expected_version + 1, **body}
        if expected_version == 0:
            try:
                await self._docs.insert_one(dict(stored))
            except DuplicateKeyError:
                return None
            return stored
        result = await self._docs.update_one(
            {"_id": state["_id"], "version": expected_version},
            {"$set": body, "$inc": {"version": 1}},
        )
        return stored if result.matched_count == 1 else None

    async def with_answers_so_far(self, responses: list[Response]) -> list[Response]:
        """`responses` with the answers of those still in progress taken from their conversations.

        A survey's answers are copied to `responses` when it is completed or left; until then they
        live in the conversation, so whoever shows a response in progress (/mydata, the export)
        reads them there. One query, however many responses.
        """
        ids = [response.id for response in responses if response.status is ResponseStatus.IN_PROGRESS]
        if not ids:
            return responses
        query = {"response_id": ids[0]} if len(ids) == 1 else {"response_id": {"$in": ids}}
        so_far = {
            str(doc["response_id"]): answers_from_document(doc["answers"])
            async for doc in self._docs.find(query, {"response_id": 1, "answers": 1})
            if isinstance(doc.get("answers"), dict)  # None: a chat from before answers were kept there
        }
        return [
            dataclasses.replace(response, answers=so_far[response.id])
            if response.status is ResponseStatus.IN_PROGRESS and response.id in so_far
            else response
            for response in responses
        ]

    async def clear_outbox(self, *, key: str, event_id: str) -> None:
        """Forget effects once applied; only those of `event_id` (a newer commit brings its own).

        Not versioned: it changes nothing a step reads, so it must not fail another's save.
        """
        await self._docs.update_one({"_id": key, "outbox.event_id": event_id}, {"$set": {"outbox": None}})

    async def delete(self, *, channel: str, chat_key: str) -> None:
        await self._docs.delete_one({"_id": self.key(channel=channel, chat_key=chat_key)})

    async def delete_for_customer(self, *, customer_id: str) -> None:
        await self._docs.delete_many({"customer_id": customer_id})
