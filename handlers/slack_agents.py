"""Agents' actions from Slack (buttons and modals) through slack-bolt in HTTP mode on our aiohttp server.

Bolt verifies every request with the signing secret (forged or stale → 401) before a listener runs.
Listeners run before the HTTP answer (`process_before_response`), so a change is stored before Slack
hears "ok". A signed request replayed within the signature's five minutes is acted on once: every
action carries the request's identity (a modal submission's view id, a button click's trigger id
and action time), which the ticket records with the change; the same identity again changes nothing.
Only allowed agents act: users listed in `SLACK_AGENT_USERS`, or members of the agents'
channels; others get an ephemeral refusal, and the refusal is logged.
"""

from __future__ import annotations

import hashlib
import hmac
import logging
import time
import uuid
from collections.abc import Awaitable, Callable
from typing import Any

from aiohttp import web
from slack_bolt.adapter.aiohttp import to_aiohttp_response, to_bolt_request
from slack_bolt.adapter.socket_mode.async_handler import AsyncSocketModeHandler
from slack_bolt.async_app import AsyncAck, AsyncApp
from slack_sdk.errors import SlackApiError
from slack_sdk.web.async_client import AsyncWebClient

from conversations.admin.commands import AdminCommands, AdminContext
from conversations.tickets.policy import Category
from conversations.turn import Reply
from core.events import DESK_CHANNEL, AgentAct, AgentAction, InboundEvent, Outbound
from handlers.http_input import BadRequest, RefusalLog, body_text, header_bytes
from handlers.slack import CATEGORY_LABELS, modal_input, user_of
from handlers.slack_admin_builder import SlackQuestionnaireBuilder
from handlers.slack_admin_review import SlackAdminReview, schedule_notices

__all__ = ["SLACK_EVENTS_PATH", "AsyncWebClient", "SlackAgents"]

log = logging.getLogger("handlers.slack_agents")
_refusals = RefusalLog(log)
SLACK_EVENTS_PATH = "/slack/events"
ADMIN_COMMAND = "/feedback-admin"
MAX_EPHEMERAL = 3500  # a slash command's answer is one message; long exports are cut
MEMBERS_TTL_SECONDS = 300.0
MAX_BODY_BYTES = 1_000_000
SIGNATURE_MAX_AGE_SECONDS = 300  # Slack's own advice: older requests may be replays
# Button → (what the agent asks for, modal title, input label).
TEXT_ACTIONS = {
    "ticket_reply": (
        AgentAct.REPLY,
        "Reply to the customer",
        "Your reply (it is translated for the customer)",
    ),
    "ticket_propose": (
        AgentAct.PROPOSE,
        "Propose a resolution",
        "The resolution (the customer accepts or rejects it)",
    ),
    "ticket_resolve": (AgentAct.RESOLVE, "Resolve and close", "What was done (sent to the customer)"),
    "ticket_escalate": (AgentAct.ESCALATE, "Escalate", "Why this needs escalation"),
}


