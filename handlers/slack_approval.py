"""The Approve / Request changes buttons of a posted report and the "Mark done" button of an improvement
task, as bolt listeners on the agents' Slack app (so requests are verified the same way).

Only users in `REPORT_APPROVERS` decide on reports; tasks may be marked done by approvers and the
teams' agents. Anyone else, and any button whose value is not one we made, gets an ephemeral refusal,
which is logged and audited. Each decision remembers the Slack request that made it: a replay changes
nothing.
"""

from __future__ import annotations

import logging
from collections.abc import Awaitable, Callable
from datetime import datetime
from typing import Any

from slack_bolt.async_app import AsyncAck, AsyncApp
from slack_sdk.errors import SlackApiError
from slack_sdk.web.async_client import AsyncWebClient

from conversations.reports.approval import Refused, ReportApprovals, ReportButton
from conversations.reports.improvement_tasks import NotATask, TaskButton, finish
from handlers.slack import modal_input, text_modal, user_of
from handlers.slack_agents import request_identity
from handlers.slack_improvements import APPROVE, CHANGES_MODAL, REQUEST_CHANGES, TASK_DONE, SlackImprovements
from storage.store import Store

log = logging.getLogger("handlers.slack_approval")
NOT_APPROVER = "Only the report approvers (REPORT_APPROVERS) can approve or request changes."
NOT_ALLOWED_DONE = "Only the report approvers and the teams' agents can mark a task done."
UNKNOWN_BUTTON = "This button is not one of ours (unknown report or task)."


class ApprovalListeners:
    def __init__(
        self,
        *,
        app: AsyncApp,
        client: AsyncWebClient,
        store: Store,
        approvals: ReportApprovals,
        slack: SlackImprovements,
        is_agent: Callable[[str], Awaitable[bool]],
        clock: Callable[[], datetime],
    ) -> None:
        self._client = client
        self._store = store
        self._approvals = approvals
        self._slack = slack
        self._is_agent = is_agent
        self._clock = clock
        app.action(APPROVE)(self._approve)
        app.action(REQUEST_CHANGES)(self._ask_reason)
        app.view(CHANGES_MODAL)(self._reason_given)
        app.action(TASK_DONE)(self._done)

    async def _approve(self, ack: AsyncAck, body: dict[str, Any], action: dict[str, Any]) -> None:
        await ack()
        user = user_of(body)
        button = ReportButton.unpack(action.get("value"))
        if button is None:
            await self._refuse(body, "report.approve", None, UNKNOWN_BUTTON)
            return
        if not self._approvals.may_decide(user):
            await self._refuse(body, "report.approve", button.report_id, NOT_APPROVER)
            return
        try:
            decision = await self._approvals.approve(button, user=user, request=request_identity(body))
        except Refused as refusal:
            await self._refuse(body, "report.approve", button.report_id, str(refusal))
            return
        if decision.changed:
            log.info("report approved: %d improvement task(s)", len(decision.tasks))
            await self._in_thread(body, decision.note)
        else:
            log.warning("report approval ignored: decided already or a replayed request")
            await self._ephemeral(body, decision.note)

    async def _ask_reason(self, ack: AsyncAck, body: dict[str, Any], action: dict[str, Any]) -> None:
        await ack()
        user = user_of(body)
        button = ReportButton.unpack(action.get("value"))
        if button is None:
            await self._refuse(body, "report.request_changes", None, UNKNOWN_BUTTON)
            return
        if not self._approvals.may_decide(user):
            await self._refuse(body, "report.request_changes", button.report_id, NOT_APPROVER)
            return
        container = body.get("container") or {}
        # The modal carries the report and the message it came from (for the note in its thread).
        metadata = f"{button.pack()}|{container.get('channel_id') or ''}|{container.get('message_ts') or ''}"
        view = text_modal(
            callback_id=CHANGES_MODAL,
            metadata=metadata,
            title="Request changes",
            submit="Send",
            label="What should change, and why?",
            max_length=2000,
        )
        await self._client.views_open(trigger_id=str(body.get("trigger_id")), view=view)

    async def _reason_given(self, ack: AsyncAck, body: dict[str, Any], view: dict[str, Any]) -> None:
        user = user_of(body)
        report, _, where = str(view.get("private_metadata") or "").partition("|")
        channel, _, ts = where.partition("|")
        button = ReportButton.unpack(report)
        if button is None:
            log.warning("report decision refused (%s)", UNKNOWN_BUTTON)
            await ack(response_action="errors", errors={"value": UNKNOWN_BUTTON})
            return
        if not self._approvals.may_decide(user):
            await self._approvals.refused(user, "report.request_changes", button.report_id, "not an approver")
            log.warning("report decision refused (not an approver)")
            await ack(response_action="errors", errors={"value": NOT_APPROVER})
            return
        reason = str(modal_input(view).get("value") or "")
        try:
            decision = await self._approvals.request_changes(
                button, user=user, reason=reason, request=request_identity(body)
            )
        except Refused as refusal:
            await ack(response_action="errors", errors={"value": str(refusal)})
            return
        await ack()
        if decision.changed:
            log.info("changes requested on a report")
            if channel:
                await self._slack.note(channel, ts or None, decision.note)
        else:
            log.warning("report change request ignored: a replayed request")

    async def _done(self, ack: AsyncAck, body: dict[str, Any], action: dict[str, Any]) -> None:
        await ack()
        user = user_of(body)
        button = TaskButton.unpack(action.get("value"))
        if button is None:
            await self._refuse(body, "improvement.done", None, UNKNOWN_BUTTON)
            return
        if not (self._approvals.may_decide(user) or await self._is_agent(user)):
            await self._refuse(body, "improvement.done", button.task_id, NOT_ALLOWED_DONE)
            return
        try:
            changed = await finish(
                self._store, action_id=button.task_id, by=f"slack:{user}", at=self._clock()
            )
        except NotATask:
            await self._refuse(body, "improvement.done", button.task_id, UNKNOWN_BUTTON)
            return
        if not changed:
            log.warning("task completion ignored: done already or a replayed request")
            await self._ephemeral(body, f"{button.task_id} is done already.")
        else:
            log.info("improvement task marked done")

    async def _refuse(self, body: dict[str, Any], action: str, target: str | None, why: str) -> None:
        log.warning("report or task action refused (%s)", why)
        await self._approvals.refused(user_of(body), action, target, why)
        await self._ephemeral(body, f"⛔ {why}")

    async def _ephemeral(self, body: dict[str, Any], text: str) -> None:
        channel = _channel(body)
        if not channel:
            return
        try:
            await self._client.chat_postEphemeral(channel=channel, user=user_of(body), text=text)
        except SlackApiError:
            log.info("could not answer the person who pressed a button")

    async def _in_thread(self, body: dict[str, Any], text: str) -> None:
        channel = _channel(body)
        ts = (body.get("container") or {}).get("message_ts") or (body.get("message") or {}).get("ts")
        if channel:
            await self._slack.note(channel, str(ts) if ts else None, text)


def _channel(body: dict[str, Any]) -> str:
    return str((body.get("channel") or {}).get("id") or (body.get("container") or {}).get("channel_id") or "")
