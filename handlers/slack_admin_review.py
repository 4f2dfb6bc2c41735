"""Review notices for Slack admins: a direct message with Approve / Request changes buttons.

The words come from conversations/admin/review.py; approval and rejection run the same admin
commands as `/feedback-admin approve|reject`, so the same rules and audit apply.
"""

from __future__ import annotations

import logging
import shlex
from datetime import UTC, datetime
from typing import Any

from slack_bolt.async_app import AsyncAck, AsyncApp
from slack_sdk.web.async_client import AsyncWebClient

from conversations.admin.commands import AdminCommands
from conversations.admin.context import AdminContext, AdminReply
from conversations.admin.review import notice_text
from core.jobs import AdminNoticeJob
from handlers.slack import modal_input, text_modal, user_of

log = logging.getLogger("handlers.slack_admin_review")

APPROVE, CHANGES = "questionnaire_approve", "questionnaire_changes"
REASON = "questionnaire_changes_modal"


async def post_notice(client: AsyncWebClient, notice: AdminNoticeJob) -> None:
    """The notice as a direct message to the admin (a user id as channel opens the DM)."""
    text = notice_text(notice)
    blocks: list[dict[str, Any]] = [{"type": "section", "text": {"type": "plain_text", "text": text}}]
    if notice.about == "review":
        qid = notice.questionnaire
        blocks.append(
            {
                "type": "actions",
                "block_id": f"review:{qid}",
                "elements": [
                    _button(APPROVE, "✅ Approve", qid),
                    _button(CHANGES, "✏️ Request changes", qid),
                ],
            }
        )
    await client.chat_postMessage(channel=notice.chat_key, text=text, blocks=blocks)


async def schedule_notices(admin: AdminContext, reply: AdminReply, *, cause: str) -> None:
    """The admins a command told, each by a job (sent at the channel's pace, once)."""
    for notice in reply.notices:
        job = notice.job(cause=cause)
        if job is not None:
            await admin.store.jobs.put(job[0], key=job[1], due_at=admin.clock())


class SlackAdminReview:
    def __init__(self, *, client: AsyncWebClient, admin: AdminContext, admin_users: frozenset[str]) -> None:
        self._client = client
        self._admin = admin
        self._admin_users = admin_users

    def register(self, app: AsyncApp) -> None:
        app.action(APPROVE)(self._approve)
        app.action(CHANGES)(self._ask_reason)
        app.view(REASON)(self._rejected)

    async def _approve(self, ack: AsyncAck, body: dict[str, Any], action: dict[str, Any]) -> None:
        await ack()
        user = user_of(body)
        if user not in self._admin_users:
            log.warning("review action refused (not an admin)")
            return
        reply = await AdminCommands(self._admin, admin=f"slack:{user}").run(f"approve {_qid(action)}")
        await schedule_notices(self._admin, reply, cause=_cause(body))
        await self._client.chat_postEphemeral(channel=_channel(body), user=user, text=reply.text)

    async def _ask_reason(self, ack: AsyncAck, body: dict[str, Any], action: dict[str, Any]) -> None:
        await ack()
        if user_of(body) not in self._admin_users:
            log.warning("review action refused (not an admin)")
            return
        qid = _qid(action)
        view = text_modal(
            callback_id=REASON,
            metadata=qid,
            title="Request changes",
            submit="Send back",
            label=f"What should change in {qid}?",
            max_length=500,
        )
        await self._client.views_open(trigger_id=str(body.get("trigger_id")), view=view)

    async def _rejected(self, ack: AsyncAck, body: dict[str, Any], view: dict[str, Any]) -> None:
        user = user_of(body)
        if user not in self._admin_users:
            await ack(response_action="errors", errors={"value": "Only the configured admins can do this."})
            return
        reason = " ".join(str(modal_input(view).get("value") or "").split())
        if not reason:
            await ack(response_action="errors", errors={"value": "Say what should change."})
            return
        qid = str(view.get("private_metadata") or "")
        commands = AdminCommands(self._admin, admin=f"slack:{user}")
        reply = await commands.run(f"reject {shlex.quote(qid)} {shlex.quote(reason)}")
        if reply.text.startswith("Not done"):
            await ack(response_action="errors", errors={"value": reply.text})
            return
        await schedule_notices(self._admin, reply, cause=f"slack-view-{view.get('id')}")
        await ack()


def _button(action_id: str, label: str, qid: str) -> dict[str, Any]:
    return {
        "type": "button",
        "action_id": action_id,
        "text": {"type": "plain_text", "text": label},
        "value": qid,
    }


def _qid(action: dict[str, Any]) -> str:
    return str(action.get("value") or "")[:32]


def _channel(body: dict[str, Any]) -> str:
    return str((body.get("channel") or {}).get("id") or user_of(body))


def _cause(body: dict[str, Any]) -> str:
    return f"slack-{body.get('trigger_id') or datetime.now(UTC).timestamp()}"