class SlackAgents:
    """Agents' buttons and modals; also the desk channel the dispatcher hands their outcomes to."""

    name = DESK_CHANNEL

    def __init__(
        self,
        *,
        submit: Callable[[InboundEvent], Awaitable[Reply | None]],
        client: AsyncWebClient,
        signing_secret: str,
        allowed_users: frozenset[str] = frozenset(),
        agent_channels: frozenset[str] = frozenset(),
        admin: AdminContext | None = None,
        admin_users: frozenset[str] = frozenset(),
        clock: Callable[[], float] = time.monotonic,
        wall_clock: Callable[[], float] = time.time,
    ) -> None:
        self._admin = admin
        self._admin_users = admin_users
        self._submit = submit
        self._client = client
        self._allowed_users = allowed_users
        self._agent_channels = agent_channels
        self._clock = clock
        self._members: tuple[float, frozenset[str]] | None = None
        # Without a signing secret (Socket Mode only) the HTTP endpoint is not mounted at all.
        self._signing_secret = signing_secret.encode()
        self._wall_clock = wall_clock
        self.app = AsyncApp(
            client=client,
            signing_secret=signing_secret,
            process_before_response=True,
            raise_error_for_unhandled_request=False,
        )
        self.app.action("ticket_claim")(self._claim)
        for action in (*TEXT_ACTIONS, "ticket_reclassify"):
            self.app.action(action)(self._open_modal)
        for action in TEXT_ACTIONS:
            self.app.view(f"{action}_modal")(self._text_submitted)
        self.app.view("ticket_reclassify_modal")(self._reclassified)
        self.app.command(ADMIN_COMMAND)(self._admin_command)
        self._builder: SlackQuestionnaireBuilder | None = None
        if admin is not None:
            self._builder = SlackQuestionnaireBuilder(client=client, admin=admin, admin_users=admin_users)
            self._builder.register(self.app)
            SlackAdminReview(client=client, admin=admin, admin_users=admin_users).register(self.app)

    async def connect_socket_mode(self, app_token: str) -> AsyncSocketModeHandler:
        """Receive interactions over Slack's WebSocket instead of HTTP (no public URL needed)."""
        handler = AsyncSocketModeHandler(self.app, app_token, web_client=self._client)
        await handler.connect_async()  # type: ignore[no-untyped-call]
        log.info("Slack Socket Mode connected")
        return handler

    async def handle(self, request: web.Request) -> web.Response:
        if request.content_length is not None and request.content_length > MAX_BODY_BYTES:
            _refusals.warn("Slack request refused: body too large")
            return web.Response(status=413)
        raw = await request.read()
        # Checked here as well as by bolt: a forged request is refused before its body is looked at,
        # and on the raw bytes, so missing, non-numeric or non-ASCII headers are a plain 401.
        if not self._signed(
            raw,
            timestamp=header_bytes(request, "X-Slack-Request-Timestamp"),
            signature=header_bytes(request, "X-Slack-Signature"),
        ):
            _refusals.warn("Slack request refused: signature check failed")
            return web.Response(status=401, text="invalid signature")
        try:
            # bolt reads the body as text in the declared charset; anything but UTF-8 is refused first.
            body_text(raw, request.charset)
            bolt_request = await to_bolt_request(request)
        except BadRequest as error:
            _refusals.warn("Slack request refused: unreadable body")
            return web.Response(status=400, text=error.reason)
        except (ValueError, TypeError, KeyError, AttributeError, IndexError, RecursionError):
            # bolt parses the body and reads ids out of it before any listener: odd shapes raise,
            # and deeply nested JSON exhausts the parser's stack (RecursionError).
            _refusals.warn("Slack request refused: malformed body")
            return web.Response(status=400, text="malformed request")
        if not well_formed(bolt_request.body):
            # bolt's own matchers index into these fields and would answer 500.
            _refusals.warn("Slack request refused: fields of the wrong shape")
            return web.Response(status=400, text="malformed request")
        response = await self.app.async_dispatch(bolt_request)
        if response.status == 401:
            _refusals.warn("Slack request refused: signature check failed")
        return await to_aiohttp_response(response)

    def _signed(self, body: bytes, *, timestamp: bytes, signature: bytes) -> bool:
        """Slack's v0 signature: HMAC-SHA256 of `v0:<timestamp>:<body>`, within five minutes."""
        if not timestamp.isdigit() or len(timestamp) > 12:
            return False
        if abs(self._wall_clock() - int(timestamp)) > SIGNATURE_MAX_AGE_SECONDS:
            return False
        digest = hmac.new(self._signing_secret, b"v0:" + timestamp + b":" + body, hashlib.sha256)
        return hmac.compare_digest(b"v0=" + digest.hexdigest().encode(), signature)

    # --- authorisation -------------------------------------------------------------------------

    async def allowed(self, user: str) -> bool:
        if user in self._allowed_users:
            return True
        if not self._agent_channels:
            return False
        now = self._clock()
        if self._members is None or now - self._members[0] > MEMBERS_TTL_SECONDS:
            members: set[str] = set()
            for channel in sorted(self._agent_channels):
                try:
                    async for page in await self._client.conversations_members(channel=channel, limit=1000):
                        members.update(page.get("members") or [])
                except SlackApiError as error:
                    log.warning(
                        "could not list members of an agents' channel: %s", error.response.get("error")
                    )
            self._members = (now, frozenset(members))
        return user in self._members[1]

    async def _refuse(self, body: dict[str, Any], text: str) -> None:
        log.warning("agent action refused (%s)", text)
        await self._tell(user_of(body), channel_of(body), text)

    async def _tell(self, user: str, channel: str | None, text: str) -> None:
        """Why an action was refused: only to the agent, in the channel of the button (else a DM)."""
        try:
            if channel:
                await self._client.chat_postEphemeral(channel=channel, user=user, text=f"⛔ {text}")
            else:
                await self._client.chat_postMessage(channel=user, text=f"⛔ {text}")
        except SlackApiError:
            log.info("could not tell the agent why their action was refused")

    # --- the desk channel: outcomes nobody waited for (a replay after a crash, a slow action) ------

    async def deliver(self, event: InboundEvent, reply: Reply) -> None:
        for message in reply.messages:
            await self._tell(event.user_key, event.message_ref, message.text)

    async def send(self, chat_key: str, messages: list[Outbound]) -> None:
        log.warning("the desk channel has no unprompted messages; %d dropped", len(messages))

    async def fetch(self, ref: str) -> bytes | None:
        return None

    # --- listeners -----------------------------------------------------------------------------

    async def _claim(self, ack: AsyncAck, body: dict[str, Any], action: dict[str, Any]) -> None:
        await ack()
        user = user_of(body)
        if not await self.allowed(user):
            await self._refuse(body, "Only the support team's agents can act on tickets.")
            return
        act = AgentAction(AgentAct.CLAIM, ticket_id=str(action.get("value")), agent=user)
        refusal = await self._act(act, request=request_identity(body), reply_to=channel_of(body))
        if refusal is not None:  # logged where the ticket refused it
            await self._tell(user, channel_of(body), refusal)

    async def _act(self, action: AgentAction, *, request: str | None, reply_to: str | None) -> str | None:
        """Submit the action as an event of its ticket and wait for the outcome; why it was refused,
        or None. A request acted on already (a replay) is not acted on again."""
        event = InboundEvent.from_agent(
            action, request=request or f"slack:unnamed:{uuid.uuid4().hex}", reply_to=reply_to
        )
        reply = await self._submit(event)
        if reply is None or not reply.messages:
            return None
        return reply.messages[0].text

    async def _open_modal(self, ack: AsyncAck, body: dict[str, Any], action: dict[str, Any]) -> None:
        await ack()
        user = user_of(body)
        if not await self.allowed(user):
            await self._refuse(body, "Only the support team's agents can act on tickets.")
            return
        name = str(action.get("action_id"))
        ticket_id = str(action.get("value"))
        if name == "ticket_reclassify":
            options = [
                {"text": {"type": "plain_text", "text": CATEGORY_LABELS[c.value]}, "value": c.value}
                for c in Category
            ]
            element: dict[str, Any] = {"type": "static_select", "action_id": "value", "options": options}
            title, label = "Reclassify", "New category"
        else:
            _, title, label = TEXT_ACTIONS[name]
            element = {
                "type": "plain_text_input",
                "action_id": "value",
                "multiline": True,
                "max_length": 3000,
            }
        view = {
            "type": "modal",
            "callback_id": f"{name}_modal",
            "private_metadata": ticket_id,
            "title": {"type": "plain_text", "text": title[:24]},
            "submit": {"type": "plain_text", "text": "Send" if name != "ticket_reclassify" else "Save"},
            "close": {"type": "plain_text", "text": "Cancel"},
            "blocks": [
                {"type": "context", "elements": [{"type": "mrkdwn", "text": f"Ticket *{ticket_id}*"}]},
                {
                    "type": "input",
                    "block_id": "value",
                    "label": {"type": "plain_text", "text": label},
                    "element": element,
                },
            ],
        }
        await self._client.views_open(trigger_id=str(body.get("trigger_id")), view=view)

    async def _text_submitted(self, ack: AsyncAck, body: dict[str, Any], view: dict[str, Any]) -> None:
        text = str(modal_input(view).get("value") or "")
        act, _, _ = TEXT_ACTIONS[str(view.get("callback_id")).removesuffix("_modal")]
        await self._submitted(ack, body, view, act, text)

    async def _reclassified(self, ack: AsyncAck, body: dict[str, Any], view: dict[str, Any]) -> None:
        category = str((modal_input(view).get("selected_option") or {}).get("value") or "")
        await self._submitted(ack, body, view, AgentAct.RECLASSIFY, category)

    async def _submitted(
        self, ack: AsyncAck, body: dict[str, Any], view: dict[str, Any], act: AgentAct, text: str
    ) -> None:
        """A modal's submission: a refusal keeps the modal open with the reason under the input."""
        user = user_of(body)
        if not await self.allowed(user):
            await ack(
                response_action="errors", errors={"value": "Only the support team's agents can do this."}
            )
            log.warning("agent action refused (not an agent)")
            return
        action = AgentAction(act, ticket_id=str(view.get("private_metadata")), agent=user, text=text)
        request = request_identity(body)
        if request is not None:
            # The same modal submitted again with other words (after a refusal) is a new request.
            request += ":" + hashlib.sha256(text.encode()).hexdigest()[:16]
        refusal = await self._act(action, request=request, reply_to=None)
        if refusal is not None:
            await ack(response_action="errors", errors={"value": refusal})
            return
        await ack()

    async def _admin_command(self, ack: AsyncAck, command: dict[str, Any]) -> None:
        """`/feedback-admin <command>`: the same admin commands as `/admin` in a chat with the bot."""
        user = str(command.get("user_id") or "")
        who = f"slack:{user}"
        if self._admin is None or user not in self._admin_users:
            if self._admin is not None:
                await self._admin.store.audit.add(
                    actor=who, action="admin", target=None, outcome="refused", detail="not an admin"
                )
            log.warning("admin command refused (not an admin)")
            await ack(text="⛔ Only the configured admins can run this command.")
            return
        if str(command.get("text") or "").split() == ["new"] and self._builder is not None:
            # Without YAML: the guided builder, as modals.
            await self._builder.open(str(command.get("trigger_id") or ""))
            await ack(text="The questionnaire builder is open.")
            return
        reply = await AdminCommands(self._admin, admin=who).run(str(command.get("text") or ""))
        # Reviewers and authors are told in their chats with the bot.
        await schedule_notices(
            self._admin, reply, cause=f"slack-{command.get('trigger_id') or uuid.uuid4().hex}"
        )
        text = reply.text
        if reply.document is not None:
            name, content = reply.document
            clipped = content if len(content) <= MAX_EPHEMERAL else content[:MAX_EPHEMERAL] + "\n…(cut)"
            text += f"\n```{clipped}```\n_{name}_"
        await ack(text=text)


