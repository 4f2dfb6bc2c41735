"""Turning a confirmed complaint draft into a ticket, its deadlines and its hand-off to agents."""

from __future__ import annotations

from datetime import datetime
from typing import Any

from babel.dates import format_date, format_skeleton

from conversations.complaint_policy import Deadline
from conversations.detection import detect
from conversations.outbox import Op
from conversations.turn import Turn

PUBLISH = "ticket.publish"
REMINDER = "ticket.reminder"
BREACH = "ticket.breach"


async def open_ticket(turn: Turn) -> str:
    """Create the ticket (once per confirming event), schedule its jobs; the customer's confirmation."""
    policy, store = turn.config.complaints, turn.store
    draft, now = turn.complaint(), turn.config.clock()
    team = policy.team_for(str(draft.category))
    deadlines = policy.deadlines(team, now)
    description = draft.description or ""
    written_in = detect(description, supported=turn.catalogs.languages)
    order_ref = draft.order_ref
    reasons: list[str] = []
    if draft.rating == 1:
        reasons.append("rating 1")
    if order_ref and await store.tickets.count_for_order(order_ref=order_ref) > 0:
        reasons.append("repeat complaint on this order")
    words = policy.urgent_words_in(description, draft.product or "")
    if words:
        reasons.append("mentions " + ", ".join(words))
    fields: dict[str, Any] = {
        "customer_id": turn.customer.id,
        "channel": turn.event.channel,
        "chat_key": turn.event.chat_key,
        "language": turn.language,
        "category": draft.category,
        "order_ref": order_ref,
        "product": draft.product,
        "description": description,
        "description_language": written_in.language if written_in else None,
        "photos": [photo.model_dump() for photo in draft.photos],
        "expectation": draft.expectation,
        "contact_time": draft.contact_time,
        "has_contact": bool(draft.contact),
        "sensitive_consent": draft.sensitive,
        "rating": draft.rating,
        "team": team.name,
        "status": "open",
        "urgent": bool(reasons),
        "urgency_reasons": reasons,
        "deadlines": {kind.value: at for kind, at in deadlines.items()},
        # The customer chose the category: classified at intake, well within the policy's 24 h.
        "met": {"classification": now},
        "created_at": now,
        "history": [{"at": now, "actor": "customer", "action": "created"}],
    }
    source = f"{turn.event.channel}:{turn.event.event_id}"
    ticket_id = await store.tickets.free_id(source=source)
    turn.outbox.add(Op.TICKET, source=source, fields=fields, ticket_id=ticket_id)
    if draft.contact:
        turn.outbox.add(Op.CONTACT, ticket_id=ticket_id, customer_id=turn.customer.id, value=draft.contact)
    await schedule_ticket_jobs(turn, ticket_id=ticket_id, created=now, deadlines=deadlines)
    first_contact = deadlines[Deadline.FIRST_CONTACT].astimezone(team.calendar.zone)
    message = turn.t(
        "complaint.submitted",
        ticket=ticket_id,
        contact_by=format_date(first_contact, format="long", locale=turn.language),
    )
    if not team.calendar.is_open(now):
        back = team.calendar.next_opening(now).astimezone(team.calendar.zone)
        day, hour = (
            format_skeleton(skeleton, back, locale=turn.language) for skeleton in ("MMMMEEEEd", "Hm")
        )
        when = f"{day} {hour}"
        message += "\n\n" + turn.t("complaint.closed_hours", back_at=f"{when} ({team.calendar.timezone})")
    return message


async def schedule_ticket_jobs(
    turn: Turn, *, ticket_id: str, created: datetime, deadlines: dict[Deadline, datetime]
) -> None:
    """Job ids come from the ticket id, so a retried event schedules nothing twice."""
    jobs, policy = turn.outbox, turn.config.complaints
    await jobs.schedule(
        job_id=f"{PUBLISH}:{ticket_id}", kind=PUBLISH, due_at=created, payload={"ticket": ticket_id}
    )
    for kind, deadline in deadlines.items():
        payload = {"ticket": ticket_id, "deadline": kind.value}
        await jobs.schedule(
            job_id=f"{REMINDER}:{ticket_id}:{kind.value}",
            kind=REMINDER,
            due_at=policy.reminder_at(created, deadline),
            payload=payload,
        )
        await jobs.schedule(
            job_id=f"{BREACH}:{ticket_id}:{kind.value}", kind=BREACH, due_at=deadline, payload=payload
        )
