"""Keeps the theme assignments current: an hourly durable job assigns the texts written since the last
run, so a report only reads counts (one job per hour; a missed hour is caught up by the next run)."""

from __future__ import annotations

import logging
from collections.abc import Callable
from datetime import UTC, datetime, timedelta

from bot.scheduler import Handler
from conversations.reports.theme_matching import Pivot
from conversations.reports.themes import catch_up
from core.jobs import ThemeCatchUp
from storage.jobs import Job
from storage.store import Store

log = logging.getLogger("bot.theme_jobs")
CATCH_UP = ThemeCatchUp.KIND
EVERY = timedelta(hours=1)


class ThemeJobs:
    def __init__(
        self,
        *,
        store: Store,
        pivot: Pivot | None,
        clock: Callable[[], datetime] = lambda: datetime.now(UTC),
    ) -> None:
        self._store = store
        self._pivot = pivot
        self._clock = clock

    def handlers(self) -> dict[str, Handler]:
        return {CATCH_UP: self.run}

    async def plan(self) -> None:
        """Make sure the next run is scheduled (idempotent: one job per hour)."""
        await self._schedule(self._clock())

    async def run(self, job: Job) -> None:
        made = await catch_up(self._store, now=self._clock(), pivot=self._pivot)
        log.info("themes: %d new text(s) assigned", made)
        await self._schedule(max(job.due_at, self._clock()))

    async def _schedule(self, after: datetime) -> None:
        due = after.replace(minute=0, second=0, microsecond=0) + EVERY
        await self._store.jobs.put(ThemeCatchUp(), key=f"{due:%Y-%m-%dT%H}", due_at=due)