KNOWN_TYPES = frozenset(
    {"block_actions", "view_submission", "view_closed", "block_suggestion", "shortcut", "message_action"}
)


def well_formed(body: object) -> bool:
    """The fields bolt and this module read have the types Slack sends (bolt indexes them blindly)."""
    if not isinstance(body, dict):
        return False
    kind = body.get("type")
    if kind is None:  # a slash command: plain form fields
        return isinstance(body.get("command"), str) and isinstance(body.get("user_id", ""), str)
    if not isinstance(kind, str) or kind not in KNOWN_TYPES or not isinstance(body.get("user", {}), dict):
        return False
    actions = body.get("actions", [])
    if kind == "block_actions" and not actions:
        return False
    if not isinstance(actions, list) or not all(
        isinstance(a, dict) and isinstance(a.get("action_id"), str) and isinstance(a.get("value", ""), str)
        for a in actions
    ):
        return False
    view = body.get("view", {})
    if not isinstance(view, dict):
        return False
    if kind in {"view_submission", "view_closed"} and not (
        isinstance(view.get("type"), str) and isinstance(view.get("callback_id"), str)
    ):
        return False
    if not all(isinstance(view.get(key, ""), str) for key in ("callback_id", "private_metadata", "type")):
        return False
    state = view.get("state") or {}
    values = state.get("values", {}) if isinstance(state, dict) else None
    return isinstance(values, dict) and all(
        isinstance(block, dict) and all(isinstance(element, dict) for element in block.values())
        for block in values.values()
    )


def channel_of(body: dict[str, Any]) -> str | None:
    """The Slack channel an interaction came from (a button's message); None for a modal."""
    channel = (body.get("channel") or {}).get("id") or (body.get("container") or {}).get("channel_id")
    return str(channel) if channel else None


def request_identity(body: dict[str, Any]) -> str | None:
    """What makes an interaction unique, so that a replay of it can be recognised.

    A modal submission: the view's id (each opened modal has its own; a submission that fails
    validation leaves the modal open and records nothing, so submitting it again still acts). A
    button click: its trigger id (unique per interaction) and the action's time stamp.
    """
    kind = body.get("type")
    if kind == "view_submission":
        view_id = (body.get("view") or {}).get("id")
        return f"slack:view:{view_id}" if isinstance(view_id, str) and view_id else None
    if kind == "block_actions":
        actions = body.get("actions") or [{}]
        parts = [str(body.get("trigger_id") or ""), str(actions[0].get("action_ts") or "")]
        return "slack:action:" + ":".join(parts) if any(parts) else None
    return None
