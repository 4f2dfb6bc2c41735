"""Each kind of personal data kept only as long as its setting says; run with the periodic sweep."""

from __future__ import annotations

import logging
from collections.abc import Callable
from dataclasses import dataclass
from datetime import UTC, datetime, timedelta

from core.jobs import TicketPublish
from storage.store import Store

log = logging.getLogger("bot.retention")


@dataclass(frozen=True, slots=True)
class RetentionPolicy:
    responses_days: int = 365
    feedback_days: int = 365
    contacts_days: int = 90  # after the ticket closed
    tickets_days: int = 730  # after closing: words, order and customer link go, statistics stay


async def enforce(
    store: Store, policy: RetentionPolicy, *, clock: Callable[[], datetime] = lambda: datetime.now(UTC)
) -> dict[str, int]:
    """Erase what has outlived its period; how many of each kind."""
    now = clock()
    done = {
        "responses": await store.responses.purge_started_before(
            cutoff=now - timedelta(days=policy.responses_days)
        ),
        "feedback": await store.feedback.purge_received_before(
            cutoff=now - timedelta(days=policy.feedback_days)
        ),
        "contacts": await store.contacts.erase_for_tickets(
            ticket_ids=await store.tickets.closed_before(cutoff=now - timedelta(days=policy.contacts_days))
        ),
    }
    old = await store.tickets.closed_before(cutoff=now - timedelta(days=policy.tickets_days), unredacted=True)
    await store.tickets.redact(ticket_ids=old)
    for ticket_id in old:  # the agents' desk is redrawn without the words, like after /delete
        await store.jobs.put(TicketPublish(ticket=ticket_id), key=f"{ticket_id}:erased", due_at=now)
    done["tickets"] = len(old)
    for kind, count in done.items():
        if count:
            log.info("retention: %d %s past their period erased", count, kind)
    return done
