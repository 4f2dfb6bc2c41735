"""Handing tickets to agents: what the agents' desk shows, and the jobs that keep it current.

The desk itself (Slack today) lives in `handlers/`; this module only knows the `AgentDesk` protocol.
"""

from __future__ import annotations

import logging
from collections.abc import Awaitable, Callable
from dataclasses import dataclass, field
from datetime import UTC, datetime
from typing import Any, Protocol

from conversations.tickets.lifecycle import history_entry
from conversations.tickets.policy import ComplaintPolicy
from conversations.translation import Translation, Translator
from core.jobs import DeskNote, FeedbackForward, TicketBreach, TicketPhotos, TicketPublish, TicketReminder
from core.tickets import DeskMessage, Ticket
from storage.store import Store

log = logging.getLogger("conversations.tickets.desk")
PHOTOS = TicketPhotos.KIND


Fetch = Callable[[str, str], Awaitable[bytes | None]]  # (channel, file reference) -> the file


@dataclass(frozen=True, slots=True)
class TicketView:
    """Everything an agent sees about a ticket, already in the agents' language where translated."""

    id: str
    status: str
    urgent: bool
    urgency_reasons: tuple[str, ...]
    category: str
    team: str
    desk_channel: str | None
    customer_language: str
    customer_channel: str
    order_ref: str | None
    product: str | None
    description: Translation
    photos: int
    expectation: str | None
    contact_time: str | None
    contact_time_note: str | None
    has_contact: bool
    assignee: str | None
    deadlines: dict[str, datetime]
    breached: tuple[str, ...]
    created_at: datetime
    met: dict[str, datetime] = field(default_factory=dict)
    """When each deadline was met (first contact at the agent's first message, resolution at closing)."""


class AgentDesk(Protocol):
    async def publish(self, view: TicketView) -> DeskMessage: ...

    async def refresh(self, view: TicketView, message: DeskMessage) -> None: ...

    async def note(
        self, message: DeskMessage, text: str, *, words: Translation | None = None, actor: str | None = None
    ) -> str | None:
        """A line in the ticket's thread (by `actor`, an agent), with someone's words under it; its ref."""
        ...

    async def alert(self, view: TicketView, message: DeskMessage | None, reason: str) -> None:
        """A notice in the escalation channel."""
        ...

    async def attach(self, message: DeskMessage, *, filename: str, data: bytes, title: str) -> str | None:
        """A file (a customer's photo) in the ticket's thread; its ref."""
        ...

    async def erase(self, message: DeskMessage, *, notes: list[str], files: list[str]) -> None:
        """Blank these thread lines and delete these files (the customer asked to be erased)."""
        ...

    async def announce(self, channel: str | None, text: str, *, words: Translation | None = None) -> None:
        """A message in `channel` (None: the default channel), with someone's words under it."""
        ...


