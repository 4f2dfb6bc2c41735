"""Weekly and monthly reports posted to Slack with their charts; one durable job per period."""

from __future__ import annotations

import asyncio
import logging
from collections.abc import Callable
from dataclasses import dataclass
from datetime import UTC, date, datetime, time, timedelta
from typing import Protocol

from bot.scheduler import Handler
from conversations.reports.approval import ReportButton, suggestion_doc
from conversations.reports.figures import ReportRequest, build_report
from conversations.reports.model import Report
from conversations.reports.suggested_actions import SuggestedAction, suggest_actions
from conversations.reports.text import render_text
from conversations.tickets.policy import ComplaintPolicy
from core.jobs import MonthlyReport, WeeklyReport
from storage.jobs import Job
from storage.store import Store

log = logging.getLogger("bot.report_jobs")
WEEKLY, MONTHLY = WeeklyReport.KIND, MonthlyReport.KIND
POST_AT = time(8, 0)  # UTC, on Monday / on the first of the month, for the period just ended


class ReportPoster(Protocol):
    async def post_report(self, channel: str | None, text: str, files: dict[str, bytes]) -> None: ...


class ApprovalPoster(Protocol):
    async def post_for_approval(
        self,
        channel: str | None,
        text: str,
        suggestions: list[SuggestedAction],
        button: ReportButton,
        files: dict[str, bytes],
    ) -> tuple[str, str]: ...


@dataclass(frozen=True, slots=True)
class Approval:
    """Reports go out with Approve / Request changes buttons and the actions they suggest."""

    poster: ApprovalPoster
    policy: ComplaintPolicy
    questionnaire: str  # the questionnaire whose dimensions the tasks' targets are measured on


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
        approval: Approval | None = None,
    ) -> None:
        self._approval = approval
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
        text = f"{heading} feedback report\n\n{render_text(report)}"
        if self._approval is None:
            await self._poster.post_report(self._channel, text, images)
        else:
            await self._post_for_approval(job, report, text, images)
        log.info("%s report for %s – %s posted", heading.lower(), start, end)
        await self._schedule(job.kind, next_due(job.kind, job.due_at))

    async def _post_for_approval(self, job: Job, report: Report, text: str, images: dict[str, bytes]) -> None:
        assert self._approval is not None
        approval = self._approval
        suggestions = suggest_actions(report, approval.policy)
        await self._store.approvals.open(
            report_id=job.id,
            start=report.start.isoformat(),
            end=report.end.isoformat(),
            questionnaire=report.questionnaire or approval.questionnaire,
            suggestions=[suggestion_doc(action) for action in suggestions],
            at=self._clock(),
        )
        posted = await self._store.approvals.get(report_id=job.id)
        if posted is not None and posted.message is not None:
            return  # posted already by an earlier run of this job
        channel, ts = await approval.poster.post_for_approval(
            self._channel, text, suggestions, ReportButton(job.id), images
        )
        await self._store.approvals.posted(report_id=job.id, channel=channel, ts=ts)

    async def _schedule(self, kind: str, due: datetime) -> None:
        job = WeeklyReport() if kind == WEEKLY else MonthlyReport()
        await self._store.jobs.put(job, key=str(due.date()), due_at=due)
