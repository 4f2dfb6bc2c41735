"""Admin commands for managers: `report` (figures in chat) and `action` (improvement actions)."""

from __future__ import annotations

import re
from datetime import date, datetime

from conversations.reports import improvement_tasks
from conversations.reports.effect_evaluation import WINDOW
from conversations.reports.figures import build_report, parse_report_words
from conversations.reports.improvement_tasks import ImprovementTask
from conversations.reports.text import render_csv, render_text
from storage.improvements import Improvement
from storage.store import Store

HELP = """report [--from YYYY-MM-DD] [--to YYYY-MM-DD] [--by country|language|channel|segment|version]
  [--questionnaire <id>] [--format text|csv] — figures for a period (default: the last 30 days)
action add dimension:<name>|category:<name> <team> <owner> <due YYYY-MM-DD> — record an improvement
action done <id> · action list — finish one, list them (reports show before/after for finished ones)"""
_TARGET = re.compile(r"^(dimension|category):[a-z0-9_]{1,40}$")
_WORD = re.compile(r"^[\w.@-]{1,40}$")


class AdminReportError(ValueError):
    """A report or action command that cannot be done as written."""


async def report(
    store: Store, words: list[str], *, now: datetime, min_group: int
) -> tuple[str, tuple[str, str] | None]:
    """The report as chat text, or as a CSV document."""
    try:
        command = parse_report_words(words, today=now.date(), min_group=min_group)
    except ValueError as error:
        raise AdminReportError(str(error)) from None
    if command.format == "png":
        raise AdminReportError(
            "charts come with the scheduled Slack report and `feedback-bot report --format png`"
        )
    built = await build_report(store, command.request, now=now)
    if command.format == "csv":
        name = f"report-{command.request.start}-{command.request.end}.csv"
        return f"Report {command.request.start} – {command.request.end} attached.", (name, render_csv(built))
    return render_text(built), None


def _listed(action: Improvement) -> str:
    line = (
        f"{action.id} {action.target} · {action.team} · {action.owner} · due {action.due.isoformat()}"
        f" · {action.status}"
    )
    task = ImprovementTask.of(action)
    if task is None:
        return line
    verdict = f" · {action.verdict}" if action.verdict is not None else ""
    return f"{line} · target: {task.target}{verdict}\n    {task.requirement}"


async def action(store: Store, words: list[str], *, admin: str, now: datetime) -> str:
    verb = words[0].lower() if words else "list"
    if verb == "list":
        found = await store.improvements.all()
        if not found:
            return "No improvement actions yet."
        return "\n".join(_listed(a) for a in found)
    if verb == "done" and len(words) == 2:
        try:
            finished = await improvement_tasks.finish(store, action_id=words[1], by=admin, at=now)
        except improvement_tasks.NotATask:
            finished = False
        if not finished:
            raise AdminReportError(f"no open action {words[1]!r}")
        task = await store.improvements.get(action_id=words[1])
        if task is not None and task.is_task:
            day = (now + WINDOW).date()
            return f"{words[1]} marked done; its effect on the target is evaluated on {day}."
        return f"{words[1]} marked done; reports now compare its dimension before and after."
    if verb == "add" and len(words) == 5:
        target, team, owner, due_text = words[1:]
        if not _TARGET.match(target):
            raise AdminReportError("the target is dimension:<name> or category:<name>")
        if not (_WORD.match(team) and _WORD.match(owner)):
            raise AdminReportError("team and owner are single words (letters, digits, . @ _ -)")
        try:
            due = date.fromisoformat(due_text)
        except ValueError:
            raise AdminReportError("the due date is written YYYY-MM-DD") from None
        number = len(await store.improvements.all()) + 1
        while not await store.improvements.add(
            action_id=f"A{number}", target=target, team=team, owner=owner, due=due, by=admin, at=now
        ):
            number += 1  # another admin took this number a moment ago
        return f"A{number} recorded: {target}, {team}, {owner}, due {due}."
    raise AdminReportError("use: action add <target> <team> <owner> <due> · action done <id> · action list")
