"""Weekly and monthly reports posted to Slack with their charts; one durable job per period."""

from __future__ import annotations

import asyncio
import logging
from collections.abc import Callable
from datetime import UTC, date, datetime, time, timedelta
from typing import Protocol

from bot.scheduler import Handler
from conversations.report_text import render_text
from conversations.reports import ReportRequest, build_report
from core.jobs import MonthlyReport, WeeklyReport
from storage.jobs import Job
from storage.store import Store

log = logging.getLogger("bot.report_jobs")
WEEKLY, MONTHLY = WeeklyReport.KIND, MonthlyReport.KIND
POST_AT = time(8, 0)  # UTC, on Monday / on the first of the month, for the period just ended


class ReportPoster(Protocol):
    async def post_report(self, channel: str | None, text: str, files: dict[str, bytes]) -> None: ...


def next_due(kind: str, after: datetime) -> datetime:
    """The first posting time strictly after `after`."""
    day = after.date()
    while True:
        if kind == WEEKLY:
            candidate = day + timedelta(days=(7 - day.weekday()) % 7)
        else:
            candidate = day if day.day == 1 else (day.replace(day=28) + timedelta(days=4)).replace(day=1)
        moment = datetime.combine(candidate, POST_AT, UTC)
        if moment > after:
            return moment
        day = candidate + timedelta(days=1)


def period_before(kind: str, due: datetime) -> tuple[date, date]:
    """The week (Monday–Sunday) or month that ended just before `due`."""
    end = due.date() - timedelta(days=1)
    start = end - timedelta(days=6) if kind == WEEKLY else end.replace(day=1)
    return start, end


class ReportJobs:
    def __init__(
        self,
        *,
        store: Store,
        poster: ReportPoster,
        channel: str | None,
        kinds: list[str],
        min_group: int,
        clock: Callable[[], datetime] = lambda: datetime.now(UTC),
    ) -> None:
        self._store = store
        self._poster = poster
        self._channel = channel
        self._kinds = [WEEKLY if kind == "weekly" else MONTHLY for kind in kinds]
        self._min_group = min_group
        self._clock = clock

    def handlers(self) -> dict[str, Handler]:
        return dict.fromkeys(self._kinds, self.post)

    async def plan(self) -> None:
        """Make sure the next posting of each kind is scheduled (idempotent: one job per period)."""
        for kind in self._kinds:
            await self._schedule(kind, next_due(kind, self._clock()))

    async def post(self, job: Job) -> None:
        start, end = period_before(job.kind, job.due_at)
        report = await build_report(
            self._store, ReportRequest(start, end, min_group=self._min_group), now=self._clock()
        )
        heading = "Weekly" if job.kind == WEEKLY else "Monthly"
        # Imported here: matplotlib and numpy cost ~60 MiB of memory, for a chart drawn weekly.
        from bot.charts import render_charts

        images = await asyncio.to_thread(render_charts, report)
        await self._poster.post_report(
            self._channel, f"{heading} feedback report\n\n{render_text(report)}", images
        )
        log.info("%s report for %s – %s posted", heading.lower(), start, end)
        await self._schedule(job.kind, next_due(job.kind, job.due_at))

    async def _schedule(self, kind: str, due: datetime) -> None:
        job = WeeklyReport() if kind == WEEKLY else MonthlyReport()
        await self._store.jobs.put(job, key=str(due.date()), due_at=due)
