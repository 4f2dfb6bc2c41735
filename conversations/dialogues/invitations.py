"""Inviting a customer to a questionnaire after an order: one invitation per order and questionnaire.

The shop gets a deep link to show (packing slip, e-mail, order page). Where the customer already
chats with the bot (they once opened an invitation with the same customer reference) and has not
opted out, the invitation is also sent into that chat, by a durable job at the requested time.
"""

from __future__ import annotations

import hashlib
import logging
from collections.abc import Callable
from dataclasses import dataclass
from datetime import datetime
from typing import Literal
from zoneinfo import ZoneInfo, ZoneInfoNotFoundError

from pydantic import AwareDatetime, BaseModel, ConfigDict, Field, field_validator

from conversations.dialogues.dialogue import State
from conversations.dialogues.start_payload import StartPayload
from conversations.dialogues.survey import offer_consent
from conversations.outbox import Op
from conversations.rendering import company_name
from conversations.reports import rollups
from conversations.turn import Turn
from core.events import Unprompted
from core.jobs import InvitationSend
from core.payloads import TakeSurvey
from core.questionnaire import ID_PATTERN
from locales.catalog import catalogs
from storage.store import Store

SEND = InvitationSend.KIND
log = logging.getLogger("conversations.dialogues.invitations")
ID_ALPHABET = "abcdefghijkmnpqrstuvwxyz23456789"
PAYLOAD_PREFIX = "i-"


class InvitationError(ValueError):
    """A request that cannot become an invitation; the message says why."""


class InvitationRequest(BaseModel):
    model_config = ConfigDict(extra="forbid", frozen=True, str_strip_whitespace=True)

    channel: Literal["telegram"] = "telegram"
    customer_ref: str = Field(min_length=1, max_length=64)
    order_ref: str = Field(min_length=1, max_length=64)
    questionnaire: str = Field(pattern=ID_PATTERN, max_length=32)
    language: str | None = Field(default=None, max_length=8)
    send_at: AwareDatetime | None = None
    segment: str | None = Field(default=None, max_length=40)
    country: str | None = Field(default=None, pattern=r"^[A-Z]{2}$")
    timezone: str | None = Field(default=None, max_length=64)  # IANA name, for quiet hours

    @field_validator("language")
    @classmethod
    def _shipped_language(cls, value: str | None) -> str | None:
        """A language the bot can speak: "pt-BR" means "pt"; an unknown code is refused, not stored."""
        if value is None:
            return None
        primary = value.replace("_", "-").split("-", 1)[0].lower()
        languages = catalogs().languages
        if primary not in languages:
            raise ValueError(f"unknown language {value!r} (supported: {', '.join(sorted(languages))})")
        return primary

    @field_validator("timezone")
    @classmethod
    def _known_zone(cls, value: str | None) -> str | None:
        if value is not None:
            try:
                ZoneInfo(value)
            except (ZoneInfoNotFoundError, ValueError):
                raise ValueError(f"unknown time zone {value!r}") from None
        return value


@dataclass(frozen=True, slots=True)
class InvitationResult:
    invitation_id: str
    start_payload: str
    deep_link: str | None
    duplicate: bool
    sending: bool  # True when the invitation also goes into the customer's existing chat


def invitation_id_for(*, questionnaire_id: str, order_ref: str) -> str:
    """Short and derived from what makes an invitation unique, so a repeated request finds it."""
    digest = hashlib.sha256(f"{questionnaire_id}\x00{order_ref}".encode()).digest()
    number = int.from_bytes(digest[:8], "big")
    chars = []
    for _ in range(12):
        number, index = divmod(number, len(ID_ALPHABET))
        chars.append(ID_ALPHABET[index])
    return "".join(chars)


