"""Slack adapter for agents: tickets as Block Kit messages with their thread, over slack_sdk / slack-bolt."""

from __future__ import annotations

import logging
from datetime import datetime
from typing import Any

from slack_sdk.errors import SlackApiError
from slack_sdk.http_retry.async_handler import AsyncRetryHandler
from slack_sdk.http_retry.builtin_async_handlers import AsyncRateLimitErrorRetryHandler
from slack_sdk.web.async_client import AsyncWebClient

from conversations.tickets.desk import TicketView
from conversations.translation import Translation
from core.tickets import DeskMessage, Status
from handlers.pacing import Pacer

log = logging.getLogger("handlers.slack")

# Slack's documented posting limit is about one message per second per channel, with short bursts.
CHANNEL_RATE = 1.0
CHANNEL_BURST = 3
GLOBAL_RATE = 20.0
MAX_SECTION_TEXT = 2900  # Block Kit section text is limited to 3000 characters

CATEGORY_LABELS = {
    "product_quality": "Product quality",
    "wrong_item": "Wrong or missing item",
    "logistics": "Delivery delay or damage",
    "after_sales": "After-sales service",
    "payment": "Payment or refund",
    "attitude": "Service attitude",
    "other": "Other",
}
EXPECTATION_LABELS = {
    "refund": "Refund",
    "replacement": "Replacement",
    "repair": "Repair",
    "partial_refund": "Partial refund",
    "apology": "Explanation or apology",
    "other": "Other",
}
STATUS_LABELS = {
    "open": "Open",
    "claimed": "Claimed",
    "in_progress": "In progress",
    "awaiting_customer": "Waiting for the customer",
    "proposal_rejected": "Proposal rejected",
    "closed": "Closed",
    "reopened": "Reopened",
}
CONTACT_TIME_LABELS = {
    "morning": "Morning",
    "afternoon": "Afternoon",
    "evening": "Evening",
    "any": "Any time",
}
DEADLINE_LABELS = {
    "classification": "Classification",
    "first_contact": "First contact",
    "resolution": "Resolution",
}
MAX_CONTACT_NOTE = 120
ACTIONS = (
    ("ticket_claim", "Claim"),
    ("ticket_reply", "Reply"),
    ("ticket_propose", "Propose resolution"),
    ("ticket_resolve", "Resolve"),
    ("ticket_reclassify", "Reclassify"),
    ("ticket_escalate", "Escalate"),
)


def make_client(*, token: str, base_url: str, retries: int = 2) -> AsyncWebClient:
    """A Web API client that waits out 429s (Retry-After) a few times before giving up to the job queue."""
    handlers: list[AsyncRetryHandler] = [AsyncRateLimitErrorRetryHandler(max_retry_count=retries)]
    if not base_url.endswith("/"):
        base_url += "/"
    return AsyncWebClient(token=token, base_url=base_url, timeout=15, retry_handlers=handlers)


def user_of(body: dict[str, Any]) -> str:
    """The Slack user id of an interaction or a slash command's payload."""
    return str((body.get("user") or {}).get("id") or "")


def modal_input(view: dict[str, Any]) -> dict[str, Any]:
    """The element of a submitted modal's input block `value` (its typed text is `["value"]`)."""
    values = ((view.get("state") or {}).get("values") or {}).get("value") or {}
    found = values.get("value") if isinstance(values, dict) else None
    return found if isinstance(found, dict) else {}


def text_modal(
    *, callback_id: str, metadata: str, title: str, submit: str, label: str, max_length: int
) -> dict[str, Any]:
    """A modal asking for one piece of free text (a reason), in the input block `value`."""
    return {
        "type": "modal",
        "callback_id": callback_id,
        "private_metadata": metadata,
        "title": {"type": "plain_text", "text": title[:24]},
        "submit": {"type": "plain_text", "text": submit},
        "close": {"type": "plain_text", "text": "Cancel"},
        "blocks": [
            {
                "type": "input",
                "block_id": "value",
                "label": {"type": "plain_text", "text": label[:150]},
                "element": {
                    "type": "plain_text_input",
                    "action_id": "value",
                    "multiline": True,
                    "max_length": max_length,
                },
            }
        ],
    }


def _escape(text: str) -> str:
    """Slack mrkdwn treats &, < and > as control characters; customers' words must stay literal."""
    return text.replace("&", "&amp;").replace("<", "&lt;").replace(">", "&gt;")


