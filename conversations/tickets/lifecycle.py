"""A ticket's life after intake: what agents do to it, how the customer answers, when it closes.

Agents act through the desk adapter (Slack) and customers through their chat; both end here. Every
change is a versioned update with a history entry; messages to the customer and notes for agents
are durable jobs, so a Slack or Telegram outage delays them instead of losing them.

Jobs refer to what they carry by id: the words live in the ticket's history entry (which erasure
redacts), the job holds the ticket id and the entry id. An action that comes with the identity of
the request that asked for it (a Slack view id, an inbound event id) records that identity in its
history entry; the same request again finds the entry and changes nothing.
"""

from __future__ import annotations

import hashlib
import uuid
from collections.abc import Callable
from dataclasses import dataclass
from datetime import UTC, datetime
from typing import Any, Literal

from conversations.tickets.policy import Category, ComplaintPolicy, Deadline
from core.jobs import DeskNote, TicketBreach, TicketFollowUp, TicketPublish, TicketReminder, ToCustomer
from core.tickets import HistoryEntry, Status, Ticket
from storage.store import Store

TO_CUSTOMER, DESK_NOTE, FOLLOWUP = ToCustomer.KIND, DeskNote.KIND, TicketFollowUp.KIND
MAX_AGENT_TEXT = 3000


# Where a ticket's status may go, the one table `_change` enforces for agents and customers alike.
# Staying is always allowed (a second reply, a new proposal). Only the follow-up reopens a closed
# ticket, and only a waiting proposal can be rejected.
_WORKING = frozenset({Status.IN_PROGRESS, Status.AWAITING_CUSTOMER, Status.CLOSED})
TRANSITIONS: dict[Status, frozenset[Status]] = {
    Status.OPEN: _WORKING | {Status.CLAIMED},
    Status.CLAIMED: _WORKING,
    Status.IN_PROGRESS: _WORKING,
    Status.AWAITING_CUSTOMER: _WORKING | {Status.PROPOSAL_REJECTED},
    Status.PROPOSAL_REJECTED: _WORKING,
    Status.REOPENED: _WORKING,
    Status.CLOSED: frozenset({Status.REOPENED}),
}


def mermaid() -> str:
    """The ticket's state diagram (Mermaid), generated from TRANSITIONS."""
    lines = ["stateDiagram-v2", f"    [*] --> {Status.OPEN.value}"]
    for before, targets in TRANSITIONS.items():
        lines += [f"    {before.value} --> {after.value}" for after in Status if after in targets]
    return "\n".join(lines) + "\n"


class Refused(Exception):
    """An action that does not apply to the ticket as it is; the message is for the agent."""


@dataclass(frozen=True, slots=True)
class Outcome:
    ticket: Ticket
    note: str
    replayed: bool = False
    """The request had been acted on already: nothing changed this time."""


@dataclass(frozen=True, slots=True)
class Changed:
    """A ticket as saved, the id of the history entry the change added, whether it was there already."""

    ticket: Ticket
    entry: str
    replayed: bool

    @property
    def id(self) -> str:
        return self.ticket.id


class _Replay(Exception):
    def __init__(self, ticket: Ticket) -> None:
        super().__init__("request already applied")
        self.ticket = ticket


def entry_id(request: str | None) -> str:
    """A history entry's id: derived from the request's identity when there is one, else random."""
    if request is None:
        return uuid.uuid4().hex[:16]
    return hashlib.sha256(request.encode()).hexdigest()[:16]


def history_entry(ticket: Ticket, entry: str) -> HistoryEntry | None:
    return next((item for item in ticket.history if item.id == entry), None)


