"""The job that tells an admin, in their chat with the bot, what happened to a questionnaire."""

from __future__ import annotations

import logging
from collections.abc import Awaitable, Callable
from typing import Any

from bot.dispatch import Channel, running
from bot.scheduler import Handler
from conversations.admin_review import ADMIN_NOTICE
from core.events import InboundEvent
from storage.jobs import Job

log = logging.getLogger("bot.admin_jobs")


class AdminNoticeJobs:
    def __init__(
        self,
        *,
        channel: Callable[[str], Channel | None],
        submit: Callable[[InboundEvent], Awaitable[object]],
        slack: Callable[[dict[str, Any]], Awaitable[None]] | None = None,
    ) -> None:
        self._channel = channel
        self._submit = submit
        self._slack = slack

    def handlers(self) -> dict[str, Handler]:
        return {ADMIN_NOTICE: self.notice}

    async def notice(self, job: Job) -> None:
        """The admin's own dialogue words it (conversations/admin_review.py), with its buttons; a Slack
        admin gets a direct message."""
        channel = str(job.payload.get("channel"))
        if channel == "slack":
            if self._slack is None:
                log.warning("a notice for a Slack admin dropped: SLACK_BOT_TOKEN is not set")
                return
            await self._slack(dict(job.payload))
            return
        running(self._channel, channel)  # else the job waits for a worker that runs it
        await self._submit(
            InboundEvent.due(
                kind=ADMIN_NOTICE,
                job_id=job.id,
                channel=channel,
                chat_key=str(job.payload.get("chat_key")),
                payload=job.payload,
            )
        )