def _date(moment: datetime) -> str:
    """A Slack date token: shown in each agent's own time zone, with a UTC fallback."""
    fallback = f"{moment:%Y-%m-%d %H:%M} UTC"
    return f"<!date^{int(moment.timestamp())}^{{date_short_pretty}} {{time}}|{fallback}>"


def _clip(text: str, limit: int = MAX_SECTION_TEXT) -> str:
    return text if len(text) <= limit else text[: limit - 1] + "…"


def _deadline(name: str, at: datetime, view: TicketView) -> str:
    """A deadline with its outcome: met (and when), missed, or still due."""
    line = f"{DEADLINE_LABELS.get(name, name.replace('_', ' '))}: {_date(at)}"
    met = view.met.get(name)
    if met is not None:
        return f"{line} · ✅ met at {_date(met)}" + (" (late)" if name in view.breached else "")
    return line + (" ⚠️ missed" if name in view.breached else "")


def ticket_blocks(view: TicketView) -> tuple[str, list[dict[str, object]]]:
    """Fallback text and Block Kit blocks for a ticket."""
    category = CATEGORY_LABELS.get(view.category, view.category)
    flag = "🔴 URGENT · " if view.urgent else ""
    title = f"{flag}{view.id} · {category}"
    status = STATUS_LABELS.get(view.status, view.status)
    status += f" · claimed by <@{view.assignee}>" if view.assignee else ""
    deadlines = "\n".join(
        _deadline(name, at, view) for name, at in sorted(view.deadlines.items(), key=lambda item: item[1])
    )
    when = (
        _escape(_clip(view.contact_time_note, MAX_CONTACT_NOTE))
        if view.contact_time_note
        else CONTACT_TIME_LABELS.get(view.contact_time or "any", view.contact_time or "Any time")
    )
    fields = [
        f"*Status*\n{status}",
        f"*Team*\n{view.team}",
        f"*Customer*\n{view.customer_language} · {view.customer_channel}",
        f"*Order*\n{_escape(view.order_ref) if view.order_ref else '—'}",
        f"*Product*\n{_escape(_clip(view.product, 200)) if view.product else '—'}",
        f"*Expects*\n{EXPECTATION_LABELS.get(view.expectation or '', view.expectation or '—')}",
        f"*Contact*\n{when} · {'details on file' if view.has_contact else 'chat only'}",
        f"*Deadlines*\n{deadlines or '—'}",
    ]
    translation = view.description
    quoted = _escape(_clip(translation.original)).replace("\n", "\n>")
    words = f"*Customer's words* ({translation.source}):\n>{quoted}"
    if translation.translated:
        engine = f"{translation.target}, {translation.provider}"
        rendered = f"*Translation* ({engine}):\n{_escape(_clip(translation.text))}"
    else:
        rendered = f"_Not translated: {translation.note or 'same language'}_"
    blocks: list[dict[str, object]] = [
        {"type": "header", "text": {"type": "plain_text", "text": _clip(title, 150)}},
        {"type": "section", "fields": [{"type": "mrkdwn", "text": field} for field in fields]},
        {"type": "section", "text": {"type": "mrkdwn", "text": words}},
        {"type": "section", "text": {"type": "mrkdwn", "text": rendered}},
    ]
    if view.urgency_reasons:
        reasons = "; ".join(_escape(reason) for reason in view.urgency_reasons)
        blocks.append({"type": "context", "elements": [{"type": "mrkdwn", "text": f"Urgent: {reasons}"}]})
    if view.photos:
        blocks.append(
            {
                "type": "context",
                "elements": [{"type": "mrkdwn", "text": f"📎 {view.photos} photo(s) in the chat"}],
            }
        )
    if view.status != Status.CLOSED:
        blocks.append(
            {
                "type": "actions",
                "block_id": f"ticket:{view.id}",
                "elements": [
                    {
                        "type": "button",
                        "action_id": action,
                        "text": {"type": "plain_text", "text": label},
                        "value": view.id,
                    }
                    for action, label in ACTIONS
                ],
            }
        )
    return title, blocks


