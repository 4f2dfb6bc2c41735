"""Invitations to a questionnaire after an order, and which chat a shop's customer reference uses."""

from __future__ import annotations

from collections.abc import AsyncIterator
from datetime import datetime
from typing import Any

from pymongo.errors import DuplicateKeyError

from storage.types import Database, Document


class Invitations:
    def __init__(self, db: Database) -> None:
        self._docs = db["invitations"]
        self._links = db["customer_links"]

    async def create(self, *, fields: dict[str, Any]) -> tuple[Document, bool]:
        """Insert; when this order was already invited to this questionnaire, the existing one and False."""
        try:
            await self._docs.insert_one(dict(fields))
            return fields, True
        except DuplicateKeyError:
            existing = await self._docs.find_one(
                {"questionnaire_id": fields["questionnaire_id"], "order_ref": fields["order_ref"]}
            )
            if existing is None:
                existing = await self._docs.find_one({"_id": fields["_id"]})
            if existing is None:
                raise
            return existing, False

    async def created(self) -> AsyncIterator[tuple[str, datetime]]:
        """(questionnaire, creation time) of every invitation."""
        async for doc in self._docs.find({}, {"questionnaire_id": 1, "created_at": 1}):
            if isinstance(doc.get("created_at"), datetime):
                yield str(doc["questionnaire_id"]), doc["created_at"]

    async def get(self, *, invitation_id: str) -> Document | None:
        return await self._docs.find_one({"_id": invitation_id})

    async def mark(
        self, *, invitation_id: str, field: str, at: datetime, extra: dict[str, Any] | None = None
    ) -> bool:
        """Set `field` (opened_at, sent_at, reminded_at …) the first time only; True if this was the first."""
        result = await self._docs.update_one(
            {"_id": invitation_id, field: None}, {"$set": {field: at, **(extra or {})}}
        )
        return result.modified_count == 1

    async def between(self, *, questionnaire_id: str, start: datetime, end: datetime) -> list[Document]:
        query = {"questionnaire_id": questionnaire_id, "created_at": {"$gte": start, "$lte": end}}
        return [doc async for doc in self._docs.find(query)]

    async def link(
        self, *, channel: str, customer_ref: str, chat_key: str, customer_id: str, at: datetime
    ) -> None:
        await self._links.update_one(
            {"_id": f"{channel}:{customer_ref}"},
            {"$set": {"chat_key": chat_key, "customer_id": customer_id, "linked_at": at}},
            upsert=True,
        )

    async def linked_chat(self, *, channel: str, customer_ref: str) -> Document | None:
        return await self._links.find_one({"_id": f"{channel}:{customer_ref}"})

    async def unlink_customer(self, *, customer_id: str) -> None:
        await self._links.delete_many({"customer_id": customer_id})
