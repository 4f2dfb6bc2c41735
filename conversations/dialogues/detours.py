"""What a chat carries while it is away from the survey: one typed detour at a time.

A complaint being filed, a free message waiting to be classified, an admin's preview, a reply to
a ticket's proposal or follow-up: each keeps its own fields here, stored in the conversation
document, and the state to return to when it ends is `Dialogue.return_to`.
"""

from __future__ import annotations

from typing import Annotated, Any, Literal

from pydantic import BaseModel, ConfigDict, Field, TypeAdapter

from core.questionnaire import Questionnaire


class _Detour(BaseModel):
    model_config = ConfigDict(extra="forbid")


class Photo(_Detour):
    kind: str
    ref: str


class ComplaintDraft(_Detour):
    """The complaint being filed, field by field (the intake table says in which order)."""

    kind: Literal["complaint"] = "complaint"
    rating: int | None = None
    """The low rating that led to the complaint, when it came from the survey's offer."""
    consent_text: str = ""
    sensitive_text: str = ""
    """Versions (hashes) of the consent texts the customer saw, for the ledger."""
    sensitive: bool = False
    category: str | None = None
    order_ref: str | None = None
    product: str | None = None
    description: str | None = None
    photos: list[Photo] = Field(default_factory=list)
    expectation: str | None = None
    contact_time: str | None = None
    contact_time_note: str | None = None
    """A preferred contact time typed in the customer's own words ("weekdays after 6 pm")."""
    contact: str | None = None
    correcting: bool = False
    """Answering one field again from the summary: back to the summary after it."""


class FeedbackDraft(_Detour):
    """A free message, waiting for the customer to say whether it is a complaint, suggestion or praise."""

    kind: Literal["feedback"] = "feedback"
    text: str


class PreviewDraft(_Detour):
    """An admin taking a questionnaire as a customer would; nothing of it is stored elsewhere."""

    kind: Literal["preview"] = "preview"
    questionnaire: Questionnaire
    answers: dict[str, Any] = Field(default_factory=dict)


class TicketReply(_Detour):
    """Waiting for the customer's words about a ticket (why they reject a proposal, a comment)."""

    kind: Literal["ticket"] = "ticket"
    ticket: str


Detour = Annotated[
    ComplaintDraft | FeedbackDraft | PreviewDraft | TicketReply, Field(discriminator="kind")
]
_ADAPTER: TypeAdapter[Detour] = TypeAdapter(Detour)


def detour_document(detour: Detour | None) -> dict[str, Any] | None:
    return None if detour is None else detour.model_dump(mode="json", by_alias=True)


def detour_from_document(doc: dict[str, Any] | None) -> Detour | None:
    return None if not doc else _ADAPTER.validate_python(doc)
