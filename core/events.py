"""The one inbound event type every channel adapter produces, and the one outbound model it renders."""

from __future__ import annotations

from dataclasses import dataclass, field
from enum import StrEnum
from typing import TYPE_CHECKING, Any, TypeVar

if TYPE_CHECKING:
    from core.payloads import Payload

P = TypeVar("P", bound="Payload")


class EventKind(StrEnum):
    TEXT = "text"
    BUTTON = "button"
    COMMAND = "command"
    MEDIA = "media"
    UNSUPPORTED = "unsupported"
    TIMER = "timer"
    """A due job of this chat (a reminder, a follow-up): `text` is the job kind."""
    AGENT = "agent"
    """An agent's action on a ticket from the desk (Slack): `agent` holds it."""


DESK_CHANNEL = "desk"
"""The channel of agents' actions; their chat is the ticket, so one ticket's actions run in order."""


class AgentAct(StrEnum):
    CLAIM = "claim"
    REPLY = "reply"
    PROPOSE = "propose"
    RESOLVE = "resolve"
    RECLASSIFY = "reclassify"
    ESCALATE = "escalate"


@dataclass(frozen=True, slots=True)
class AgentAction:
    """What an agent asked for: `text` is the reply, proposal, resolution or reason, or the category."""

    act: AgentAct
    ticket_id: str
    agent: str
    text: str = ""

    def to_document(self) -> dict[str, str]:
        return {"act": self.act.value, "ticket_id": self.ticket_id, "agent": self.agent, "text": self.text}

    @classmethod
    def from_document(cls, doc: dict[str, Any] | None) -> AgentAction | None:
        if not doc:
            return None
        return cls(AgentAct(doc["act"]), str(doc["ticket_id"]), str(doc["agent"]), str(doc.get("text") or ""))


@dataclass(frozen=True, slots=True)
class Attachment:
    """A file that came with the event: its kind and the platform's reference to fetch it by."""

    kind: str  # photo, video, document, audio ...
    ref: str
    size: int = 0
    refused: str | None = None
    """Why the file was not read (e.g. "too large"); the event then carries no content of it."""

    def to_document(self) -> dict[str, Any]:
        return {"kind": self.kind, "ref": self.ref, "size": self.size, "refused": self.refused}

    @classmethod
    def from_document(cls, doc: dict[str, Any] | None) -> Attachment | None:
        if not doc:
            return None
        return cls(str(doc["kind"]), str(doc["ref"]), int(doc.get("size") or 0), doc.get("refused"))


@dataclass(frozen=True, slots=True)
class InboundEvent:
    """A customer action on any channel, already stripped of platform detail.

    `text` holds the message text (TEXT), the button payload (BUTTON), the command
    argument (COMMAND) or the media kind (MEDIA/UNSUPPORTED). `message_ref` names the
    platform message a pressed button belongs to, so the engine can edit it.
    """

    kind: EventKind
    channel: str
    chat_key: str
    user_key: str
    event_id: str
    text: str = ""
    command: str = ""
    message_ref: str | None = None
    language_hint: str | None = None
    attachment: Attachment | None = None
    sent_at: int | None = None
    """The platform's own timestamp of the message (Unix seconds), where it gives one."""
    ack_ref: str | None = None
    """The platform's handle to acknowledge a button press with (Telegram's callback query id)."""
    timer: dict[str, Any] = field(default_factory=dict, compare=False)
    """A TIMER event's job payload; the dialogue that owns the job kind reads it."""
    agent: AgentAction | None = None

    @classmethod
    def from_agent(cls, action: AgentAction, *, request: str, reply_to: str | None = None) -> InboundEvent:
        """An agent's action as an event of its ticket; `request` (the Slack request's identity) is
        its event id, so a replayed request runs once. `reply_to`: where a refusal is posted (a Slack
        channel; None: the agent's direct messages)."""
        return cls(
            kind=EventKind.AGENT,
            channel=DESK_CHANNEL,
            chat_key=action.ticket_id,
            user_key=action.agent,
            event_id=request,
            message_ref=reply_to,
            agent=action,
        )

    @classmethod
    def due(
        cls, *, kind: str, job_id: str, channel: str, chat_key: str, payload: dict[str, Any]
    ) -> InboundEvent:
        """The event a due job of a chat becomes; the job id is its event id, so it runs once."""
        return cls(
            kind=EventKind.TIMER,
            channel=channel,
            chat_key=chat_key,
            user_key="",
            event_id=f"job:{job_id}",
            text=kind,
            timer=dict(payload),
        )

    def pressed(self, payload: type[P]) -> P | None:
        """The button of class `payload` this event pressed, or None for anything else."""
        return payload.unpack(self.text) if self.kind is EventKind.BUTTON else None

    def to_document(self) -> dict[str, Any]:
        return {
            "kind": self.kind.value,
            "channel": self.channel,
            "chat_key": self.chat_key,
            "user_key": self.user_key,
            "event_id": self.event_id,
            "text": self.text,
            "command": self.command,
            "message_ref": self.message_ref,
            "language_hint": self.language_hint,
            "attachment": None if self.attachment is None else self.attachment.to_document(),
            "sent_at": self.sent_at,
            "ack_ref": self.ack_ref,
            "timer": self.timer,
            **({"agent": self.agent.to_document()} if self.agent is not None else {}),
        }

    @classmethod
    def from_document(cls, doc: dict[str, Any]) -> InboundEvent:
        return cls(
            kind=EventKind(doc["kind"]),
            channel=doc["channel"],
            chat_key=doc["chat_key"],
            user_key=doc["user_key"],
            event_id=doc["event_id"],
            text=doc.get("text", ""),
            command=doc.get("command", ""),
            message_ref=doc.get("message_ref"),
            language_hint=doc.get("language_hint"),
            attachment=Attachment.from_document(doc.get("attachment")),
            sent_at=doc.get("sent_at"),
            ack_ref=doc.get("ack_ref"),
            timer=doc.get("timer") or {},
            agent=AgentAction.from_document(doc.get("agent")),
        )


