"""What a dialogue step may read: narrow, read-only views of the store.

A step decides; it never writes (its writes are effects in the outbox, committed with the
conversation). So it gets only these reads, not the repositories. The admin commands and a
ticket's lifecycle write through their own versioned, idempotent operations and get the store
itself (`Turn.direct`), by name, so every direct write is easy to find.
"""

from __future__ import annotations

from typing import Protocol

from core.questionnaire import Questionnaire
from core.questionnaire_drafts import QuestionnaireDraft
from core.responses import Response
from core.tickets import Ticket
from storage.consents import ConsentEntry, Decision
from storage.invitations import Invitation
from storage.types import Document


class QuestionnaireReads(Protocol):
    async def latest(self, *, questionnaire_id: str) -> Questionnaire | None: ...
    async def get(self, *, questionnaire_id: str, version: int) -> Questionnaire | None: ...


class DraftReads(Protocol):
    async def get(self, *, questionnaire_id: str) -> QuestionnaireDraft | None: ...
    async def is_closed(self, *, questionnaire_id: str) -> bool: ...


class TicketReads(Protocol):
    async def get(self, *, ticket_id: str) -> Ticket | None: ...
    async def open_for_customer(self, *, customer_id: str) -> list[Ticket]: ...
    async def for_customer(self, *, customer_id: str) -> list[Ticket]: ...
    async def count_for_order(self, *, order_ref: str, excluding: str | None = None) -> int: ...
    async def free_id(self, *, source: str) -> str: ...


class ResponseReads(Protocol):
    async def get(self, *, response_id: str) -> Response | None: ...
    async def for_customer(self, *, customer_id: str) -> list[Response]: ...


class ConsentReads(Protocol):
    async def current(self, *, customer_id: str, kind: str) -> Decision | None: ...
    async def history(self, *, customer_id: str) -> list[ConsentEntry]: ...


class InvitationReads(Protocol):
    async def get(self, *, invitation_id: str) -> Invitation | None: ...


class ContactReads(Protocol):
    async def get(self, *, ticket_id: str) -> str | None: ...


class FeedbackReads(Protocol):
    async def for_customer(self, *, customer_id: str) -> list[Document]: ...


class Reads(Protocol):
    """Everything a dialogue step reads besides its own conversation (the Store satisfies it)."""

    @property
    def questionnaires(self) -> QuestionnaireReads: ...
    @property
    def drafts(self) -> DraftReads: ...
    @property
    def tickets(self) -> TicketReads: ...
    @property
    def responses(self) -> ResponseReads: ...
    @property
    def consents(self) -> ConsentReads: ...
    @property
    def invitations(self) -> InvitationReads: ...
    @property
    def contacts(self) -> ContactReads: ...
    @property
    def feedback(self) -> FeedbackReads: ...
