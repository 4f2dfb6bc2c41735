"""Invitations to a questionnaire after an order, and which chat a shop's customer reference uses."""

from __future__ import annotations

from collections.abc import AsyncIterator
from datetime import datetime
from typing import Any

from pydantic import BaseModel, ConfigDict, Field
from pymongo.errors import DuplicateKeyError

from storage.types import Database


class Invitation(BaseModel):
    """An order's invitation to a questionnaire; the times say how far it got."""

    model_config = ConfigDict(frozen=True, extra="ignore", populate_by_name=True)

    id: str = Field(alias="_id")
    channel: str
    customer_ref: str
    order_ref: str
    questionnaire_id: str
    language: str | None = None
    segment: str | None = None
    country: str | None = None
    timezone: str | None = None
    send_at: datetime | None = None
    source: str = ""
    created_at: datetime
    opened_at: datetime | None = None
    opened_by: str | None = None
    sent_at: datetime | None = None
    reminded_at: datetime | None = None

    @property
    def reached(self) -> bool:
        """Sent into the chat, or opened by its link before that."""
        return self.sent_at is not None or self.opened_at is not None


class CustomerLink(BaseModel):
    """Which chat a shop's customer reference uses on a channel (the chat that opened an invitation)."""

    model_config = ConfigDict(frozen=True, extra="ignore")

    chat_key: str
    customer_id: str
    linked_at: datetime | None = None


class Invitations:
    def __init__(self, db: Database) -> None:
        self._docs = db["invitations"]
        self._links = db["customer_links"]

    async def create(self, *, fields: dict[str, Any]) -> tuple[Invitation, bool]:
        """Insert; when this order was already invited to this questionnaire, the existing one and False."""
        invitation = Invitation.model_validate(fields)  # refused before anything is written
        try:
            await self._docs.insert_one(dict(fields))
            return invitation, True
        except DuplicateKeyError:
            existing = await self._docs.find_one(
                {"questionnaire_id": fields["questionnaire_id"], "order_ref": fields["order_ref"]}
            )
            if existing is None:
                existing = await self._docs.find_one({"_id": fields["_id"]})
            if existing is None:
                raise
            return Invitation.model_validate(existing), False

    async def created(self) -> AsyncIterator[tuple[str, datetime]]:
        """(questionnaire, creation time) of every invitation."""
        async for doc in self._docs.find({}, {"questionnaire_id": 1, "created_at": 1}):
            if isinstance(doc.get("created_at"), datetime):
                yield str(doc["questionnaire_id"]), doc["created_at"]

    async def get(self, *, invitation_id: str) -> Invitation | None:
        doc = await self._docs.find_one({"_id": invitation_id})
        return None if doc is None else Invitation.model_validate(doc)

    async def mark(
        self, *, invitation_id: str, field: str, at: datetime, extra: dict[str, Any] | None = None
    ) -> bool:
        """Set `field` (opened_at, sent_at, reminded_at …) the first time only; True if this was the first."""
        result = await self._docs.update_one(
            {"_id": invitation_id, field: None}, {"$set": {field: at, **(extra or {})}}
        )
        return result.modified_count == 1

    async def between(self, *, questionnaire_id: str, start: datetime, end: datetime) -> list[Invitation]:
        query = {"questionnaire_id": questionnaire_id, "created_at": {"$gte": start, "$lte": end}}
        return [Invitation.model_validate(doc) async for doc in self._docs.find(query)]

    async def link(
        self, *, channel: str, customer_ref: str, chat_key: str, customer_id: str, at: datetime
    ) -> None:
        await self._links.update_one(
            {"_id": f"{channel}:{customer_ref}"},
            {"$set": {"chat_key": chat_key, "customer_id": customer_id, "linked_at": at}},
            upsert=True,
        )

    async def linked_chat(self, *, channel: str, customer_ref: str) -> CustomerLink | None:
        doc = await self._links.find_one({"_id": f"{channel}:{customer_ref}"})
        return None if doc is None else CustomerLink.model_validate(doc)

    async def unlink_customer(self, *, customer_id: str) -> None:
        await self._links.delete_many({"customer_id": customer_id})