class Escalation:
    """The ticket jobs: publish to the desk, remind before a deadline, mark a breach."""

    def __init__(
        self,
        *,
        store: Store,
        desk: AgentDesk,
        translator: Translator,
        policy: ComplaintPolicy,
        agent_language: str,
        suggestions_channel: str | None = None,
        clock: Callable[[], datetime] = lambda: datetime.now(UTC),
    ) -> None:
        self._clock = clock
        self._suggestions_channel = suggestions_channel
        self._store = store
        self._desk = desk
        self._translator = translator
        self._policy = policy
        self._agent_language = agent_language

    async def view(self, ticket: Ticket) -> TicketView:
        source = ticket.description_language or ticket.language or self._agent_language
        translation = await self._translator.translate(
            ticket.description, source=source, target=self._agent_language
        )
        team = self._policy.teams.get(ticket.team)
        return TicketView(
            id=ticket.id,
            status=ticket.status.value,
            urgent=ticket.urgent,
            urgency_reasons=tuple(ticket.urgency_reasons),
            category=ticket.category,
            team=ticket.team,
            desk_channel=None if team is None else team.channel,
            customer_language=ticket.language,
            customer_channel=ticket.channel,
            order_ref=ticket.order_ref,
            product=ticket.product,
            description=translation,
            photos=len(ticket.photos),
            expectation=ticket.expectation,
            contact_time=ticket.contact_time,
            contact_time_note=ticket.contact_time_note,
            has_contact=ticket.has_contact,
            assignee=ticket.assignee,
            deadlines=dict(ticket.deadlines),
            breached=tuple(ticket.breached),
            created_at=ticket.created_at,
            met=dict(ticket.met),
        )

    async def publish(self, job: TicketPublish) -> None:
        """Post the ticket (or refresh its post when a retry finds it posted), alert when urgent."""
        ticket = await self._store.tickets.get(ticket_id=job.ticket)
        if ticket is None:
            log.info("ticket to publish is gone (erased); nothing to do")
            return
        view = await self.view(ticket)
        words = self._policy.urgent_words_in(view.description.text) if view.description.translated else []
        new_words = [word for word in words if not any(word in reason for reason in view.urgency_reasons)]
        if new_words:
            reason = "mentions " + ", ".join(new_words) + " (translated)"
            ticket = await self._mark_urgent(ticket, reason)
            view = await self.view(ticket)
        message = ticket.desk
        if message is None:
            message = await self._desk.publish(view)
            await self._store.tickets.set_fields(ticket_id=view.id, changes={"desk": message.model_dump()})
            if ticket.photos:
                await self._store.jobs.put(TicketPhotos(ticket=view.id), key=view.id, due_at=self._clock())
        else:
            await self._desk.refresh(view, message)
            if ticket.redacted_at and (ticket.desk_notes or ticket.desk_files):
                await self._desk.erase(message, notes=list(ticket.desk_notes), files=list(ticket.desk_files))
                await self._store.tickets.set_fields(
                    ticket_id=view.id, changes={"desk_notes": [], "desk_files": []}
                )
        if view.urgent and not ticket.alerted:
            await self._desk.alert(view, message, "; ".join(view.urgency_reasons))
            await self._store.tickets.set_fields(ticket_id=view.id, changes={"alerted": True})

    async def _mark_urgent(self, ticket: Ticket, reason: str) -> Ticket:
        def change(current: Ticket) -> dict[str, Any]:
            return {"urgent": True, "urgency_reasons": [*current.urgency_reasons, reason]}

        event = {"actor": "bot", "action": "marked urgent", "reason": reason}
        saved = await self._store.tickets.modify(ticket_id=ticket.id, change=change, event=event)
        return saved or ticket

    async def remind(self, job: TicketReminder) -> None:
        ticket, deadline = await self._pending_deadline(job.ticket, job.deadline)
        if ticket is None:
            return
        message = ticket.desk
        if message is None:
            raise RuntimeError("ticket not on the desk yet")  # retried after publishing
        due = ticket.deadlines[deadline]
        await self._desk.note(
            message, f"⏰ Reminder: {_deadline_label(deadline)} due {due:%Y-%m-%d %H:%M} UTC."
        )

    async def breach(self, job: TicketBreach) -> None:
        ticket, deadline = await self._pending_deadline(job.ticket, job.deadline)
        if ticket is None:
            return
        fresh = await self._store.tickets.modify(
            ticket_id=ticket.id,
            change=lambda current: {"breached": sorted({*current.breached, deadline})},
            event={"actor": "bot", "action": "deadline missed", "deadline": deadline},
        )
        if fresh is None:
            return
        view = await self.view(fresh)
        message = fresh.desk
        if message is not None:
            await self._desk.refresh(view, message)
        await self._desk.alert(view, message, f"{_deadline_label(deadline)} deadline missed")

    async def note(self, job: DeskNote) -> None:
        """A line in the ticket's thread; the customer's words come with their translation."""
        ticket = await self._store.tickets.get(ticket_id=job.ticket)
        message = None if ticket is None else ticket.desk
        if ticket is None:
            return
        if message is None:
            raise RuntimeError("ticket not on the desk yet")  # retried after publishing
        words, language = _quoted(ticket, job)
        shown = None
        if words:
            source = language or ticket.language or self._agent_language
            shown = await self._translator.translate(words, source=source, target=self._agent_language)
        ref = await self._desk.note(message, job.heading, words=shown, actor=job.actor or None)
        if shown is not None and ref:
            # Lines quoting what a customer wrote or read are blanked if they ask to be erased.
            await self._store.tickets.remember(ticket_id=ticket.id, field="desk_notes", value=ref)

    async def forward_feedback(self, job: FeedbackForward) -> None:
        """A suggestion to the suggestions channel, praise to the default team's channel."""
        doc = await self._store.feedback.get(feedback_id=job.feedback)
        if doc is None:
            return  # erased meanwhile
        kind = str(doc.get("kind"))
        words = await self._translator.translate(
            str(doc.get("text") or ""),
            source=str(doc.get("language") or self._agent_language),
            target=self._agent_language,
        )
        if kind == "suggestion":
            channel, heading = self._suggestions_channel, "💡 A customer's suggestion"
        else:
            channel, heading = (
                self._policy.teams[self._policy.default_team].channel,
                "🌟 Praise from a customer",
            )
        heading += f" ({doc.get('language')}, {doc.get('channel')})"
        await self._desk.announce(channel, heading, words=words)

    async def attach_photos(self, job: TicketPhotos, fetch: Fetch) -> None:
        """Copy the customer's photos into the ticket's thread; each once, even across retries."""
        ticket = await self._store.tickets.get(ticket_id=job.ticket)
        message = None if ticket is None else ticket.desk
        if ticket is None or message is None:
            return  # erased meanwhile, or (retried later) not on the desk yet
        done = set(ticket.photos_attached)
        for number, photo in enumerate(ticket.photos, start=1):
            if number in done:
                continue
            data = await fetch(ticket.channel, photo.ref)
            if data is not None:
                title = f"{ticket.id} — photo {number} from the customer"
                ref = await self._desk.attach(
                    message, filename=f"{ticket.id}-{number}.jpg", data=data, title=title
                )
                if ref:
                    await self._store.tickets.remember(ticket_id=ticket.id, field="desk_files", value=ref)
            done.add(number)
            attached = {"photos_attached": sorted(done)}
            await self._store.tickets.set_fields(ticket_id=ticket.id, changes=attached)

    async def _pending_deadline(self, ticket_id: str, deadline: str) -> tuple[Ticket | None, str]:
        """The ticket and deadline name, or None when the deadline was met or the ticket is gone."""
        ticket = await self._store.tickets.get(ticket_id=ticket_id)
        if ticket is None or deadline in ticket.met or ticket.closed:
            return None, deadline
        return ticket, deadline


def _quoted(ticket: Ticket, job: DeskNote) -> tuple[str, str | None]:
    """The words a note quotes and their language, looked up by reference on the ticket: a history
    entry's text (`entry`), or what the customer was sent (`shown`). Erased: nothing."""
    if job.entry is not None:
        entry = history_entry(ticket, job.entry)
        return (entry.text or "" if entry else ""), None
    if job.shown is not None:
        sent = (ticket.shown or {}).get(job.shown)
        return ("", None) if sent is None else (sent.text, sent.language)
    return "", None


def _deadline_label(deadline: str) -> str:
    return {"first_contact": "first contact", "resolution": "resolution"}.get(deadline, deadline)
