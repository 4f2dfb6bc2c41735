"""Sending invitations into customers' existing chats (a durable job per invitation, sent once)."""

from __future__ import annotations

import logging
from collections.abc import Callable
from datetime import UTC, datetime

from bot.dispatch import Channel
from bot.scheduler import Handler
from conversations.dialogue import State
from conversations.events import Choice, Outbound
from conversations.invitations import SEND
from locales.catalog import Catalogs, is_rtl
from storage.jobs import Job
from storage.store import Store

log = logging.getLogger("bot.invitation_jobs")


class InvitationJobs:
    def __init__(
        self,
        *,
        store: Store,
        catalogs: Catalogs,
        channel: Callable[[str], Channel | None],
        company: str,
        default_language: str,
        clock: Callable[[], datetime] = lambda: datetime.now(UTC),
    ) -> None:
        self._store = store
        self._catalogs = catalogs
        self._channel = channel
        self._company = company
        self._default_language = default_language
        self._clock = clock

    def handlers(self) -> dict[str, Handler]:
        return {SEND: self.send}

    async def send(self, job: Job) -> None:
        invitation_id = str(job.payload.get("invitation"))
        invitation = await self._store.invitations.get(invitation_id=invitation_id)
        if invitation is None or invitation.get("sent_at") or invitation.get("opened_at"):
            return  # gone, sent already, or the customer found it by the link first
        link = await self._store.invitations.linked_chat(
            channel=str(invitation["channel"]), customer_ref=str(invitation["customer_ref"])
        )
        if link is None:
            return
        chat_key = str(link["chat_key"])
        conversation = await self._store.conversations.load(
            channel=str(invitation["channel"]), chat_key=chat_key
        )
        if conversation is None or conversation.get("state") == State.WITHDRAWN.value:
            log.info("invitation not sent: the customer opted out")
            return
        channel = self._channel(str(invitation["channel"]))
        if channel is None:
            raise RuntimeError("the invitation's channel is not running in this worker")
        customer = await self._store.customers.get(customer_id=str(link["customer_id"]))
        language = (
            invitation.get("language") or (customer.language if customer else None) or self._default_language
        )
        if not self._catalogs.has(language):
            language = self._default_language
        questionnaire = await self._store.questionnaires.latest(
            questionnaire_id=str(invitation["questionnaire_id"])
        )
        if questionnaire is None:
            return
        text = self._catalogs.text(
            language,
            "invitation.text",
            order=invitation["order_ref"],
            company=self._company,
            minutes=questionnaire.estimated_minutes(),
        )
        button = Choice(self._catalogs.text(language, "button.take_survey"), f"invite:{invitation_id}")
        # Marked first: a crash after sending must not send it again (a lost invitation beats a doubled one).
        if await self._store.invitations.mark(invitation_id=invitation_id, field="sent_at", at=self._clock()):
            await channel.send(chat_key, [Outbound(text, ((button,),), rtl=is_rtl(language))])
