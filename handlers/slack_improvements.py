"""Reports for approval and improvement tasks as Slack messages (Block Kit), over slack_sdk."""

from __future__ import annotations

import logging

from slack_sdk.web.async_client import AsyncWebClient

from conversations.reports.approval import ReportButton
from conversations.reports.improvement_tasks import ImprovementTask, TaskButton
from conversations.reports.suggested_actions import SuggestedAction
from handlers.pacing import Pacer
from handlers.slack import CHANNEL_BURST, CHANNEL_RATE, GLOBAL_RATE, MAX_SECTION_TEXT
from storage.improvements import ImprovementStatus

log = logging.getLogger("handlers.slack_improvements")
APPROVE, REQUEST_CHANGES, CHANGES_MODAL, TASK_DONE = (
    "report_approve",
    "report_request_changes",
    "report_changes_modal",
    "improvement_done",
)
Block = dict[str, object]


def _chunks(text: str, limit: int = MAX_SECTION_TEXT) -> list[str]:
    """The text in pieces of whole lines, each short enough for one section block."""
    pieces: list[str] = []
    current = ""
    for line in text.splitlines():
        while len(line) > limit:
            pieces.append(line[:limit])
            line = line[limit:]
        if current and len(current) + 1 + len(line) > limit:
            pieces.append(current)
            current = line
        else:
            current = f"{current}\n{line}" if current else line
    if current:
        pieces.append(current)
    return pieces


def _plain_section(text: str) -> Block:
    return {"type": "section", "text": {"type": "plain_text", "text": text, "emoji": False}}


def suggestion_lines(suggestions: list[SuggestedAction]) -> str:
    if not suggestions:
        return "No improvement actions suggested for this period."
    return "\n".join(
        f"{number}. {action.requirement} Team: {action.team}. Target: {action.target}."
        for number, action in enumerate(suggestions, start=1)
    )


def approval_blocks(text: str, suggestions: list[SuggestedAction], button: ReportButton) -> list[Block]:
    blocks: list[Block] = [
        _plain_section(piece)
        for piece in _chunks(text)
    ][:45]  # Slack allows 50 blocks a message; the whole text is also the message's fallback
    blocks.append({"type": "header", "text": {"type": "plain_text", "text": "Suggested actions"}})
    blocks.append({"type": "section", "text": {"type": "plain_text", "text": suggestion_lines(suggestions)}})
    blocks.append(
        {
            "type": "actions",
            "block_id": "report_decision",
            "elements": [
                {
                    "type": "button",
                    "action_id": APPROVE,
                    "style": "primary",
                    "text": {"type": "plain_text", "text": "Approve"},
                    "value": button.pack(),
                },
                {
                    "type": "button",
                    "action_id": REQUEST_CHANGES,
                    "text": {"type": "plain_text", "text": "Request changes"},
                    "value": button.pack(),
                },
            ],
        }
    )
    return blocks


def task_blocks(task: ImprovementTask) -> tuple[str, list[Block]]:
    title = f"Improvement task {task.id} for team {task.team}"
    fields = [
        f"*Requirement*\n{task.requirement}",
        f"*Target*\n{task.target}",
        f"*Deadline*\n{task.deadline.isoformat()}",
        f"*From*\nreport {task.report}",
    ]
    blocks: list[Block] = [
        {"type": "header", "text": {"type": "plain_text", "text": title[:150]}},
        {"type": "section", "fields": [{"type": "mrkdwn", "text": field} for field in fields]},
    ]
    if task.status is ImprovementStatus.OPEN:
        blocks.append(
            {
                "type": "actions",
                "block_id": "improvement_task",
                "elements": [
                    {
                        "type": "button",
                        "action_id": TASK_DONE,
                        "text": {"type": "plain_text", "text": "Mark done"},
                        "value": TaskButton(task.id).pack(),
                    }
                ],
            }
        )
    return title, blocks


class SlackImprovements:
    """Posts reports awaiting approval, improvement tasks and what happens to them."""

    def __init__(self, *, client: AsyncWebClient, default_channel: str) -> None:
        self._client = client
        self._default_channel = default_channel
        self._pacer = Pacer(global_rate=GLOBAL_RATE, chat_rate=CHANNEL_RATE, chat_burst=CHANNEL_BURST)

    async def post_for_approval(
        self,
        channel: str | None,
        text: str,
        suggestions: list[SuggestedAction],
        button: ReportButton,
        files: dict[str, bytes],
    ) -> tuple[str, str]:
        """The report with its suggested actions and decision buttons; charts in its thread."""
        target = channel or self._default_channel
        await self._pacer.wait(target)
        fallback = f"{text}\n\nSuggested actions:\n{suggestion_lines(suggestions)}"
        posted = await self._client.chat_postMessage(
            channel=target, text=fallback, blocks=approval_blocks(text, suggestions, button)
        )
        ts = str(posted["ts"])
        if files:
            await self._pacer.wait(target)
            await self._client.files_upload_v2(
                channel=target,
                thread_ts=ts,
                file_uploads=[
                    {"filename": name, "content": data, "title": name} for name, data in files.items()
                ],
            )
        return str(posted["channel"]), ts

    async def post_task(self, channel: str | None, task: ImprovementTask) -> tuple[str, str]:
        target = channel or self._default_channel
        text, blocks = task_blocks(task)
        await self._pacer.wait(target)
        posted = await self._client.chat_postMessage(channel=target, text=text, blocks=blocks)
        log.info("improvement task posted to Slack")
        return str(posted["channel"]), str(posted["ts"])

    async def refresh_task(self, task: ImprovementTask) -> None:
        if task.message is None:
            return
        channel, ts = task.message
        text, blocks = task_blocks(task)
        await self._pacer.wait(channel)
        await self._client.chat_update(channel=channel, ts=ts, text=text, blocks=blocks)

    async def note(self, channel: str, thread: str | None, text: str) -> None:
        """A line in a message's thread (or at the channel's top level without one)."""
        await self._pacer.wait(channel)
        if thread is None:
            await self._client.chat_postMessage(channel=channel, text=text)
        else:
            await self._client.chat_postMessage(channel=channel, thread_ts=thread, text=text)

    async def post(self, channel: str | None, text: str) -> None:
        target = channel or self._default_channel
        await self._pacer.wait(target)
        await self._client.chat_postMessage(channel=target, text=text)