class TicketLifecycle:
    def __init__(
        self,
        *,
        store: Store,
        policy: ComplaintPolicy,
        clock: Callable[[], datetime] = lambda: datetime.now(UTC),
    ) -> None:
        self._store = store
        self._policy = policy
        self._clock = clock

    # --- agents ---------------------------------------------------------------------------
    # `request`: the identity of the request that asked for the action (e.g. "slack:view:<id>").

    async def claim(self, *, ticket_id: str, agent: str, request: str | None = None) -> Outcome:
        def change(ticket: Ticket) -> dict[str, Any]:
            if ticket.closed:
                raise Refused("this ticket is closed")
            if ticket.assignee == agent:
                raise Refused("you already have this ticket")
            status = ticket.status if ticket.status is not Status.OPEN else Status.CLAIMED
            return {"assignee": agent, "status": status}

        done = await self._change(ticket_id, change, {"actor": agent, "action": "claimed"}, request=request)
        await self._note(done, "claimed the ticket", actor=agent)
        await self._refresh(done)
        return Outcome(done.ticket, f"<@{agent}> claimed the ticket", done.replayed)

    async def reply(self, *, ticket_id: str, agent: str, text: str, request: str | None = None) -> Outcome:
        text = _agent_text(text)

        def change(ticket: Ticket) -> dict[str, Any]:
            self._open(ticket)
            return {
                **self._first_contact(ticket),
                "status": Status.IN_PROGRESS,
                "assignee": ticket.assignee or agent,
            }

        event = {"actor": agent, "action": "replied", "text": text}
        done = await self._change(ticket_id, change, event, request=request)
        await self._to_customer(done, kind="reply")
        await self._refresh(done)
        return Outcome(done.ticket, "reply sent to the customer", done.replayed)

    async def propose(self, *, ticket_id: str, agent: str, text: str, request: str | None = None) -> Outcome:
        text = _agent_text(text)

        def change(ticket: Ticket) -> dict[str, Any]:
            self._open(ticket)
            return {
                **self._first_contact(ticket),
                "status": Status.AWAITING_CUSTOMER,
                "proposal": {"text": text, "by": agent, "at": self._clock()},
                "assignee": ticket.assignee or agent,
            }

        event = {"actor": agent, "action": "proposed a resolution", "text": text}
        done = await self._change(ticket_id, change, event, request=request)
        await self._to_customer(done, kind="proposal")
        await self._refresh(done)
        return Outcome(done.ticket, "resolution proposed; waiting for the customer", done.replayed)

    async def resolve(self, *, ticket_id: str, agent: str, text: str, request: str | None = None) -> Outcome:
        text = _agent_text(text)
        done = await self._close(ticket_id, actor=agent, action="resolved", text=text, request=request)
        await self._note(done, "resolved and closed the ticket", actor=agent)
        await self._to_customer(done, kind="resolved")
        return Outcome(done.ticket, "resolved and closed; the customer was told", done.replayed)

    async def reclassify(
        self, *, ticket_id: str, agent: str, category: str, request: str | None = None
    ) -> Outcome:
        if category not in set(Category):
            raise Refused(f"unknown category {category!r}")
        team = self._policy.team_for(category).name

        def change(ticket: Ticket) -> dict[str, Any]:
            if ticket.category == category:
                raise Refused("the ticket already has this category")
            return {"category": category, "team": team}

        event = {"actor": agent, "action": "reclassified", "category": category, "team": team}
        done = await self._change(ticket_id, change, event, request=request)
        await self._note(done, f"reclassified the ticket as {category} (team {team})", actor=agent)
        await self._refresh(done)
        return Outcome(done.ticket, f"reclassified as {category} (team {team})", done.replayed)

    async def escalate(
        self, *, ticket_id: str, agent: str, reason: str, request: str | None = None
    ) -> Outcome:
        reason = _agent_text(reason)

        def change(ticket: Ticket) -> dict[str, Any]:
            self._open(ticket)
            reasons = [*ticket.urgency_reasons, f"escalated by an agent: {reason}"]
            return {"urgent": True, "urgency_reasons": reasons, "alerted": False}

        event = {"actor": agent, "action": "escalated", "text": reason}
        done = await self._change(ticket_id, change, event, request=request)
        await self._refresh(done)  # the publish job alerts the escalation channel once
        return Outcome(done.ticket, "escalated", done.replayed)

    # --- customers --------------------------------------------------------------------------
    # `request`: the inbound event that carried the customer's action (a re-run adds nothing).

    async def customer_accepts(
        self, *, ticket_id: str, customer_id: str, request: str | None = None
    ) -> Ticket:
        ticket = await self._owned(ticket_id, customer_id, Status.AWAITING_CUSTOMER)
        closed = await self._close(
            ticket.id, actor="customer", action="accepted the resolution", request=request
        )
        await self._note(closed, "✅ The customer accepted the proposed resolution. Ticket closed.")
        return closed.ticket

    async def customer_rejects(
        self, *, ticket_id: str, customer_id: str, reason: str, request: str | None = None
    ) -> Ticket:
        await self._owned(ticket_id, customer_id, Status.AWAITING_CUSTOMER)

        def change(ticket: Ticket) -> dict[str, Any]:
            if ticket.status is not Status.AWAITING_CUSTOMER:
                raise Refused("no proposal is waiting")
            return {"status": Status.PROPOSAL_REJECTED}

        event = {"actor": "customer", "action": "rejected the resolution", "text": reason}
        done = await self._change(ticket_id, change, event, request=request)
        await self._note(done, "❌ The customer rejected the proposed resolution:", quoted=True)
        await self._refresh(done)
        return done.ticket

    async def customer_writes(
        self, *, ticket_id: str, customer_id: str, text: str, request: str | None = None
    ) -> Ticket:
        """A message from the customer about an open ticket: kept, and shown to agents in the thread."""
        await self._owned(ticket_id, customer_id, None)
        event = {"actor": "customer", "action": "wrote", "text": text}
        done = await self._change(ticket_id, lambda _: {}, event, request=request)
        await self._note(done, "💬 The customer wrote:", quoted=True)
        return done.ticket

    async def follow_up_answer(
        self, *, ticket_id: str, customer_id: str, solved: bool, request: str | None = None
    ) -> Ticket:
        ticket = await self._owned(ticket_id, customer_id, None)
        if solved:
            changes: dict[str, Any] = {"followup.solved": True}
            event = {"actor": "customer", "action": "confirmed the problem stays solved"}
        else:
            changes = {"followup.solved": False, "status": Status.REOPENED, "alerted": False, "urgent": True}
            event = {"actor": "customer", "action": "reopened: not solved"}
            reasons = [*ticket.urgency_reasons, "reopened after follow-up"]
            changes["urgency_reasons"] = reasons
        if not solved:
            # A fresh resolution deadline from now, with its reminder and breach jobs.
            team = self._policy.team_for(ticket.category)
            now = self._clock()
            deadline = self._policy.deadlines(team, now)[Deadline.RESOLUTION]
            met = {k: v for k, v in ticket.met.items() if k != Deadline.RESOLUTION}
            changes.update(
                {"met": met, f"deadlines.{Deadline.RESOLUTION.value}": deadline, "closed_at": None}
            )
        done = await self._change(ticket_id, lambda _: changes, event, request=request)
        if not solved:
            # Also on a replay (a worker died after the change): the keyed jobs are added only once,
            # and they take their times from what was saved.
            entry = history_entry(done.ticket, done.entry)
            start = entry.at if entry is not None and entry.at is not None else now
            saved = done.ticket.deadlines.get(Deadline.RESOLUTION.value, deadline)
            await self._schedule_deadline(
                ticket_id, Deadline.RESOLUTION, start=start, deadline=saved, round_="reopened"
            )
            await self._note(
                done, "🔁 Follow-up: the customer says the problem is NOT solved. Ticket reopened."
            )
            await self._refresh(done)
        return done.ticket

    async def _schedule_deadline(
        self, ticket_id: str, kind: Deadline, *, start: datetime, deadline: datetime, round_: str
    ) -> None:
        key = f"{ticket_id}:{kind.value}:{round_}"
        reminder = TicketReminder(ticket=ticket_id, deadline=kind.value)
        await self._store.jobs.put(reminder, key=key, due_at=self._policy.reminder_at(start, deadline))
        breach = TicketBreach(ticket=ticket_id, deadline=kind.value)
        await self._store.jobs.put(breach, key=key, due_at=deadline)

    async def follow_up_rating(
        self, *, ticket_id: str, customer_id: str, rating: int | None = None, comment: str | None = None
    ) -> None:
        await self._owned(ticket_id, customer_id, None)
        changes: dict[str, Any] = {}
        if rating is not None:
            changes["followup.rating"] = rating
            changes["followup.answered_at"] = self._clock()
        if comment is not None:
            changes["followup.comment"] = comment
        # Fields set to the same value again: repeating it changes nothing, no history entry needed.
        if (
            await self._store.tickets.modify(ticket_id=ticket_id, change=lambda _: changes, event=None)
            is None
        ):
            raise Refused("no such ticket")

    # --- helpers -----------------------------------------------------------------------------

    async def _owned(self, ticket_id: str, customer_id: str, status: Status | None) -> Ticket:
        ticket = await self._store.tickets.get(ticket_id=ticket_id)
        if ticket is None or ticket.customer_id != customer_id:
            raise Refused("no such ticket for this customer")
        if status is not None and ticket.status is not status:
            raise Refused("the ticket is not waiting for this answer")
        return ticket

    @staticmethod
    def _open(ticket: Ticket) -> None:
        if ticket.closed:
            raise Refused("this ticket is closed")
        if not ticket.customer_id:
            raise Refused("the customer erased their data; they cannot be contacted")

    def _first_contact(self, ticket: Ticket) -> dict[str, Any]:
        met = dict(ticket.met)
        met.setdefault("first_contact", self._clock())
        return {"met": met}

    async def _close(
        self, ticket_id: str, *, actor: str, action: str, text: str | None = None, request: str | None = None
    ) -> Changed:
        now = self._clock()

        def change(ticket: Ticket) -> dict[str, Any]:
            self._open(ticket)
            met = dict(ticket.met)
            met.setdefault("first_contact", now)
            met.setdefault("resolution", now)
            return {"status": Status.CLOSED, "closed_at": now, "met": met}

        event: dict[str, Any] = {"actor": actor, "action": action}
        if text is not None:
            event["text"] = text
        done = await self._change(ticket_id, change, event, request=request)
        team = self._policy.team_for(done.ticket.category)
        due = team.calendar.working_days_after(now, self._policy.followup_working_days)
        await self._store.jobs.put(TicketFollowUp(ticket=ticket_id), key=ticket_id, due_at=due)
        await self._refresh(done)
        return done

    async def _change(
        self,
        ticket_id: str,
        change: Callable[[Ticket], dict[str, Any]],
        event: dict[str, Any],
        *,
        request: str | None = None,
    ) -> Changed:
        """Save a change with its history entry; a request seen before finds its entry instead."""
        entry = entry_id(request)

        def once(ticket: Ticket) -> dict[str, Any]:
            if request is not None and history_entry(ticket, entry) is not None:
                raise _Replay(ticket)
            changes = change(ticket)
            before, after = ticket.status, changes.get("status")
            if after is not None and after != before and Status(after) not in TRANSITIONS[before]:
                raise Refused(f"a ticket that is {before.value} cannot become {Status(after).value}")
            return changes

        stamped = {**event, "id": entry, "at": self._clock()}
        try:
            ticket = await self._store.tickets.modify(ticket_id=ticket_id, change=once, event=stamped)
        except _Replay as replay:
            return Changed(replay.ticket, entry, replayed=True)
        if ticket is None:
            raise Refused("no such ticket")
        return Changed(ticket, entry, replayed=False)

    async def _to_customer(self, done: Changed, *, kind: Literal["reply", "proposal", "resolved"]) -> None:
        """The customer's message, by reference: the words are the text of the history entry."""
        message = ToCustomer(ticket=done.id, kind=kind, entry=done.entry)
        await self._store.jobs.put(message, key=f"{done.id}:{done.entry}", due_at=self._clock())

    async def _note(
        self, done: Changed, heading: str, *, quoted: bool = False, actor: str | None = None
    ) -> None:
        """A line in the desk thread; `quoted`: with the text of the history entry under it."""
        note = DeskNote(ticket=done.id, heading=heading, actor=actor, entry=done.entry if quoted else None)
        await self._store.jobs.put(note, key=f"{done.id}:{done.entry}", due_at=self._clock())

    async def _refresh(self, done: Changed) -> None:
        # Publishing an already posted ticket redraws its message.
        redraw = TicketPublish(ticket=done.id)
        await self._store.jobs.put(redraw, key=f"{done.id}:{done.entry}", due_at=self._clock())


def _agent_text(text: str) -> str:
    text = text.strip()
    if not text:
        raise Refused("the message is empty")
    if len(text) > MAX_AGENT_TEXT:
        raise Refused(f"the message is longer than {MAX_AGENT_TEXT} characters")
    return text
