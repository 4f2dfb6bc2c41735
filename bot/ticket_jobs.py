"""The job handlers of the complaint lifecycle, wired to the desk, the translator and the chat channels."""

from __future__ import annotations

import logging
from collections.abc import Awaitable, Callable
from datetime import UTC, datetime

from bot.dispatch import Channel, running
from bot.scheduler import Handler
from conversations.escalation import PHOTOS, Escalation
from conversations.feedback import FORWARD
from conversations.ticket_chat import customer_messages
from conversations.ticket_lifecycle import DESK_NOTE, FOLLOWUP, TO_CUSTOMER, history_entry
from conversations.tickets_intake import BREACH, PUBLISH, REMINDER
from conversations.translation import Translator
from core.events import InboundEvent
from locales.catalog import Catalogs
from storage.jobs import Job
from storage.store import Store

log = logging.getLogger("bot.ticket_jobs")


class TicketJobs:
    def __init__(
        self,
        *,
        store: Store,
        translator: Translator,
        catalogs: Catalogs,
        channel: Callable[[str], Channel | None],
        agent_language: str,
        escalation: Escalation | None,
        submit: Callable[[InboundEvent], Awaitable[object]],
        clock: Callable[[], datetime] = lambda: datetime.now(UTC),
    ) -> None:
        self._submit = submit
        self._store = store
        self._translator = translator
        self._catalogs = catalogs
        self._channel = channel
        self._agent_language = agent_language
        self._escalation = escalation
        self._clock = clock

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
        """An agent's reply, proposal or resolution, in the customer's language, into their chat.

        The job names the ticket and its history entry; the words are read from there, so a
        customer who asks to be erased leaves nothing of them in the job.
        """
        ticket = await self._store.tickets.get(ticket_id=str(job.payload.get("ticket")))
        if ticket is None or not ticket.get("chat_key"):
            log.info("message for an erased ticket or customer dropped")
            return
        entry_id = str(job.payload.get("entry") or "")
        entry = history_entry(ticket, entry_id) or {}
        text = str(entry.get("text") or job.payload.get("text") or "")  # `text`: jobs of older versions
        if not text:
            log.info("message whose words were erased dropped")
            return
        channel = running(self._channel, str(ticket["channel"]))
        kind = str(job.payload.get("kind"))
        shown = await self._translator.translate(
            text, source=self._agent_language, target=str(ticket.get("language") or self._agent_language)
        )
        await channel.send(str(ticket["chat_key"]), customer_messages(ticket, kind, shown, self._catalogs))
        # What the customer read, kept on the ticket (and erased with it) for the agents' note.
        sent = entry_id or job.id.rpartition(":")[2]
        await self._store.tickets.set_fields(
            ticket_id=str(ticket["_id"]),
            changes={f"shown.{sent}": {"text": shown.text, "language": shown.target}},
        )
        heading = f"➡️ Sent to the customer ({kind}) in {shown.target}"
        await self._store.jobs.schedule(
            job_id=f"{DESK_NOTE}:{job.id}",
            kind=DESK_NOTE,
            due_at=self._clock(),
            payload={
                "ticket": str(ticket["_id"]),
                "heading": heading + (f" via {shown.provider}" if shown.translated else ""),
                # Shown with its translation back for the agents to check.
                "shown": sent,
            },
        )

    async def follow_up(self, job: Job) -> None:
        """Days after closing: the customer's chat decides (ticket_chat.on_followup_due) and asks."""
        ticket = await self._store.tickets.get(ticket_id=str(job.payload.get("ticket")))
        if ticket is None or not ticket.get("chat_key"):
            return  # erased
        channel = str(ticket["channel"])
        running(self._channel, channel)  # else the job waits for a worker that runs it
        await self._submit(
            InboundEvent.due(
                kind=FOLLOWUP,
                job_id=job.id,
                channel=channel,
                chat_key=str(ticket["chat_key"]),
                payload=job.payload,
            )
        )
