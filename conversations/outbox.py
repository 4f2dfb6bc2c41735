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
from typing import Any

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

    async def schedule(
        self, *, job_id: str, kind: str, due_at: datetime, payload: dict[str, Any] | None = None
    ) -> bool:
        """Jobs' `schedule`, deferred: lets job-scheduling helpers run inside a step unchanged."""
        self.add(Op.JOB, job_id=job_id, kind=kind, due_at=due_at, payload=payload or {})
        return True


async def _response_start(store: Store, a: Mapping[str, Any]) -> None:
    await store.responses.start(
        response_id=a["response_id"],
        customer_id=a["customer_id"],
        questionnaire_id=a["questionnaire_id"],
        questionnaire_version=a["questionnaire_version"],
        language=a["language"],
        channel=a["channel"],
        order_ref=a["order_ref"],
        consent_version=a["consent_version"],
    )


async def _response_answers(store: Store, a: Mapping[str, Any]) -> None:
    await store.responses.save_answers(response_id=a["response_id"], answers=a["answers"], seq=a["seq"])


async def _response_complete(store: Store, a: Mapping[str, Any]) -> None:
    await store.responses.complete(
        response_id=a["response_id"], dropped_answers=[], answers=a["answers"], seq=a["seq"]
    )


async def _response_abandon(store: Store, a: Mapping[str, Any]) -> None:
    await store.responses.abandon(response_id=a["response_id"])


async def _consent(store: Store, a: Mapping[str, Any]) -> None:
    await store.consents.record(
        entry_id=a["entry_id"],
        customer_id=a["customer_id"],
        kind=a["kind"],
        text_version=a["text_version"],
        language=a["language"],
        channel=a["channel"],
        decision=Decision(a["decision"]),
        questionnaire_id=a.get("questionnaire_id"),
        at=a.get("at"),
    )


async def _job(store: Store, a: Mapping[str, Any]) -> None:
    await store.jobs.schedule(job_id=a["job_id"], kind=a["kind"], due_at=a["due_at"], payload=a["payload"])


async def _language(store: Store, a: Mapping[str, Any]) -> None:
    await store.customers.set_language(
        customer_id=a["customer_id"], language=a["language"], explicit=a["explicit"]
    )


async def _feedback(store: Store, a: Mapping[str, Any]) -> None:
    await store.feedback.add(**a)


async def _ticket(store: Store, a: Mapping[str, Any]) -> None:
    await store.tickets.create(source=a["source"], fields=a["fields"], ticket_id=a["ticket_id"])


async def _contact(store: Store, a: Mapping[str, Any]) -> None:
    await store.contacts.save(**a)


async def _invitation_mark(store: Store, a: Mapping[str, Any]) -> None:
    await store.invitations.mark(**a)


async def _invitation_link(store: Store, a: Mapping[str, Any]) -> None:
    await store.invitations.link(**a)


async def _erase(store: Store, a: Mapping[str, Any]) -> None:
    # Imported here: the erasure belongs with the customer's rights, which use this module.
    from conversations.privacy import erase_customer

    await erase_customer(store, **a)


async def _ticket_fields(store: Store, a: Mapping[str, Any]) -> None:
    await store.tickets.set_fields(ticket_id=a["ticket_id"], changes=a["changes"])


APPLY: dict[Op, Callable[[Store, Mapping[str, Any]], Awaitable[None]]] = {
    Op.RESPONSE_START: _response_start,
    Op.RESPONSE_ANSWERS: _response_answers,
    Op.RESPONSE_COMPLETE: _response_complete,
    Op.RESPONSE_ABANDON: _response_abandon,
    Op.CONSENT: _consent,
    Op.JOB: _job,
    Op.LANGUAGE: _language,
    Op.FEEDBACK: _feedback,
    Op.TICKET: _ticket,
    Op.CONTACT: _contact,
    Op.INVITATION_MARK: _invitation_mark,
    Op.INVITATION_LINK: _invitation_link,
    Op.ERASE: _erase,
    Op.TICKET_FIELDS: _ticket_fields,
}


async def apply(store: Store, effects: list[Effect]) -> None:
    """Apply committed effects in order; safe to run again, also by another worker at once."""
    for effect in effects:
        await APPLY[effect.op](store, effect.args)
