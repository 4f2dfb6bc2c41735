"""A ticket's life after intake: what agents do to it, how the customer answers, when it closes.

Agents act through the desk adapter (Slack) and customers through their chat; both end here. Every
change is a versioned update with a history entry; messages to the customer and notes for agents
are durable jobs, so a Slack or Telegram outage delays them instead of losing them.
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass
from datetime import UTC, datetime
from enum import StrEnum
from typing import Any

from conversations.complaint_policy import Category, ComplaintPolicy, Deadline
from conversations.tickets_intake import BREACH, REMINDER
from storage.store import Store
from storage.types import Document

TO_CUSTOMER = "customer.message"
DESK_NOTE = "desk.note"
REFRESH = "ticket.publish"  # publishing an already posted ticket redraws its message
FOLLOWUP = "ticket.followup"
MAX_AGENT_TEXT = 3000


class Status(StrEnum):
    OPEN = "open"
    CLAIMED = "claimed"
    IN_PROGRESS = "in_progress"
    AWAITING_CUSTOMER = "awaiting_customer"
    PROPOSAL_REJECTED = "proposal_rejected"
    CLOSED = "closed"
    REOPENED = "reopened"


class Refused(Exception):
    """An action that does not apply to the ticket as it is; the message is for the agent."""


@dataclass(frozen=True, slots=True)
class Outcome:
    ticket: Document
    note: str


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

    async def claim(self, *, ticket_id: str, agent: str) -> Outcome:
        def change(ticket: Document) -> dict[str, Any]:
            if ticket.get("status") == Status.CLOSED:
                raise Refused("this ticket is closed")
            if ticket.get("assignee") == agent:
                raise Refused("you already have this ticket")
            status = ticket["status"] if ticket["status"] != Status.OPEN else Status.CLAIMED
            return {"assignee": agent, "status": status}

        ticket = await self._change(ticket_id, change, {"actor": agent, "action": "claimed"})
        await self._note(ticket, "claimed the ticket", actor=agent)
        await self._refresh(ticket_id)
        return Outcome(ticket, f"<@{agent}> claimed the ticket")

    async def reply(self, *, ticket_id: str, agent: str, text: str) -> Outcome:
        text = _agent_text(text)

        def change(ticket: Document) -> dict[str, Any]:
            self._open(ticket)
            return {
                **self._first_contact(ticket),
                "status": Status.IN_PROGRESS,
                "assignee": ticket.get("assignee") or agent,
            }

        ticket = await self._change(ticket_id, change, {"actor": agent, "action": "replied", "text": text})
        await self._to_customer(ticket, kind="reply", text=text)
        await self._refresh(ticket_id)
        return Outcome(ticket, "reply sent to the customer")

    async def propose(self, *, ticket_id: str, agent: str, text: str) -> Outcome:
        text = _agent_text(text)

        def change(ticket: Document) -> dict[str, Any]:
            self._open(ticket)
            return {
                **self._first_contact(ticket),
                "status": Status.AWAITING_CUSTOMER,
                "proposal": {"text": text, "by": agent, "at": self._clock()},
                "assignee": ticket.get("assignee") or agent,
            }

        event = {"actor": agent, "action": "proposed a resolution", "text": text}
        ticket = await self._change(ticket_id, change, event)
        await self._to_customer(ticket, kind="proposal", text=text)
        await self._refresh(ticket_id)
        return Outcome(ticket, "resolution proposed; waiting for the customer")

    async def resolve(self, *, ticket_id: str, agent: str, text: str) -> Outcome:
        text = _agent_text(text)
        ticket = await self._close(ticket_id, actor=agent, action="resolved", text=text)
        await self._note(ticket, "resolved and closed the ticket", actor=agent)
        await self._to_customer(ticket, kind="resolved", text=text)
        return Outcome(ticket, "resolved and closed; the customer was told")

    async def reclassify(self, *, ticket_id: str, agent: str, category: str) -> Outcome:
        if category not in set(Category):
            raise Refused(f"unknown category {category!r}")
        team = self._policy.team_for(category).name

        def change(ticket: Document) -> dict[str, Any]:
            if ticket.get("category") == category:
                raise Refused("the ticket already has this category")
            return {"category": category, "team": team}

        event = {"actor": agent, "action": "reclassified", "category": category, "team": team}
        ticket = await self._change(ticket_id, change, event)
        await self._note(ticket, f"reclassified the ticket as {category} (team {team})", actor=agent)
        await self._refresh(ticket_id)
        return Outcome(ticket, f"reclassified as {category} (team {team})")

    async def escalate(self, *, ticket_id: str, agent: str, reason: str) -> Outcome:
        reason = _agent_text(reason)

        def change(ticket: Document) -> dict[str, Any]:
            self._open(ticket)
            reasons = [*(ticket.get("urgency_reasons") or []), f"escalated by an agent: {reason}"]
            return {"urgent": True, "urgency_reasons": reasons, "alerted": False}

        ticket = await self._change(
            ticket_id, change, {"actor": agent, "action": "escalated", "text": reason}
        )
        await self._refresh(ticket_id)  # the publish job alerts the escalation channel once
        return Outcome(ticket, "escalated")

    # --- customers --------------------------------------------------------------------------

    async def customer_accepts(self, *, ticket_id: str, customer_id: str) -> Document:
        ticket = await self._owned(ticket_id, customer_id, Status.AWAITING_CUSTOMER)
        closed = await self._close(str(ticket["_id"]), actor="customer", action="accepted the resolution")
        await self._note(closed, "✅ The customer accepted the proposed resolution. Ticket closed.")
        return closed

    async def customer_rejects(self, *, ticket_id: str, customer_id: str, reason: str) -> Document:
        await self._owned(ticket_id, customer_id, Status.AWAITING_CUSTOMER)

        def change(ticket: Document) -> dict[str, Any]:
            if ticket.get("status") != Status.AWAITING_CUSTOMER:
                raise Refused("no proposal is waiting")
            return {"status": Status.PROPOSAL_REJECTED}

        event = {"actor": "customer", "action": "rejected the resolution", "text": reason}
        ticket = await self._change(ticket_id, change, event)
        await self._note(ticket, "❌ The customer rejected the proposed resolution:", words=reason)
        await self._refresh(ticket_id)
        return ticket

    async def customer_writes(self, *, ticket_id: str, customer_id: str, text: str) -> Document:
        """A message from the customer about an open ticket: kept, and shown to agents in the thread."""
        ticket = await self._owned(ticket_id, customer_id, None)
        ticket = await self._change(
            ticket_id, lambda _: {}, {"actor": "customer", "action": "wrote", "text": text}
        )
        await self._note(ticket, "💬 The customer wrote:", words=text)
        return ticket

    async def follow_up_answer(self, *, ticket_id: str, customer_id: str, solved: bool) -> Document:
        ticket = await self._owned(ticket_id, customer_id, None)
        if solved:
            changes: dict[str, Any] = {"followup.solved": True}
            event = {"actor": "customer", "action": "confirmed the problem stays solved"}
        else:
            changes = {"followup.solved": False, "status": Status.REOPENED, "alerted": False, "urgent": True}
            event = {"actor": "customer", "action": "reopened: not solved"}
            reasons = [*(ticket.get("urgency_reasons") or []), "reopened after follow-up"]
            changes["urgency_reasons"] = reasons
        if not solved:
            # A fresh resolution deadline from now, with its reminder and breach jobs.
            team = self._policy.team_for(str(ticket.get("category")))
            now = self._clock()
            deadline = self._policy.deadlines(team, now)[Deadline.RESOLUTION]
            met = {k: v for k, v in (ticket.get("met") or {}).items() if k != Deadline.RESOLUTION}
            changes.update(
                {"met": met, f"deadlines.{Deadline.RESOLUTION.value}": deadline, "closed_at": None}
            )
        ticket = await self._change(ticket_id, lambda _: changes, event)
        if not solved:
            await self._schedule_deadline(
                ticket_id, Deadline.RESOLUTION, start=now, deadline=deadline, round_="reopened"
            )
            await self._note(
                ticket, "🔁 Follow-up: the customer says the problem is NOT solved. Ticket reopened."
            )
            await self._refresh(ticket_id)
        return ticket

    async def _schedule_deadline(
        self, ticket_id: str, kind: Deadline, *, start: datetime, deadline: datetime, round_: str
    ) -> None:
        payload = {"ticket": ticket_id, "deadline": kind.value}
        reminder_at = self._policy.reminder_at(start, deadline)
        for job_kind, due in ((REMINDER, reminder_at), (BREACH, deadline)):
            await self._store.jobs.schedule(
                job_id=f"{job_kind}:{ticket_id}:{kind.value}:{round_}",
                kind=job_kind,
                due_at=due,
                payload=payload,
            )

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
        await self._change(ticket_id, lambda _: changes, None)

    # --- helpers -----------------------------------------------------------------------------

    async def _owned(self, ticket_id: str, customer_id: str, status: Status | None) -> Document:
        ticket = await self._store.tickets.get(ticket_id=ticket_id)
        if ticket is None or ticket.get("customer_id") != customer_id:
            raise Refused("no such ticket for this customer")
        if status is not None and ticket.get("status") != status:
            raise Refused("the ticket is not waiting for this answer")
        return ticket

    @staticmethod
    def _open(ticket: Document) -> None:
        if ticket.get("status") == Status.CLOSED:
            raise Refused("this ticket is closed")
        if not ticket.get("customer_id"):
            raise Refused("the customer erased their data; they cannot be contacted")

    def _first_contact(self, ticket: Document) -> dict[str, Any]:
        met = dict(ticket.get("met") or {})
        met.setdefault("first_contact", self._clock())
        return {"met": met}

    async def _close(self, ticket_id: str, *, actor: str, action: str, text: str | None = None) -> Document:
        now = self._clock()

        def change(ticket: Document) -> dict[str, Any]:
            self._open(ticket)
            met = dict(ticket.get("met") or {})
            met.setdefault("first_contact", now)
            met.setdefault("resolution", now)
            return {"status": Status.CLOSED, "closed_at": now, "met": met}

        event: dict[str, Any] = {"actor": actor, "action": action}
        if text is not None:
            event["text"] = text
        ticket = await self._change(ticket_id, change, event)
        team = self._policy.team_for(str(ticket.get("category")))
        due = team.calendar.working_days_after(now, self._policy.followup_working_days)
        await self._store.jobs.schedule(
            job_id=f"{FOLLOWUP}:{ticket_id}", kind=FOLLOWUP, due_at=due, payload={"ticket": ticket_id}
        )
        await self._refresh(ticket_id)
        return ticket

    async def _change(
        self,
        ticket_id: str,
        change: Callable[[Document], dict[str, Any]],
        event: dict[str, Any] | None,
    ) -> Document:
        stamped = None if event is None else {**event, "at": self._clock()}
        ticket = await self._store.tickets.modify(ticket_id=ticket_id, change=change, event=stamped)
        if ticket is None:
            raise Refused("no such ticket")
        return ticket

    async def _to_customer(self, ticket: Document, *, kind: str, text: str) -> None:
        number = len(ticket.get("history") or [])
        await self._store.jobs.schedule(
            job_id=f"{TO_CUSTOMER}:{ticket['_id']}:{number}",
            kind=TO_CUSTOMER,
            due_at=self._clock(),
            payload={"ticket": str(ticket["_id"]), "kind": kind, "text": text},
        )

    async def _note(
        self, ticket: Document, heading: str, *, words: str | None = None, actor: str | None = None
    ) -> None:
        number = len(ticket.get("history") or [])
        payload: dict[str, Any] = {"ticket": str(ticket["_id"]), "heading": heading, "actor": actor}
        if words is not None:
            payload["words"] = words
        await self._store.jobs.schedule(
            job_id=f"{DESK_NOTE}:{ticket['_id']}:{number}",
            kind=DESK_NOTE,
            due_at=self._clock(),
            payload=payload,
        )

    async def _refresh(self, ticket_id: str) -> None:
        ticket = await self._store.tickets.get(ticket_id=ticket_id)
        version = 0 if ticket is None else int(ticket["version"])
        await self._store.jobs.schedule(
            job_id=f"{REFRESH}:{ticket_id}:v{version}",
            kind=REFRESH,
            due_at=self._clock(),
            payload={"ticket": ticket_id},
        )


def _agent_text(text: str) -> str:
    text = text.strip()
    if not text:
        raise Refused("the message is empty")
    if len(text) > MAX_AGENT_TEXT:
        raise Refused(f"the message is longer than {MAX_AGENT_TEXT} characters")
    return text
