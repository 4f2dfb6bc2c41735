"""Accepted inbound events: stored before acknowledgement, de-duplicated, replayed after a crash.

Entries are keyed by a hash of the platform's event id: some ids carry personal data (a WhatsApp
message id encodes the phone number, a web chat event id the visitor's chat key). Once a customer
asks to be erased, their entries keep only that hash, the channel, status and times: enough to
recognise a late redelivery, nothing that points to them.
"""

from __future__ import annotations

import asyncio
import hashlib
import os
import socket
import uuid
from datetime import UTC, datetime, timedelta
from typing import Any

from pymongo.errors import BulkWriteError

from core.events import InboundEvent
from storage.types import Database, Document

MAX_ATTEMPTS = 8  # with the back-off below: retried for about an hour before it is parked
FIRST_RETRY = timedelta(seconds=30)
LONGEST_WAIT = timedelta(minutes=15)
# How long the worker that accepted an event holds it. Another worker (one starting, or the retry
# loop of a running one) takes it over only after that: one that died holding it is recognised
# by the lease running out, one that is alive is never doubled.
LEASE = timedelta(seconds=30)
DUPLICATE_KEY = 11000
BATCH_LIMIT = 500  # events stored in one command at most


def event_key(channel: str, event_id: str) -> str:
    """The entry's id: the channel and a hash of the platform's event id."""
    return f"{channel}:{hashed(event_id)}"


def hashed(event_id: str) -> str:
    return hashlib.sha256(event_id.encode()).hexdigest()[:32]


def _dead_here(owner: object) -> bool:
    """True for a worker of this machine whose process is gone (`<host>:<pid>:<nonce>`)."""
    host, _, rest = str(owner or "").partition(":")
    pid = rest.partition(":")[0]
    if host != socket.gethostname() or not pid.isdigit():
        return False
    try:
        os.kill(int(pid), 0)
    except ProcessLookupError:
        return True
    except OSError:
        return False
    return False


def _free(lease_until: object, now: datetime) -> bool:
    if not isinstance(lease_until, datetime):
        return True
    return (lease_until if lease_until.tzinfo else lease_until.replace(tzinfo=UTC)) <= now