@dataclass(frozen=True, slots=True)
class Choice:
    label: str
    payload: str
    short: str = ""
    """A shorter label for tight places (a WhatsApp list row's 24 characters); empty: none."""

    def to_document(self) -> list[str]:
        return [self.label, self.payload, *([self.short] if self.short else [])]

    @classmethod
    def from_document(cls, doc: list[Any]) -> Choice:
        """`[label, payload]`, or `[label, payload, short]`."""
        return cls(str(doc[0]), str(doc[1]), str(doc[2]) if len(doc) > 2 else "")


PURPOSES = ("invitation", "reminder", "followup", "ticket")


@dataclass(frozen=True, slots=True)
class Unprompted:
    """Why the bot writes without being asked, for channels that need an approved template then.

    WhatsApp allows free-form messages only within 24 h of the customer's last message; outside
    that window it sends the template registered for `purpose`, filled with `values`.
    """

    purpose: str  # one of PURPOSES
    language: str
    values: tuple[str, ...] = ()


@dataclass(frozen=True, slots=True)
class Outbound:
    """One message to the customer.

    `choices` are rows of buttons; adapters without buttons number them in plain text.
    `edit_ref` asks the adapter to edit that earlier message instead of sending a new one
    (it falls back to sending when editing fails). `rtl` marks right-to-left text.
    """

    text: str
    choices: tuple[tuple[Choice, ...], ...] = ()
    edit_ref: str | None = None
    rtl: bool = False
    document: tuple[str, str] | None = None
    """A text file sent with the message: (file name, content) — e.g. an admin's YAML export."""
    unprompted: Unprompted | None = None
    language: str | None = None
    """The language of `text`: for words an adapter adds itself (the label of a WhatsApp list), and
    the web chat's frame follows it."""
    cosmetic: bool = False
    """An edit that only restates what the chat already settled (the consent with the decision
    under it, its buttons gone): an adapter at its platform's message limit may send it later, or
    drop it, rather than spend a message the next question needs."""

    def to_document(self) -> dict[str, Any]:
        """The message as stored while it waits (documents and edits are not kept)."""
        return {
            "text": self.text,
            "choices": [[c.to_document() for c in row] for row in self.choices],
            "rtl": self.rtl,
            "language": self.language,
            **({"cosmetic": True} if self.cosmetic else {}),
        }

    @classmethod
    def from_document(cls, doc: dict[str, Any]) -> Outbound:
        rows = tuple(tuple(Choice.from_document(choice) for choice in row) for row in doc.get("choices", []))
        language = doc.get("language")
        return cls(
            text=str(doc.get("text", "")),
            choices=rows,
            rtl=bool(doc.get("rtl")),
            language=str(language) if language else None,
            cosmetic=bool(doc.get("cosmetic")),
        )
