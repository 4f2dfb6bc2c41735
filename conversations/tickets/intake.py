"""Turning a confirmed complaint draft into a ticket, its deadlines and its hand-off to agents."""

from __future__ import annotations

from datetime import datetime
from typing import Any

from babel.dates import format_date, format_skeleton

from conversations.detection import detect
from conversations.outbox import Op
from conversations.tickets.policy import Deadline, listed_words_in
from conversations.turn import Turn
from core.jobs import TicketBreach, TicketPublish, TicketReminder
from core.tickets import Status

PUBLISH, REMINDER, BREACH = TicketPublish.KIND, TicketReminder.KIND, TicketBreach.KIND


async def open_ticket(turn: Turn) -> str:
    """Create the ticket (once per confirming event), schedule its jobs; the customer's confirmation."""
    policy, store = turn.config.complaints, turn.reads
    draft, now = turn.complaint(), turn.config.clock()
    team = policy.team_for(str(draft.category))
    deadlines = policy.deadlines(team, now)
    description = draft.description or ""
    written_in = detect(description)
    order_ref = draft.order_ref
    reasons: list[str] = []
    if draft.rating == 1:
        reasons.append("rating 1")
    if order_ref and await store.tickets.count_for_order(order_ref=order_ref) > 0:
        reasons.append("repeat complaint on this order")
    texts = (description, draft.product or "")
    words = policy.urgent_words_in(*texts)
    if policy.urgent_words_per_language:
        lists = {
            language: [word for entry in turn.catalogs.words(language, "urgent.words") for word in entry]
            for language in turn.catalogs.languages
        }
        words += [word for word in listed_words_in(texts, lists) if word not in words]
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
        "description_language": written_in.language if written_in and written_in.confident else None,
        "photos": [photo.model_dump() for photo in draft.photos],
        "expectation": draft.expectation,
        "contact_time": draft.contact_time,
        "contact_time_note": draft.contact_time_note,  # the customer's words, redacted with them
        "has_contact": bool(draft.contact),
        "sensitive_consent": draft.sensitive,
        "rating": draft.rating,
        "team": team.name,
        "status": Status.OPEN.value,
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
    await jobs.put(TicketPublish(ticket=ticket_id), key=ticket_id, due_at=created)
    for kind, deadline in deadlines.items():
        key = f"{ticket_id}:{kind.value}"
        reminder = TicketReminder(ticket=ticket_id, deadline=kind.value)
        await jobs.put(reminder, key=key, due_at=policy.reminder_at(created, deadline))
        await jobs.put(TicketBreach(ticket=ticket_id, deadline=kind.value), key=key, due_at=deadline)