class Inbox:
    def __init__(self, db: Database, *, worker: str | None = None) -> None:
        self._docs = db["inbox"]
        self.worker = worker or f"{socket.gethostname()}:{os.getpid()}:{uuid.uuid4().hex[:8]}"
        # Group commit: events accepted while a store is under way go together in the next one.
        self._queued: list[tuple[Document, asyncio.Future[bool]]] = []
        self._storing: asyncio.Task[None] | None = None

    async def accept(self, event: InboundEvent) -> bool:
        """Store the event; False when the platform redelivered one we already have.

        Returns once the event is stored. Events accepted at the same time (a batch of updates, many
        customers at once) share one insert: under load an event costs a fraction of a round trip,
        and alone it waits for nothing.
        """
        now = datetime.now(UTC)
        doc = {
            "_id": event_key(event.channel, event.event_id),
            "channel": event.channel,
            "event_id": hashed(event.event_id),
            "chat_key": event.chat_key,
            "event": event.to_document(),
            "status": "pending",
            "received_at": now,
            "owner": self.worker,
            "lease_until": now + LEASE,
        }
        stored: asyncio.Future[bool] = asyncio.get_running_loop().create_future()
        self._queued.append((doc, stored))
        if self._storing is None:
            self._storing = asyncio.create_task(self._store_queued(), name="inbox accept")
        return await stored

    async def _store_queued(self) -> None:
        try:
            while self._queued:
                batch, self._queued = self._queued[:BATCH_LIMIT], self._queued[BATCH_LIMIT:]
                await self._insert(batch)
        finally:
            self._storing = None

    async def _insert(self, batch: list[tuple[Document, asyncio.Future[bool]]]) -> None:
        failed: dict[int, Exception | None] = {}  # None: there already (a redelivery)
        try:
            await self._docs.insert_many([doc for doc, _ in batch], ordered=False)
        except BulkWriteError as error:
            for write_error in error.details.get("writeErrors", []):
                code = write_error.get("code")
                failed[int(write_error["index"])] = (
                    None
                    if code == DUPLICATE_KEY
                    else RuntimeError(f"the inbox refused an event (code {code})")
                )
        except Exception as error:  # nothing is known to be stored: every caller hears it
            for _, stored in batch:
                if not stored.done():
                    stored.set_exception(error)
            return
        # In the batch's order, so one chat's events are queued as they arrived.
        for index, (_, stored) in enumerate(batch):
            if stored.done():
                continue  # its caller gave up (cancelled); the entry is replayed like any pending one
            if index not in failed:
                stored.set_result(True)
            elif (problem := failed[index]) is None:
                stored.set_result(False)
            else:
                stored.set_exception(problem)

    async def claim(self, event: InboundEvent, *, now: datetime | None = None) -> bool:
        """Take over a pending event whose lease ran out, whose worker on this machine died, or
        that is this worker's already."""
        now = now or datetime.now(UTC)
        key = event_key(event.channel, event.event_id)
        doc = await self._docs.find_one({"_id": key}, {"owner": 1, "lease_until": 1, "status": 1})
        if doc is None or doc.get("status") != "pending":
            return False
        owner, lease = doc.get("owner"), doc.get("lease_until")
        if not (owner == self.worker or _free(lease, now) or _dead_here(owner)):
            return False
        # Compare-and-set on what was read: of two workers taking it over, one wins. (No `$or`:
        # the embedded server scans the collection for one.)
        result = await self._docs.update_one(
            {"_id": key, "status": "pending", "owner": owner, "lease_until": lease},
            {"$set": {"owner": self.worker, "lease_until": now + LEASE}},
        )
        return result.matched_count == 1

    async def mark_delivered(self, event: InboundEvent) -> None:
        """The event's reply went out (a new message, which sending again would show twice)."""
        key = event_key(event.channel, event.event_id)
        await self._docs.update_one({"_id": key}, {"$set": {"delivered_at": datetime.now(UTC)}})

    async def delivered(self, event: InboundEvent) -> bool:
        key = event_key(event.channel, event.event_id)
        found = await self._docs.find_one({"_id": key, "delivered_at": {"$exists": True}}, {"_id": 1})
        return found is not None

    async def mark_done(self, event: InboundEvent) -> None:
        await self.mark_done_many([event])

    async def mark_done_many(self, events: list[InboundEvent]) -> None:
        """Mark finished events done, in one command however many (the dispatcher batches them)."""
        if not events:
            return
        keys = [event_key(event.channel, event.event_id) for event in events]
        query = {"_id": keys[0]} if len(keys) == 1 else {"_id": {"$in": keys}}
        await self._docs.update_many(query, {"$set": {"status": "done", "done_at": datetime.now(UTC)}})

    async def mark_failed(self, event: InboundEvent, *, reason: str, at: datetime | None = None) -> None:
        """Count a failed attempt and when to try again; after MAX_ATTEMPTS the event is parked."""
        key = event_key(event.channel, event.event_id)
        now = at or datetime.now(UTC)
        doc = await self._docs.find_one({"_id": key}, {"attempts": 1})
        attempts = int((doc or {}).get("attempts", 0)) + 1
        wait = min(FIRST_RETRY * 2 ** (attempts - 1), LONGEST_WAIT)
        await self._docs.update_one(
            {"_id": key},
            # Released: whichever worker's retry loop comes first after `retry_at` takes it.
            {
                "$set": {
                    "attempts": attempts,
                    "last_error": reason,
                    "retry_at": now + wait,
                    "lease_until": None,
                }
            },
        )
        await self._docs.update_one(
            {"_id": key, "attempts": {"$gte": MAX_ATTEMPTS}}, {"$set": {"status": "failed"}}
        )

    async def due_for_retry(self, *, now: datetime) -> list[InboundEvent]:
        """Events whose processing failed (a platform or the database was down) and may run again,
        and events of a worker that died holding them (their lease ran out)."""
        failed = self._docs.find({"status": "pending", "retry_at": {"$lte": now}})
        # Leases are wall-clock time between workers, whatever clock schedules retries.
        orphaned = self._docs.find(
            {"status": "pending", "retry_at": None, "lease_until": {"$lte": datetime.now(UTC)}}
        )
        docs = [doc async for doc in failed] + [doc async for doc in orphaned]
        docs.sort(key=lambda doc: doc["received_at"])
        return [InboundEvent.from_document(doc["event"]) for doc in docs]

    async def count_pending(self) -> int:
        return await self._docs.count_documents({"status": "pending"})

    async def pending(self, *, now: datetime | None = None) -> list[InboundEvent]:
        """Events accepted but never finished and held by nobody, oldest first (replay at start-up).

        Events another running worker holds are its own to finish; those of a worker of this
        machine whose process is gone are taken at once rather than when their lease runs out.
        """
        now = now or datetime.now(UTC)
        cursor = self._docs.find({"status": "pending"}).sort("received_at", 1)
        return [
            InboundEvent.from_document(doc["event"])
            async for doc in cursor
            if _free(doc.get("lease_until"), now) or _dead_here(doc.get("owner"))
        ]

    async def scrub_chat(self, *, channel: str, chat_key: str, upto: str | None = None) -> int:
        """Erase what a chat's entries say and who sent them, keeping what recognises redeliveries.

        Entries up to the event `upto` (the erasure request) lose their content, chat and owner and
        count as done: none of them is replayed after the erasure. Events the chat sent after it
        are a new beginning and are left to be processed. The number of entries scrubbed.
        """
        query: dict[str, Any] = {"channel": channel, "chat_key": chat_key}
        if upto is not None:
            current = await self._docs.find_one({"_id": event_key(channel, upto)}, {"received_at": 1})
            if current is not None:
                query["$or"] = [
                    {"status": {"$ne": "pending"}},
                    {"received_at": {"$lte": current["received_at"]}},
                ]
        now = datetime.now(UTC)
        await self._docs.update_many({**query, "done_at": None}, {"$set": {"done_at": now}})
        result = await self._docs.update_many(
            query,
            {
                "$set": {"status": "done"},
                "$unset": {"chat_key": "", "event": "", "owner": "", "lease_until": "", "last_error": ""},
            },
        )
        return result.modified_count