async def invite(
    store: Store,
    request: InvitationRequest,
    *,
    now: datetime,
    deep_link: Callable[[str], str | None],
    source: str,
) -> InvitationResult:
    questionnaire = await store.questionnaires.latest(questionnaire_id=request.questionnaire)
    if questionnaire is None:
        raise InvitationError(f"no published questionnaire {request.questionnaire!r}")
    if await store.drafts.is_closed(questionnaire_id=request.questionnaire):
        raise InvitationError(f"questionnaire {request.questionnaire!r} is closed")
    invitation_id = invitation_id_for(questionnaire_id=request.questionnaire, order_ref=request.order_ref)
    doc, created = await store.invitations.create(
        fields={
            "_id": invitation_id,
            "channel": request.channel,
            "customer_ref": request.customer_ref,
            "order_ref": request.order_ref,
            "questionnaire_id": request.questionnaire,
            "language": request.language,
            "segment": request.segment,
            "country": request.country,
            "timezone": request.timezone,
            "send_at": request.send_at,
            "source": source,
            "created_at": now,
            "opened_at": None,
            "sent_at": None,
        }
    )
    if created:
        await rollups.count(
            store.jobs, stage="invited", questionnaire_id=request.questionnaire, entity=invitation_id, at=now
        )
    payload = PAYLOAD_PREFIX + doc.id
    sending = False
    if created and await _reachable(store, request.channel, request.customer_ref):
        due = max(now, request.send_at) if request.send_at else now
        await store.jobs.put(InvitationSend(invitation=doc.id), key=doc.id, due_at=due)
        sending = True
    return InvitationResult(
        invitation_id=doc.id,
        start_payload=payload,
        deep_link=deep_link(payload),
        duplicate=not created,
        sending=sending,
    )


async def _reachable(store: Store, channel: str, customer_ref: str) -> bool:
    """The customer has a chat with the bot and has not told it to stop."""
    link = await store.invitations.linked_chat(channel=channel, customer_ref=customer_ref)
    if link is None:
        return False
    conversation = await store.conversations.load(channel=channel, chat_key=link.chat_key)
    return conversation is not None and conversation.get("state") != State.WITHDRAWN.value


def invitation_in_payload(text: str) -> str | None:
    """The invitation id of a `/start i-<id>` payload, if that is what it is."""
    text = text.strip()
    if text.startswith(PAYLOAD_PREFIX) and 1 <= len(text) - 2 <= 32 and text[2:].isalnum():
        return text[2:]
    return None


async def open_invitation(turn: Turn, invitation_id: str) -> State:
    """A customer opened an invitation (deep link or button): remember their chat, then consent first."""
    doc = await turn.reads.invitations.get(invitation_id=invitation_id)
    if doc is None:
        return await offer_consent(turn, StartPayload())
    now, event = turn.config.clock(), turn.event
    turn.outbox.add(
        Op.INVITATION_MARK,
        invitation_id=invitation_id,
        field="opened_at",
        at=now,
        extra={"opened_by": turn.customer.id},
    )
    turn.outbox.add(
        Op.INVITATION_LINK,
        channel=event.channel,
        customer_ref=doc.customer_ref,
        chat_key=event.chat_key,
        customer_id=turn.customer.id,
        at=now,
    )
    payload = StartPayload(questionnaire_id=doc.questionnaire_id, order_ref=doc.order_ref)
    return await offer_consent(turn, payload)


async def on_invitation_due(turn: Turn) -> State:
    """An invitation's time came: sent into this chat once, unless the customer opted out meanwhile."""
    here = turn.dialogue.state
    invitation_id = InvitationSend.read(turn.event.timer).invitation
    doc = await turn.reads.invitations.get(invitation_id=invitation_id)
    if doc is None or doc.reached:
        return here  # gone, sent already, or the customer found it by the link first
    if here is State.WITHDRAWN or turn.dialogue.version == 0:
        log.info("invitation not sent: the customer opted out")
        return here
    questionnaire = await turn.reads.questionnaires.latest(questionnaire_id=doc.questionnaire_id)
    if questionnaire is None:
        return here
    language = doc.language or turn.language
    if not turn.catalogs.has(language):
        language = turn.language
    company = company_name(turn.config.branding.company, language=language, catalogs=turn.catalogs)
    order = doc.order_ref
    duration = turn.catalogs.count(language, "count.minutes", questionnaire.estimated_minutes())
    text = turn.catalogs.text(language, "invitation.text", order=order, company=company, duration=duration)
    button = TakeSurvey(invitation_id).button(turn.catalogs.text(language, "button.take_survey"))
    turn.language = language
    turn.say(text, ((button,),), unprompted=Unprompted("invitation", language, (company, order)))
    turn.outbox.add(Op.INVITATION_MARK, invitation_id=invitation_id, field="sent_at", at=turn.config.clock())
    return here
