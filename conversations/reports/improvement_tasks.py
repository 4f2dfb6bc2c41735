"""Improvement tasks: made from an approved report's suggested actions, reminded, alerted when overdue,
finished, and evaluated. Every step is a durable job with a deterministic id, so each runs once."""

from __future__ import annotations

import re
from dataclasses import dataclass
from datetime import UTC, date, datetime, time, timedelta
from typing import Any, Self

from conversations.reports.effect_evaluation import WINDOW
from conversations.reports.suggested_actions import SuggestedAction, Target
from core.jobs import TaskDone, TaskEvaluation, TaskOverdue, TaskPost, TaskReminder
from storage.improvements import Improvement, ImprovementStatus
from storage.store import Store

POST, REMIND, OVERDUE, DONE, EVALUATE = (
    TaskPost.KIND,
    TaskReminder.KIND,
    TaskOverdue.KIND,
    TaskDone.KIND,
    TaskEvaluation.KIND,
)
KINDS = (POST, REMIND, OVERDUE, DONE, EVALUATE)
REMIND_BEFORE = (timedelta(days=14), timedelta(days=1))  # reminders before the deadline day
REMIND_AT = time(9, 0)  # UTC
_TASK_ID = re.compile(r"^T[WM]\d{8}-\d{1,2}$")


@dataclass(frozen=True, slots=True)
class TaskButton:
    """The value of a task's "Mark done" button."""

    task_id: str

    def pack(self) -> str:
        return self.task_id

    @classmethod
    def unpack(cls, value: object) -> Self | None:
        return cls(value) if isinstance(value, str) and _TASK_ID.match(value) else None


@dataclass(frozen=True, slots=True)
class ImprovementTask:
    id: str
    team: str
    requirement: str
    target: Target
    report: str
    questionnaire: str
    status: ImprovementStatus
    created_at: datetime
    done_at: datetime | None
    message: tuple[str, str] | None  # Slack channel and message ts, once posted

    @property
    def deadline(self) -> date:
        return self.target.by

    @classmethod
    def of(cls, improvement: Improvement) -> Self | None:
        """The task an improvement is (None: an admin's action, not a task from a report)."""
        goal = improvement.goal
        if not improvement.is_task or goal is None:
            return None
        return cls(
            id=improvement.id,
            team=improvement.team,
            requirement=improvement.requirement,
            target=Target(goal.dimension, goal.csat, goal.by),
            report=improvement.report,
            questionnaire=improvement.questionnaire,
            status=improvement.status,
            created_at=_aware(improvement.created_at),
            done_at=_aware(improvement.done_at) if improvement.done_at else None,
            message=improvement.message,
        )


def task_id(report_id: str, number: int) -> str:
    """`TW20261123-1`: the first task of the weekly report posted on 2026-11-23."""
    kind, _, day = report_id.partition(":")
    return f"T{'M' if kind.endswith('monthly') else 'W'}{day.replace('-', '')}-{number}"


def goal_doc(target: Target) -> dict[str, Any]:
    return {"dimension": target.dimension, "csat": target.csat, "by": target.by.isoformat()}


async def create_tasks(
    store: Store,
    *,
    report_id: str,
    suggestions: list[SuggestedAction],
    questionnaire: str,
    by: str,
    at: datetime,
) -> list[str]:
    """One task per suggestion, with its posting, reminder and overdue jobs; safe to run again."""
    made: list[str] = []
    for number, suggestion in enumerate(suggestions, start=1):
        task = task_id(report_id, number)
        await store.improvements.add_task(
            task_id=task,
            team=suggestion.team,
            requirement=suggestion.requirement,
            goal=goal_doc(suggestion.target),
            due=suggestion.deadline,
            report=report_id,
            questionnaire=questionnaire,
            by=by,
            at=at,
        )
        await store.jobs.put(TaskPost(task=task), key=task, due_at=at)
        for before in REMIND_BEFORE:
            due = datetime.combine(suggestion.deadline - before, REMIND_AT, UTC)
            if due > at:
                reminder = TaskReminder(task=task, days=before.days)
                await store.jobs.put(reminder, key=f"{task}:{before.days}d", due_at=due)
        overdue = datetime.combine(suggestion.deadline + timedelta(days=1), time(), UTC)
        await store.jobs.put(TaskOverdue(task=task), key=task, due_at=overdue)
        made.append(task)
    return made


class NotATask(ValueError):
    """No open improvement task or action by that id."""


async def finish(store: Store, *, action_id: str, by: str, at: datetime) -> bool:
    """Mark an action or task done; a task's evaluation is scheduled for the end of its after window.
    False when it was done already (a replayed click, a second admin); NotATask when unknown."""
    if not await store.improvements.finish(action_id=action_id, at=at):
        if await store.improvements.get(action_id=action_id) is None:
            raise NotATask(action_id)
        return False
    finished = await store.improvements.get(action_id=action_id)
    if finished is not None and finished.is_task:
        await store.jobs.put(TaskDone(task=action_id), key=action_id, due_at=at)
        await store.jobs.put(TaskEvaluation(task=action_id), key=action_id, due_at=at + WINDOW)
        for before in REMIND_BEFORE:
            await store.jobs.cancel(job_id=f"{REMIND}:{action_id}:{before.days}d")
        await store.jobs.cancel(job_id=f"{OVERDUE}:{action_id}")
    await store.audit.add(actor=by, action="improvement.done", target=action_id, outcome="done")
    return True


def _aware(moment: datetime) -> datetime:
    return moment if moment.tzinfo else moment.replace(tzinfo=UTC)
