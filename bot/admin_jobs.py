"""The job that tells an admin, in their chat with the bot, what happened to a questionnaire."""

from __future__ import annotations

import logging
from collections.abc import Awaitable, Callable

from bot.dispatch import Channel, running
from bot.scheduler import Handler
from core.events import InboundEvent
from core.jobs import AdminNoticeJob
from storage.jobs import Job

log = logging.getLogger("bot.admin_jobs")


class AdminNoticeJobs:
    def __init__(
        self,
        *,
        channel: Callable[[str], Channel | None],
        submit: Callable[[InboundEvent], Awaitable[object]],
        slack: Callable[[AdminNoticeJob], Awaitable[None]] | None = None,
    ) -> None:
        self._channel = channel
        self._submit = submit
        self._slack = slack

    def handlers(self) -> dict[str, Handler]:
        return {AdminNoticeJob.KIND: self.notice}

    async def notice(self, job: Job) -> None:
        """The admin's own dialogue words it (conversations/admin/review.py), with its buttons; a Slack
        admin gets a direct message."""
        notice = AdminNoticeJob.read(job.payload)
        channel = notice.channel
        if channel == "slack":
            if self._slack is None:
                log.warning("a notice for a Slack admin dropped: SLACK_BOT_TOKEN is not set")
                return
            await self._slack(notice)
            return
        running(self._channel, channel)  # else the job waits for a worker that runs it
        await self._submit(
            InboundEvent.due(
                kind=AdminNoticeJob.KIND,
                job_id=job.id,
                channel=channel,
                chat_key=notice.chat_key,
                payload=job.payload,
            )
        )
