"""Accepted inbound events: stored before acknowledgement, de-duplicated, replayed after a crash."""

from __future__ import annotations

import os
import socket
import uuid
from datetime import UTC, datetime, timedelta
from typing import Any

from pymongo.errors import DuplicateKeyError

from conversations.events import InboundEvent
from storage.types import Database

MAX_ATTEMPTS = 8  # with the back-off below: retried for about an hour before it is parked
FIRST_RETRY = timedelta(seconds=30)
LONGEST_WAIT = timedelta(minutes=15)
# How long the worker that accepted an event holds it. Another worker (one starting, or the retry
# loop of a running one) takes it over only after that: one that died holding it is recognised
# by the lease running out, one that is alive is never doubled.
LEASE = timedelta(seconds=30)


def _unheld(now: datetime) -> list[dict[str, Any]]:
    """Clauses of an event nobody holds: lease over, or none (released, or from before leases)."""
    return [{"lease_until": {"$lte": now}}, {"lease_until": None}]


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

    async def accept(self, event: InboundEvent) -> bool:
        """Store the event; False when the platform redelivered one we already have."""
        try:
            await self._docs.insert_one(
                {
                    "_id": f"{event.channel}:{event.event_id}",
                    "channel": event.channel,
                    "event_id": event.event_id,
                    "chat_key": event.chat_key,
                    "event": event.to_document(),
                    "status": "pending",
                    "received_at": datetime.now(UTC),
                    "owner": self.worker,
                    "lease_until": datetime.now(UTC) + LEASE,
                }
            )
        except DuplicateKeyError:
            return False
        return True

    async def claim(self, event: InboundEvent, *, now: datetime | None = None) -> bool:
        """Take over a pending event whose lease ran out, whose worker on this machine died, or
        that is this worker's already."""
        now = now or datetime.now(UTC)
        key = f"{event.channel}:{event.event_id}"
        holders: list[dict[str, Any]] = [{"owner": self.worker}, *_unheld(now)]
        doc = await self._docs.find_one({"_id": key}, {"owner": 1})
        if doc is not None and _dead_here(doc.get("owner")):
            holders.append({"owner": doc["owner"]})
        result = await self._docs.update_one(
            {"_id": key, "status": "pending", "$or": holders},
            {"$set": {"owner": self.worker, "lease_until": now + LEASE}},
        )
        return result.matched_count == 1

    async def mark_done(self, event: InboundEvent) -> None:
        await self._docs.update_one(
            {"_id": f"{event.channel}:{event.event_id}"},
            {"$set": {"status": "done", "done_at": datetime.now(UTC)}},
        )

    async def mark_failed(self, event: InboundEvent, *, reason: str, at: datetime | None = None) -> None:
        """Count a failed attempt and when to try again; after MAX_ATTEMPTS the event is parked."""
        key = f"{event.channel}:{event.event_id}"
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
        query = {
            "status": "pending",
            "$or": [
                {"retry_at": {"$lte": now}},
                # Leases are wall-clock time between workers, whatever clock schedules retries.
                {"retry_at": None, "lease_until": {"$lte": datetime.now(UTC)}},
            ],
        }
        cursor = self._docs.find(query).sort("received_at", 1)
        return [InboundEvent.from_document(doc["event"]) async for doc in cursor]

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

    async def scrub_chat(self, *, channel: str, chat_key: str) -> None:
        """Drop message content of a chat but keep the ids that recognise redeliveries."""
        await self._docs.update_many(
            {"channel": channel, "chat_key": chat_key},
            {"$set": {"event.text": "", "event.raw": {}}},
        )