def _with_words(text: str, words: Translation | None) -> str:
    """`text`, then someone's words quoted literally, then their translation (or why there is none)."""
    if words is None:
        return text
    text += "\n>" + _escape(_clip(words.original)).replace("\n", "\n>")
    if words.translated:
        text += f"\n_{words.target}, {words.provider}:_ {_escape(_clip(words.text))}"
    elif words.note:
        text += f"\n_not translated: {words.note}_"
    return text


ERASED = "_[erased at the customer's request]_"


class SlackDesk:
    """The agents' desk in Slack: one message per ticket in its team's channel, history in its thread."""

    def __init__(
        self, *, client: AsyncWebClient, default_channel: str, escalation_channel: str | None = None
    ) -> None:
        self._client = client
        self._default_channel = default_channel
        self._escalation_channel = escalation_channel or default_channel
        self._pacer = Pacer(global_rate=GLOBAL_RATE, chat_rate=CHANNEL_RATE, chat_burst=CHANNEL_BURST)

    async def publish(self, view: TicketView) -> DeskMessage:
        channel = view.desk_channel or self._default_channel
        text, blocks = ticket_blocks(view)
        await self._pacer.wait(channel)
        response = await self._client.chat_postMessage(channel=channel, text=text, blocks=blocks)
        log.info("ticket posted to Slack")
        return DeskMessage(channel=str(response["channel"]), ref=str(response["ts"]))

    async def refresh(self, view: TicketView, message: DeskMessage) -> None:
        text, blocks = ticket_blocks(view)
        await self._pacer.wait(message.channel)
        await self._client.chat_update(channel=message.channel, ts=message.ref, text=text, blocks=blocks)

    async def note(
        self, message: DeskMessage, text: str, *, words: Translation | None = None, actor: str | None = None
    ) -> str | None:
        if actor:
            text = f"<@{actor}> {text}"
        await self._pacer.wait(message.channel)
        posted = await self._client.chat_postMessage(
            channel=message.channel, thread_ts=message.ref, text=_with_words(text, words)
        )
        return str(posted.get("ts") or "") or None

    async def attach(self, message: DeskMessage, *, filename: str, data: bytes, title: str) -> str | None:
        await self._pacer.wait(message.channel)
        uploaded = await self._client.files_upload_v2(
            channel=message.channel, thread_ts=message.ref, filename=filename, content=data, title=title
        )
        files = uploaded.get("files") or [uploaded.get("file") or {}]
        return str(files[0].get("id") or "") or None

    async def erase(self, message: DeskMessage, *, notes: list[str], files: list[str]) -> None:
        """Blank the thread lines that quoted a customer and delete their photos (after /delete)."""
        for ts in notes:
            await self._pacer.wait(message.channel)
            try:
                await self._client.chat_update(channel=message.channel, ts=ts, text=ERASED, blocks=[])
            except SlackApiError as error:
                if error.response.get("error") != "message_not_found":
                    raise
        for file_id in files:
            try:
                await self._client.files_delete(file=file_id)
            except SlackApiError as error:
                if error.response.get("error") != "file_not_found":
                    raise

    async def post_report(self, channel: str | None, text: str, files: dict[str, bytes]) -> None:
        """A report: its text as a message, its charts as files in that message's thread."""
        target = channel or self._default_channel
        await self._pacer.wait(target)
        posted = await self._client.chat_postMessage(channel=target, text=text, mrkdwn=False)
        if files:
            await self._pacer.wait(target)
            await self._client.files_upload_v2(
                channel=target,
                thread_ts=str(posted["ts"]),
                file_uploads=[
                    {"filename": name, "content": data, "title": name} for name, data in files.items()
                ],
            )

    async def announce(self, channel: str | None, text: str, *, words: Translation | None = None) -> None:
        target = channel or self._default_channel
        await self._pacer.wait(target)
        await self._client.chat_postMessage(channel=target, text=_with_words(text, words))

    async def alert(self, view: TicketView, message: DeskMessage | None, reason: str) -> None:
        link = ""
        if message is not None:
            found = await self._client.chat_getPermalink(channel=message.channel, message_ts=message.ref)
            link = f" <{found['permalink']}|open>"
        category = CATEGORY_LABELS.get(view.category, view.category)
        text = f"🚨 {view.id} ({category}, team {view.team}): {_escape(reason)}{link}"
        await self._pacer.wait(self._escalation_channel)
        await self._client.chat_postMessage(channel=self._escalation_channel, text=text)
