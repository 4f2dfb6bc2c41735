"""Messages the bot starts: invitations into existing chats and reminders for unfinished surveys.

Each is a durable job, sent once, never during the customer's quiet hours (the job waits instead).
A reminder becomes an event of its chat (kind timer), so the survey dialogue decides and words it
in the chat's order and state.
"""

from __future__ import annotations

import logging
from collections.abc import Awaitable, Callable
from datetime import UTC, datetime

from bot.dispatch import Channel, running
from bot.scheduler import Handler, Postpone
from conversations.dialogue import State
from conversations.invitations import SEND
from conversations.quiet_hours import QuietHours
from conversations.survey import REMIND
from core.events import Choice, InboundEvent, Outbound, Unprompted
from locales.catalog import Catalogs, is_rtl
from storage.jobs import Job
from storage.store import Store

log = logging.getLogger("bot.outreach")
DEFAULT_QUIET_HOURS = QuietHours()  # the default 21:00-09:00


class OutreachJobs:
    def __init__(
        self,
        *,
        store: Store,
        catalogs: Catalogs,
        channel: Callable[[str], Channel | None],
        company: str,
        default_language: str,
        quiet_hours: QuietHours = DEFAULT_QUIET_HOURS,
        default_timezone: str = "UTC",
        submit: Callable[[InboundEvent], Awaitable[object]],
        clock: Callable[[], datetime] = lambda: datetime.now(UTC),
    ) -> None:
        self._submit = submit
        self._quiet = quiet_hours
        self._default_timezone = default_timezone
        self._store = store
        self._catalogs = catalogs
        self._channel = channel
        self._company = company
        self._default_language = default_language
        self._clock = clock

    def handlers(self) -> dict[str, Handler]:
        return {SEND: self.send, REMIND: self.remind}

    def _not_at_night(self, timezone: str | None) -> None:
        now = self._clock()
        allowed = self._quiet.next_allowed(now, timezone or self._default_timezone)
        if allowed > now:
            raise Postpone(allowed)

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
        channel = running(self._channel, str(invitation["channel"]))
        self._not_at_night(invitation.get("timezone"))
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
            duration=self._catalogs.count(language, "count.minutes", questionnaire.estimated_minutes()),
        )
        button = Choice(self._catalogs.text(language, "button.take_survey"), f"invite:{invitation_id}")
        # Marked first: a crash after sending must not send it again (a lost invitation beats a doubled one).
        if await self._store.invitations.mark(invitation_id=invitation_id, field="sent_at", at=self._clock()):
            why = Unprompted("invitation", language, (self._company, str(invitation["order_ref"])))
            await channel.send(chat_key, [Outbound(text, ((button,),), rtl=is_rtl(language), unprompted=why)])

    async def remind(self, job: Job) -> None:
        """A survey started and left unfinished: the chat's dialogue decides whether to nudge."""
        response_id = str(job.payload.get("response"))
        conversation = await self._store.conversations.for_response(response_id=response_id)
        if conversation is None:
            return  # the chat is gone (erased)
        channel_name, chat_key = str(conversation["channel"]), str(conversation["chat_key"])
        running(self._channel, channel_name)  # else the job waits for a worker that runs it
        self._not_at_night(None)
        await self._submit(
            InboundEvent.due(
                kind=REMIND, job_id=job.id, channel=channel_name, chat_key=chat_key, payload=job.payload
            )
        )
