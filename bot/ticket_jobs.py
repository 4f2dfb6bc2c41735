"""The job handlers of the complaint lifecycle: desk-side jobs to the desk, chat-side jobs into the chat."""

from __future__ import annotations

import logging
from collections.abc import Awaitable, Callable

from bot.dispatch import Channel, running
from bot.scheduler import Handler
from conversations.tickets.desk import Escalation
from core.events import InboundEvent
from core.jobs import (
    DeskNote,
    FeedbackForward,
    TicketBreach,
    TicketFollowUp,
    TicketPhotos,
    TicketPublish,
    TicketReminder,
    ToCustomer,
)
from storage.jobs import Job
from storage.store import Store

log = logging.getLogger("bot.ticket_jobs")


class TicketJobs:
    def __init__(
        self,
        *,
        store: Store,
        channel: Callable[[str], Channel | None],
        escalation: Escalation | None,
        submit: Callable[[InboundEvent], Awaitable[object]],
    ) -> None:
        self._submit = submit
        self._store = store
        self._channel = channel
        self._escalation = escalation

    def handlers(self) -> dict[str, Handler]:
        """Customer-side jobs always; desk-side jobs only with a desk (without one they wait)."""
        handlers: dict[str, Handler] = {
            ToCustomer.KIND: self.to_customer,
            TicketFollowUp.KIND: self.follow_up,
        }
        escalation = self._escalation
        if escalation is not None:

            async def publish(job: Job) -> None:
                await escalation.publish(TicketPublish.read(job.payload))

            async def remind(job: Job) -> None:
                await escalation.remind(TicketReminder.read(job.payload))

            async def breach(job: Job) -> None:
                await escalation.breach(TicketBreach.read(job.payload))

            async def note(job: Job) -> None:
                await escalation.note(DeskNote.read(job.payload))

            async def forward(job: Job) -> None:
                await escalation.forward_feedback(FeedbackForward.read(job.payload))

            async def photos(job: Job) -> None:
                await escalation.attach_photos(TicketPhotos.read(job.payload), self._fetch)

            handlers.update(
                {
                    TicketPublish.KIND: publish,
                    TicketReminder.KIND: remind,
                    TicketBreach.KIND: breach,
                    DeskNote.KIND: note,
                    FeedbackForward.KIND: forward,
                    TicketPhotos.KIND: photos,
                }
            )
        return handlers

    async def _fetch(self, channel_name: str, ref: str) -> bytes | None:
        channel = running(self._channel, channel_name)
        return await channel.fetch(ref)

    async def to_customer(self, job: Job) -> None:
        """An agent's message: the customer's chat words it (ticket_chat.on_agent_message_due)."""
        await self._into_chat(job, ToCustomer.KIND, ToCustomer.read(job.payload).ticket)

    async def follow_up(self, job: Job) -> None:
        """Days after closing: the customer's chat decides (ticket_chat.on_followup_due) and asks."""
        await self._into_chat(job, TicketFollowUp.KIND, TicketFollowUp.read(job.payload).ticket)

    async def _into_chat(self, job: Job, kind: str, ticket_id: str) -> None:
        """The job as an event of the ticket's chat, so it runs in the chat's order and commit."""
        ticket = await self._store.tickets.get(ticket_id=ticket_id)
        if ticket is None or not ticket.chat_key:
            return  # erased
        channel = ticket.channel
        running(self._channel, channel)  # else the job waits for a worker that runs it
        await self._submit(
            InboundEvent.due(
                kind=kind,
                job_id=job.id,
                channel=channel,
                chat_key=ticket.chat_key,
                payload=job.payload,
            )
        )
