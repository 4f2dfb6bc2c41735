"""Effects of a step: decided by the step, committed with the conversation, applied afterwards.

A step never writes to another collection itself. It lists what must happen (an answer recorded, a
consent entry, a job, a ticket ...) as `Effect`s; the engine stores them in the same versioned
write as the new state and applies them once that write has won. A step that loses a race to
another worker is simply run again and leaves nothing behind. Every operation here is idempotent
(keyed by ids derived from the event, or guarded by the conversation's version), because a worker
that dies after the commit leaves them pending and whoever loads the conversation next applies
them again.
"""

from __future__ import annotations

from collections.abc import Awaitable, Callable, Mapping
from dataclasses import dataclass, field
from datetime import datetime
from enum import StrEnum
from functools import partial
from typing import Any

from conversations.erasure import erase_customer
from core.jobs import JobPayload
from storage.consents import Decision
from storage.store import Store


class Op(StrEnum):
    RESPONSE_START = "responses.start"
    RESPONSE_ANSWERS = "responses.answers"
    RESPONSE_COMPLETE = "responses.complete"
    RESPONSE_ABANDON = "responses.abandon"
    CONSENT = "consents.record"
    JOB = "jobs.schedule"
    LANGUAGE = "customers.language"
    FEEDBACK = "feedback.add"
    TICKET = "tickets.create"
    CONTACT = "contacts.save"
    INVITATION_MARK = "invitations.mark"
    INVITATION_LINK = "invitations.link"
    ERASE = "customers.erase"
    TICKET_FIELDS = "tickets.fields"


# Effects that carry a customer's words or contact details: cleared from the conversation as soon
# as they are applied (the others stay until the next commit replaces them, saving a write).
PERSONAL = frozenset({Op.FEEDBACK, Op.TICKET, Op.CONTACT})


@dataclass(frozen=True, slots=True)
class Effect:
    op: Op
    args: Mapping[str, Any]

    def to_document(self) -> dict[str, Any]:
        return {"op": self.op.value, "args": dict(self.args)}

    @classmethod
    def from_document(cls, doc: Mapping[str, Any]) -> Effect:
        return cls(op=Op(doc["op"]), args=dict(doc.get("args") or {}))


@dataclass(slots=True)
class Outbox:
    """The effects one step decided, in the order they must be applied."""

    effects: list[Effect] = field(default_factory=list)

    def add(self, op: Op, /, **args: Any) -> None:
        self.effects.append(Effect(op, args))

    async def put(self, job: JobPayload, *, key: str, due_at: datetime) -> bool:
        """Jobs' `put`, deferred: lets job-scheduling helpers run inside a step unchanged."""
        self.add(Op.JOB, job_id=f"{job.KIND}:{key}", kind=job.KIND, due_at=due_at, payload=job.document())
        return True


# What carries out each effect: a repository method, called with the effect's arguments as its
# keyword arguments (so an effect is exactly the call the step would have made).
TARGETS: dict[Op, Callable[[Store], Callable[..., Awaitable[object]]]] = {
    Op.RESPONSE_START: lambda store: store.responses.start,
    Op.RESPONSE_ANSWERS: lambda store: store.responses.save_answers,
    Op.RESPONSE_COMPLETE: lambda store: store.responses.complete,
    Op.RESPONSE_ABANDON: lambda store: store.responses.abandon,
    Op.CONSENT: lambda store: store.consents.record,
    Op.JOB: lambda store: store.jobs.schedule,
    Op.LANGUAGE: lambda store: store.customers.set_language,
    Op.FEEDBACK: lambda store: store.feedback.add,
    Op.TICKET: lambda store: store.tickets.create,
    Op.CONTACT: lambda store: store.contacts.save,
    Op.INVITATION_MARK: lambda store: store.invitations.mark,
    Op.INVITATION_LINK: lambda store: store.invitations.link,
    Op.ERASE: lambda store: partial(erase_customer, store),
    Op.TICKET_FIELDS: lambda store: store.tickets.set_fields,
}


async def apply(store: Store, effects: list[Effect]) -> None:
    """Apply committed effects in order; safe to run again, also by another worker at once."""
    for effect in effects:
        args = dict(effect.args)
        if effect.op is Op.CONSENT:
            args["decision"] = Decision(args["decision"])  # stored as its value
        await TARGETS[effect.op](store)(**args)
