"""Messages the bot starts: invitations into existing chats and reminders for unfinished surveys.

Each is a durable job, sent once, never during the customer's quiet hours (the job waits instead).
A due job becomes an event of its chat (kind timer), so the dialogue decides and words it in the
chat's order and state; this module only finds the chat and keeps the night quiet.
"""

from __future__ import annotations

import logging
from collections.abc import Awaitable, Callable
from datetime import UTC, datetime

from bot.dispatch import Channel, running
from bot.scheduler import Handler, Postpone
from conversations.dialogues.invitations import SEND
from conversations.dialogues.survey import REMIND
from conversations.quiet_hours import QuietHours
from core.events import InboundEvent
from core.jobs import InvitationSend, SurveyReminder
from storage.jobs import Job
from storage.store import Store

log = logging.getLogger("bot.outreach")
DEFAULT_QUIET_HOURS = QuietHours()  # the default 21:00-09:00


class OutreachJobs:
    def __init__(
        self,
        *,
        store: Store,
        channel: Callable[[str], Channel | None],
        quiet_hours: QuietHours = DEFAULT_QUIET_HOURS,
        default_timezone: str = "UTC",
        submit: Callable[[InboundEvent], Awaitable[object]],
        clock: Callable[[], datetime] = lambda: datetime.now(UTC),
    ) -> None:
        self._submit = submit
        self._quiet = quiet_hours
        self._default_timezone = default_timezone
        self._store = store
        self._channel = channel
        self._clock = clock

    def handlers(self) -> dict[str, Handler]:
        return {SEND: self.send, REMIND: self.remind}

    def _not_at_night(self, timezone: str | None) -> None:
        now = self._clock()
        allowed = self._quiet.next_allowed(now, timezone or self._default_timezone)
        if allowed > now:
            raise Postpone(allowed)

    async def send(self, job: Job) -> None:
        """An invitation into a chat the customer already has: the chat's dialogue words and sends it."""
        invitation_id = InvitationSend.read(job.payload).invitation
        invitation = await self._store.invitations.get(invitation_id=invitation_id)
        if invitation is None or invitation.reached:
            return  # gone, sent already, or the customer found it by the link first
        channel = invitation.channel
        customer_ref = invitation.customer_ref
        link = await self._store.invitations.linked_chat(channel=channel, customer_ref=customer_ref)
        if link is None:
            return
        running(self._channel, channel)  # else the job waits for a worker that runs it
        self._not_at_night(invitation.timezone)
        await self._submit(
            InboundEvent.due(
                kind=SEND, job_id=job.id, channel=channel, chat_key=link.chat_key, payload=job.payload
            )
        )

    async def remind(self, job: Job) -> None:
        """A survey started and left unfinished: the chat's dialogue decides whether to nudge."""
        response_id = SurveyReminder.read(job.payload).response
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
