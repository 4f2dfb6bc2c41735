"""Complaint tickets: one document each, with its history, written with a version number."""

from __future__ import annotations

import hashlib
from collections.abc import Callable
from datetime import UTC, datetime
from typing import Any

from pymongo.errors import DuplicateKeyError

from core.tickets import Status, Ticket, TicketDescription, TicketFigures
from storage.types import Database, Document

# No 0/O, 1/I/L, 5/S or 2/Z: ids are read out on the phone and typed from screenshots.
ALPHABET = "346789ABCDEFGHJKMNPQRTUVWXY"
ID_LENGTH = 6
ID_PREFIX = "C-"
REDACTED = "[erased at the customer's request]"
MAX_ID_TRIES = 8


def ticket_id_for(source: str, attempt: int = 0) -> str:
    """A short id derived from the event that created the ticket (a retried event gets the same)."""
    number = int.from_bytes(hashlib.sha256(f"{source}#{attempt}".encode()).digest()[:8], "big")
    chars = []
    for _ in range(ID_LENGTH):
        number, index = divmod(number, len(ALPHABET))
        chars.append(ALPHABET[index])
    return ID_PREFIX + "".join(chars)


class Tickets:
    def __init__(self, db: Database) -> None:
        self._docs = db["tickets"]

    async def free_id(self, *, source: str) -> str:
        """The id a ticket born of `source` gets: its own if it exists, else the first one not taken."""
        existing = await self._docs.find_one({"source": source}, {"_id": 1})
        if existing is not None:
            return str(existing["_id"])
        for attempt in range(MAX_ID_TRIES):
            candidate = ticket_id_for(source, attempt)
            if await self._docs.find_one({"_id": candidate}, {"_id": 1}) is None:
                return candidate
        raise RuntimeError("no free ticket id after several tries")

    async def create(self, *, source: str, fields: dict[str, Any], ticket_id: str | None = None) -> Ticket:
        """Insert the ticket born of `source` (channel:event id), or return the one it already made.

        `ticket_id` is the id the customer was already told (from `free_id`); taken by then, the
        next free one is used.
        """
        existing = await self._docs.find_one({"source": source})
        if existing is not None:
            return Ticket.model_validate(existing)
        now = datetime.now(UTC)
        candidates = [ticket_id] if ticket_id else []
        candidates += [ticket_id_for(source, attempt) for attempt in range(MAX_ID_TRIES)]
        for candidate in candidates:
            doc = {
                **fields,
                "_id": candidate,
                "source": source,
                "version": 1,
                "created_at": fields.get("created_at", now),
                "updated_at": now,
            }
            try:
                await self._docs.insert_one(doc)
                return Ticket.model_validate(doc)
            except DuplicateKeyError:
                # Either this source won a race (unique index on source) or the id is taken.
                existing = await self._docs.find_one({"source": source})
                if existing is not None:
                    return Ticket.model_validate(existing)
        raise RuntimeError("no free ticket id after several tries")

    async def get(self, *, ticket_id: str) -> Ticket | None:
        doc = await self._docs.find_one({"_id": ticket_id})
        return None if doc is None else Ticket.model_validate(doc)

    async def update(
        self,
        *,
        ticket_id: str,
        expected_version: int,
        changes: dict[str, Any],
        event: dict[str, Any] | None = None,
    ) -> bool:
        """Apply `changes` (and append `event` to the history) unless someone changed it meanwhile."""
        update: dict[str, Any] = {
            "$set": {**changes, "updated_at": datetime.now(UTC)},
            "$inc": {"version": 1},
        }
        if event is not None:
            update["$push"] = {"history": {**event, "at": event.get("at", datetime.now(UTC))}}
        result = await self._docs.update_one({"_id": ticket_id, "version": expected_version}, update)
        return result.matched_count == 1

    async def modify(
        self,
        *,
        ticket_id: str,
        change: Callable[[Ticket], dict[str, Any]],
        event: dict[str, Any] | None,
        tries: int = 5,
    ) -> Ticket | None:
        """Read, decide with `change`, write with the version read; again when someone wrote between.

        The ticket as saved, or None when it does not exist (any more). `change` may raise to refuse.
        """
        for _ in range(tries):
            ticket = await self.get(ticket_id=ticket_id)
            if ticket is None:
                return None
            changes = change(ticket)
            if await self.update(
                ticket_id=ticket_id, expected_version=ticket.version, changes=changes, event=event
            ):
                fresh = await self.get(ticket_id=ticket_id)
                if fresh is not None:
                    return fresh
        raise RuntimeError("the ticket kept changing; try again")

    async def set_fields(self, *, ticket_id: str, changes: dict[str, Any]) -> None:
        """Fields no one else writes (delivery bookkeeping); no version check, no history."""
        await self._docs.update_one({"_id": ticket_id}, {"$set": changes})

    async def count_for_order(self, *, order_ref: str, excluding: str | None = None) -> int:
        query: dict[str, Any] = {"order_ref": order_ref}
        if excluding is not None:
            query["_id"] = {"$ne": excluding}
        return await self._docs.count_documents(query)

    async def remember(self, *, ticket_id: str, field: str, value: str) -> None:
        """Add `value` to the list `field` once (references to what the desk shows about a ticket)."""
        await self._docs.update_one({"_id": ticket_id}, {"$addToSet": {field: value}})

    async def count_breached(self) -> int:
        """Tickets with at least one missed deadline that are not closed yet."""
        return await self._docs.count_documents(
            {"breached.0": {"$exists": True}, "status": {"$ne": "closed"}}
        )

    async def created_between(self, *, start: datetime, end: datetime) -> list[TicketFigures]:
        """Tickets created in [start, end), with only what complaint figures need (no words, no ids)."""
        fields = ["category", "team", "urgent", "status", "deadlines", "met", "created_at", "closed_at"]
        projection = {
            **dict.fromkeys(fields, 1),
            "followup.sent_at": 1,
            "followup.rating": 1,
            "history.action": 1,
        }
        cursor = self._docs.find({"created_at": {"$gte": start, "$lt": end}}, projection)
        return [TicketFigures.model_validate(doc) async for doc in cursor]

    async def descriptions_between(self, *, start: datetime, end: datetime) -> list[TicketDescription]:
        """Complaint descriptions of tickets created in [start, end), with category and language only."""
        query = {"created_at": {"$gte": start, "$lt": end}, "redacted_at": {"$exists": False}}
        projection = {"description": 1, "description_language": 1, "category": 1, "created_at": 1}
        return [TicketDescription.model_validate(doc) async for doc in self._docs.find(query, projection)]

    async def earliest_created(self) -> datetime | None:
        """When the oldest stored ticket was opened (None when there is none)."""
        async for doc in self._docs.find({}, {"created_at": 1}).sort("created_at", 1).limit(1):
            at: datetime = doc["created_at"]
            return at if at.tzinfo else at.replace(tzinfo=UTC)
        return None

    async def open_for_customer(self, *, customer_id: str) -> list[Ticket]:
        cursor = self._docs.find({"customer_id": customer_id, "status": {"$ne": Status.CLOSED.value}}).sort(
            "created_at", -1
        )
        return [Ticket.model_validate(doc) async for doc in cursor]

    async def for_customer(self, *, customer_id: str) -> list[Ticket]:
        cursor = self._docs.find({"customer_id": customer_id}).sort("created_at", 1)
        return [Ticket.model_validate(doc) async for doc in cursor]

    async def texts_for_customer(self, *, customer_id: str) -> list[str]:
        """Everything written in the customer's tickets, by them or to them (translations to forget)."""
        texts: list[str] = []
        async for doc in self._docs.find({"customer_id": customer_id}):
            texts += [str(doc.get(k) or "") for k in ("description", "product")]
            texts += [str(e.get("text") or "") for e in doc.get("history") or [] if isinstance(e, dict)]
            texts += [
                str((doc.get("proposal") or {}).get("text") or ""),
                str((doc.get("followup") or {}).get("comment") or ""),
            ]
            texts += [str(sent.get("text") or "") for sent in (doc.get("shown") or {}).values()]
        return [t for t in texts if t.strip()]

    async def closed_before(self, *, cutoff: datetime, unredacted: bool = False) -> list[str]:
        query: Document = {"status": "closed", "closed_at": {"$lt": cutoff}}
        if unredacted:
            query["redacted_at"] = None
        return [str(doc["_id"]) async for doc in self._docs.find(query, {"_id": 1})]

    async def redact(self, *, ticket_ids: list[str]) -> None:
        """Retention: the same redaction as an erasure request, ticket by ticket."""
        for ticket_id in ticket_ids:
            doc = await self._docs.find_one({"_id": ticket_id}, {"customer_id": 1})
            if doc is not None and doc.get("customer_id"):
                await self.redact_for_customer(customer_id=str(doc["customer_id"]), only=ticket_id)

    async def redact_for_customer(self, *, customer_id: str, only: str | None = None) -> list[str]:
        """Remove the customer's words, photos, order and chat from their tickets; the ids redacted.

        History entries keep who did what and when, not what was written (either side may have
        quoted the customer); what the customer was sent (`shown`) goes too.
        """
        redacted: list[str] = []
        query: Document = {"customer_id": customer_id} | ({"_id": only} if only else {})
        async for doc in self._docs.find(query, {"_id": 1, "history": 1}):
            history = [{k: v for k, v in entry.items() if k != "text"} for entry in doc.get("history") or []]
            await self._docs.update_one(
                {"_id": doc["_id"]},
                {
                    "$set": {
                        "customer_id": None,
                        "chat_key": None,
                        "description": REDACTED,
                        "product": REDACTED,
                        "contact_time_note": None,
                        "order_ref": None,
                        "photos": [],
                        "history": history,
                        "proposal": None,
                        "shown": None,
                        "followup.comment": None,
                        "redacted_at": datetime.now(UTC),
                    },
                    "$inc": {"version": 1},
                },
            )
            redacted.append(str(doc["_id"]))
        return redacted
