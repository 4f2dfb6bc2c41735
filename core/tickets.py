"""A complaint ticket as stored: its status enum and the typed document every reader gets."""

from __future__ import annotations

from datetime import datetime
from enum import StrEnum

from pydantic import BaseModel, ConfigDict, Field


class Status(StrEnum):
    OPEN = "open"
    CLAIMED = "claimed"
    IN_PROGRESS = "in_progress"
    AWAITING_CUSTOMER = "awaiting_customer"
    PROPOSAL_REJECTED = "proposal_rejected"
    CLOSED = "closed"
    REOPENED = "reopened"


class _Part(BaseModel):
    # Older documents may carry fields this version no longer writes; reading them must not fail.
    model_config = ConfigDict(frozen=True, extra="ignore")


class TicketPhoto(_Part):
    kind: str = "photo"
    ref: str


class HistoryEntry(_Part):
    """Who did what and when; `text` is what was written (gone once the ticket is redacted)."""

    id: str | None = None
    """Derived from the request that asked for the change, so a repeated request finds it."""
    at: datetime | None = None
    actor: str = ""
    action: str = ""
    text: str | None = None


class Proposal(_Part):
    text: str
    by: str = ""
    at: datetime | None = None


class DeskMessage(_Part):
    """Where the ticket's message sits on the agents' desk (a Slack channel and timestamp)."""

    channel: str
    ref: str


class ShownText(_Part):
    """What the customer was sent for one agent message, in their language."""

    text: str
    language: str


class FollowUpRecord(_Part):
    """The follow-up question days after closing, and the customer's answers to it."""

    sent_at: datetime | None = None
    answered_at: datetime | None = None
    rating: int | None = None
    comment: str | None = None
    solved: bool | None = None


class Ticket(_Part):
    """One complaint. `customer_id`, `chat_key` and the customer's words are gone once redacted."""

    id: str = Field(alias="_id")
    source: str = ""
    version: int = 1
    status: Status = Status.OPEN
    customer_id: str | None = None
    channel: str = ""
    chat_key: str | None = None
    language: str = ""
    category: str = ""
    team: str = ""
    order_ref: str | None = None
    product: str | None = None
    description: str = ""
    description_language: str | None = None
    photos: list[TicketPhoto] = Field(default_factory=list)
    expectation: str | None = None
    contact_time: str | None = None
    contact_time_note: str | None = None
    has_contact: bool = False
    sensitive_consent: bool = False
    rating: int | None = None
    urgent: bool = False
    urgency_reasons: list[str] = Field(default_factory=list)
    alerted: bool = False
    deadlines: dict[str, datetime] = Field(default_factory=dict)
    met: dict[str, datetime] = Field(default_factory=dict)
    breached: list[str] = Field(default_factory=list)
    assignee: str | None = None
    proposal: Proposal | None = None
    followup: FollowUpRecord | None = None
    desk: DeskMessage | None = None
    desk_notes: list[str] = Field(default_factory=list)
    desk_files: list[str] = Field(default_factory=list)
    photos_attached: list[int] = Field(default_factory=list)
    shown: dict[str, ShownText] | None = None
    history: list[HistoryEntry] = Field(default_factory=list)
    created_at: datetime
    updated_at: datetime | None = None
    closed_at: datetime | None = None
    redacted_at: datetime | None = None

    @property
    def closed(self) -> bool:
        return self.status is Status.CLOSED


class TicketFigures(_Part):
    """What complaint figures need of a ticket: no words, no ids (`Tickets.created_between`)."""

    category: str = ""
    team: str = ""
    urgent: bool = False
    status: Status = Status.OPEN
    deadlines: dict[str, datetime] = Field(default_factory=dict)
    met: dict[str, datetime] = Field(default_factory=dict)
    created_at: datetime
    closed_at: datetime | None = None
    followup: FollowUpRecord | None = None
    history: list[HistoryEntry] = Field(default_factory=list)


class TicketDescription(_Part):
    """A complaint's words for theme analysis, with category and language only."""

    id: str = Field(alias="_id")
    description: str = ""
    description_language: str | None = None
    category: str = ""
    created_at: datetime
