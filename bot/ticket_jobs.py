"""The job handlers of the complaint lifecycle, wired to the desk, the translator and the chat channels."""

from __future__ import annotations

import logging
from collections.abc import Awaitable, Callable

from bot.dispatch import Channel, running
from bot.scheduler import Handler
from conversations.escalation import PHOTOS, Escalation
from conversations.feedback import FORWARD
from conversations.ticket_lifecycle import DESK_NOTE, FOLLOWUP, TO_CUSTOMER
from conversations.tickets_intake import BREACH, PUBLISH, REMINDER
from core.events import InboundEvent
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
        handlers: dict[str, Handler] = {TO_CUSTOMER: self.to_customer, FOLLOWUP: self.follow_up}
        escalation = self._escalation
        if escalation is not None:

            async def publish(job: Job) -> None:
                await escalation.publish(job.payload)

            async def remind(job: Job) -> None:
                await escalation.remind(job.payload)

            async def breach(job: Job) -> None:
                await escalation.breach(job.payload)

            async def note(job: Job) -> None:
                await escalation.note(job.payload)

            async def forward(job: Job) -> None:
                await escalation.forward_feedback(job.payload)

            async def photos(job: Job) -> None:
                await escalation.attach_photos(job.payload, self._fetch)

            handlers.update(
                {
                    PUBLISH: publish,
                    REMINDER: remind,
                    BREACH: breach,
                    DESK_NOTE: note,
                    FORWARD: forward,
                    PHOTOS: photos,
                }
            )
        return handlers

    async def _fetch(self, channel_name: str, ref: str) -> bytes | None:
        channel = running(self._channel, channel_name)
        return await channel.fetch(ref)

    async def to_customer(self, job: Job) -> None:
        """An agent's message: the customer's chat words it (ticket_chat.on_agent_message_due)."""
        await self._into_chat(job, TO_CUSTOMER)

    async def follow_up(self, job: Job) -> None:
        """Days after closing: the customer's chat decides (ticket_chat.on_followup_due) and asks."""
        await self._into_chat(job, FOLLOWUP)

    async def _into_chat(self, job: Job, kind: str) -> None:
        """The job as an event of the ticket's chat, so it runs in the chat's order and commit."""
        ticket = await self._store.tickets.get(ticket_id=str(job.payload.get("ticket")))
        if ticket is None or not ticket.get("chat_key"):
            return  # erased
        channel = str(ticket["channel"])
        running(self._channel, channel)  # else the job waits for a worker that runs it
        await self._submit(
            InboundEvent.due(
                kind=kind,
                job_id=job.id,
                channel=channel,
                chat_key=str(ticket["chat_key"]),
                payload=job.payload,
            )
        )
