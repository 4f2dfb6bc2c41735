"""Job handlers for improvement tasks: post to the team's channel, remind, alert when overdue, note
completion, evaluate the effect. Each is idempotent (it looks at the task first) and audited."""

from __future__ import annotations

import logging
from collections.abc import Callable
from datetime import UTC, datetime
from typing import Protocol

from bot.scheduler import Handler
from conversations.reports import improvement_tasks as tasks
from conversations.reports.effect_evaluation import MIN_RESPONDENTS, WINDOW, describe, judge, satisfied_share
from conversations.reports.improvement_tasks import ImprovementTask
from conversations.tickets.policy import ComplaintPolicy
from core.jobs import TaskReminder
from storage.improvements import ImprovementStatus
from storage.jobs import Job
from storage.store import Store

log = logging.getLogger("bot.improvement_jobs")
BOT = "bot"


class TaskPoster(Protocol):
    async def post_task(self, channel: str | None, task: ImprovementTask) -> tuple[str, str]: ...
    async def refresh_task(self, task: ImprovementTask) -> None: ...
    async def note(self, channel: str, thread: str | None, text: str) -> None: ...
    async def post(self, channel: str | None, text: str) -> None: ...


class ImprovementJobs:
    def __init__(
        self,
        *,
        store: Store,
        poster: TaskPoster,
        policy: ComplaintPolicy,
        reports_channel: str | None,
        min_group: int,
        clock: Callable[[], datetime] = lambda: datetime.now(UTC),
    ) -> None:
        self._store = store
        self._poster = poster
        self._policy = policy
        self._reports_channel = reports_channel
        self._min_respondents = max(min_group, MIN_RESPONDENTS)
        self._clock = clock

    def handlers(self) -> dict[str, Handler]:
        return {
            tasks.POST: self.post,
            tasks.REMIND: self.remind,
            tasks.OVERDUE: self.overdue,
            tasks.DONE: self.done,
            tasks.EVALUATE: self.evaluate,
        }

    async def _task(self, job: Job) -> ImprovementTask | None:
        task_id = str(job.payload.get("task"))  # every improvement job names its task
        improvement = await self._store.improvements.get(action_id=task_id)
        task = ImprovementTask.of(improvement) if improvement is not None else None
        if task is None:
            log.warning("job %s: no such improvement task; nothing to do", job.kind)
        return task

    def _channel(self, task: ImprovementTask) -> str | None:
        team = self._policy.teams.get(task.team)
        return team.channel if team is not None else None

    async def post(self, job: Job) -> None:
        task = await self._task(job)
        if task is None or task.message is not None:
            return  # posted already (a retried job)
        channel, ts = await self._poster.post_task(self._channel(task), task)
        await self._store.improvements.posted(action_id=task.id, channel=channel, ts=ts)
        await self._store.audit.add(actor=BOT, action="improvement.posted", target=task.id, outcome="done")
        log.info("improvement task posted to its team")

    async def remind(self, job: Job) -> None:
        task = await self._task(job)
        if task is None or task.status is not ImprovementStatus.OPEN:
            return
        days = TaskReminder.read(job.payload).days
        await self._say(
            task,
            f"⏰ Reminder: {task.id} is due on {task.deadline} (in {days} day(s)). Target: {task.target}.",
        )
        await self._store.audit.add(
            actor=BOT,
            action="improvement.reminded",
            target=task.id,
            outcome="done",
            detail=f"{days} day(s) before",
        )

    async def overdue(self, job: Job) -> None:
        task = await self._task(job)
        if task is None or task.status is not ImprovementStatus.OPEN:
            return
        text = (
            f"🚨 {task.id} (team {task.team}) is overdue: its deadline was {task.deadline}. "
            f"Target: {task.target}."
        )
        await self._say(task, text)
        await self._poster.post(self._reports_channel, text)
        await self._store.audit.add(actor=BOT, action="improvement.overdue", target=task.id, outcome="done")

    async def done(self, job: Job) -> None:
        task = await self._task(job)
        if task is None or task.done_at is None:
            return
        await self._poster.refresh_task(task)
        evaluation_day = (task.done_at + WINDOW).date()
        await self._say(task, f"✔️ {task.id} marked done. Its effect is evaluated on {evaluation_day}.")

    async def evaluate(self, job: Job) -> None:
        task = await self._task(job)
        if task is None or task.done_at is None:
            return
        stored = await self._store.improvements.get(action_id=task.id)
        if stored is not None and stored.verdict is not None:
            return  # evaluated already (a retried job)
        dimension = task.target.dimension
        before = await satisfied_share(
            self._store,
            questionnaire_id=task.questionnaire,
            dimension=dimension,
            start=task.created_at - WINDOW,
            end=task.created_at,
        )
        after = await satisfied_share(
            self._store,
            questionnaire_id=task.questionnaire,
            dimension=dimension,
            start=task.done_at,
            end=task.done_at + WINDOW,
        )
        result = judge(
            before, after, target=task.target.csat, dimension=dimension, min_respondents=self._min_respondents
        )
        # Posted before it is stored: a crash in between repeats the message rather than losing it.
        text = f"📊 Effect of {task.id} (team {task.team}): {describe(result)}"
        await self._say(task, text)
        await self._poster.post(self._reports_channel, text)
        await self._store.improvements.evaluated(
            action_id=task.id,
            evaluation={
                "verdict": result.verdict.value,
                "before": [before.satisfied, before.respondents],
                "after": [after.satisfied, after.respondents],
                "p_value": result.p_value,
                "at": self._clock(),
            },
        )
        await self._store.audit.add(
            actor=BOT,
            action="improvement.evaluated",
            target=task.id,
            outcome="done",
            detail=result.verdict.value,
        )
        log.info("improvement task evaluated: %s", result.verdict.value)

    async def _say(self, task: ImprovementTask, text: str) -> None:
        if task.message is not None:
            channel, ts = task.message
            await self._poster.note(channel, ts, text)
        else:
            await self._poster.post(self._channel(task), text)
