"""WhatsApp Cloud API adapter: webhook payloads ⇄ InboundEvent / Outbound, over plain HTTP (no SDK).

Inbound: `GET /webhooks/whatsapp` answers Meta's verification handshake; `POST` is checked against
`X-Hub-Signature-256` (HMAC-SHA256 of the raw body with the app secret) before anything is read,
and answers 200 only once every message in it is stored. Outbound: reply buttons (≤ 3, titles
≤ 20 characters) or a list (≤ 10 rows) chosen from the number of choices, numbered plain text
otherwise.
"""

from __future__ import annotations

import hashlib
import hmac
import logging
from collections.abc import Awaitable, Callable
from typing import Any

import aiohttp
from aiohttp import web

from conversations.calling_codes import language_of_number
from conversations.turn import Reply
from core.events import Attachment, Choice, EventKind, InboundEvent, Outbound
from handlers.http_input import BadRequest, RefusalLog, body_text, header_bytes, parse_json

log = logging.getLogger("handlers.whatsapp")
_refusals = RefusalLog(log)
CHANNEL = "whatsapp"
WEBHOOK_PATH = "/webhooks/whatsapp"
SIGNATURE_HEADER = "X-Hub-Signature-256"
MAX_BODY = 1024 * 1024
MAX_TEXT_IN = 8192
MAX_BODY_TEXT = 1024  # interactive message body
MAX_TEXT_OUT = 4096
MAX_BUTTONS, MAX_BUTTON_TITLE = 3, 20
MAX_ROWS, MAX_ROW_TITLE = 10, 24
MEDIA = ("image", "document", "video", "audio", "sticker")
MAX_FETCH_BYTES = 20 * 1024 * 1024
MAX_TEMPLATE_VALUE = 200
Submit = Callable[[InboundEvent], Awaitable[bool]]
StatusSink = Callable[[dict[str, Any]], Awaitable[None]]


def signature_valid(body: bytes, header: bytes | str, secret: str) -> bool:
    """Compared as bytes: a header holding a byte such as 0xff is simply a wrong signature."""
    if isinstance(header, str):
        header = header.encode("utf-8", "surrogateescape")
    expected = "sha256=" + hmac.new(secret.encode(), body, hashlib.sha256).hexdigest()
    return hmac.compare_digest(header, expected.encode())


def to_events(payload: dict[str, Any]) -> tuple[list[InboundEvent], list[dict[str, Any]]]:
    """The customers' messages and the delivery statuses a webhook body carries."""
    events: list[InboundEvent] = []
    statuses: list[dict[str, Any]] = []
    for entry in payload.get("entry") or []:
        for change in (entry or {}).get("changes") or []:
            value = (change or {}).get("value") or {}
            for status in value.get("statuses") or []:
                if isinstance(status, dict) and status.get("id") and status.get("status"):
                    statuses.append(
                        {
                            "message_id": str(status["id"]),
                            "status": str(status["status"]),
                            "timestamp": str(status.get("timestamp") or ""),
                        }
                    )
            for message in value.get("messages") or []:
                event = _event(message) if isinstance(message, dict) else None
                if event is not None:
                    events.append(event)
    return events, statuses


def _event(message: dict[str, Any]) -> InboundEvent | None:
    sender, message_id = str(message.get("from") or ""), str(message.get("id") or "")
    if not sender.isdigit() or not message_id:
        return None
    sent_at = str(message.get("timestamp") or "")
    common: dict[str, Any] = {
        "channel": CHANNEL,
        "chat_key": sender,
        "user_key": sender,
        "event_id": message_id,
        "language_hint": language_of_number(sender),
        "sent_at": int(sent_at) if sent_at.isdigit() and len(sent_at) <= 12 else None,
    }
    kind = message.get("type")
    if kind == "text":
        text = str((message.get("text") or {}).get("body") or "")[:MAX_TEXT_IN]
        if text.startswith("/") and len(text) > 1:
            name, _, argument = text[1:].partition(" ")
            return InboundEvent(kind=EventKind.COMMAND, command=name.lower(), text=argument.strip(), **common)
        return InboundEvent(kind=EventKind.TEXT, text=text, **common)
    if kind == "interactive":
        interactive = message.get("interactive") or {}
        reply = interactive.get("button_reply") or interactive.get("list_reply") or {}
        payload = str(reply.get("id") or "")
        if payload:
            return InboundEvent(kind=EventKind.BUTTON, text=payload[:256], **common)
        return None
    if kind == "button":  # a quick-reply button of a template message
        payload = str((message.get("button") or {}).get("payload") or "")
        return InboundEvent(kind=EventKind.BUTTON, text=payload[:256], **common) if payload else None
    if kind in MEDIA:
        media = message.get(kind) or {}
        shown = "photo" if kind == "image" else str(kind)
        attachment = Attachment(shown, str(media.get("id") or ""))
        return InboundEvent(kind=EventKind.MEDIA, text=shown, attachment=attachment, **common)
    return InboundEvent(kind=EventKind.UNSUPPORTED, text=str(kind or "other"), **common)


def render(outbound: Outbound) -> list[dict[str, Any]]:
    """The Graph API message bodies (without `to`) for an Outbound: usually one.

    A text too long for an interactive body goes first as plain text; the buttons follow with its
    last paragraph, so long summaries still end in buttons rather than numbers nobody can press.
    More than ten choices: a number scale is written out (typed numbers answer it, the other choices
    are words to type); anything else becomes several lists of at most ten rows.
    """
    choices = [choice for row in outbound.choices for choice in row]
    text = outbound.text
    if not choices:
        return [{"type": "text", "text": {"body": text[:MAX_TEXT_OUT]}}]
    if len(choices) > MAX_ROWS and any(c.label.isdigit() for c in choices):
        return [{"type": "text", "text": {"body": _typed_choices(text, choices)[:MAX_TEXT_OUT]}}]
    messages: list[dict[str, Any]] = []
    if len(text) > MAX_BODY_TEXT:
        messages.append({"type": "text", "text": {"body": text[:MAX_TEXT_OUT]}})
        last = text.rstrip().rsplit("\n\n", 1)[-1]
        text = last if len(last) <= MAX_BODY_TEXT else "…"
    if len(choices) <= MAX_BUTTONS and all(len(c.label) <= MAX_BUTTON_TITLE for c in choices):
        buttons = [{"type": "reply", "reply": {"id": c.payload, "title": c.label}} for c in choices]
        interactive: dict[str, Any] = {
            "type": "button",
            "body": {"text": text},
            "action": {"buttons": buttons},
        }
        return [*messages, {"type": "interactive", "interactive": interactive}]
    for start in range(0, len(choices), MAX_ROWS):
        rows = [_row(c) for c in choices[start : start + MAX_ROWS]]
        action = {"button": "…", "sections": [{"title": " ", "rows": rows}]}
        body = text if start == 0 else "…"
        messages.append(
            {"type": "interactive", "interactive": {"type": "list", "body": {"text": body}, "action": action}}
        )
    return messages


def _typed_choices(text: str, choices: list[Choice]) -> str:
    numbers = " · ".join(c.label for c in choices if c.label.isdigit())
    words = " · ".join(f"«{c.label}»" for c in choices if not c.label.isdigit())
    return f"{text}\n\n{numbers}" + (f"\n{words}" if words else "")


def template_message(*, name: str, language: str, values: list[str], payloads: list[str]) -> dict[str, Any]:
    """A template message body: `values` fill {{1}}, {{2}}…; `payloads` its quick-reply buttons."""
    components: list[dict[str, Any]] = []
    if values:
        # Meta refuses parameters with line breaks, tabs or runs of spaces.
        parameters = [
            {"type": "text", "text": " ".join(v.split())[:MAX_TEMPLATE_VALUE] or "-"} for v in values
        ]
        components.append({"type": "body", "parameters": parameters})
    for index, payload in enumerate(payloads):
        components.append(
            {
                "type": "button",
                "sub_type": "quick_reply",
                "index": str(index),
                "parameters": [{"type": "payload", "payload": payload}],
            }
        )
    template = {"name": name, "language": {"code": language}, "components": components}
    return {"type": "template", "template": template}


def _row(choice: Choice) -> dict[str, str]:
    row = {"id": choice.payload, "title": choice.label[:MAX_ROW_TITLE]}
    if len(choice.label) > MAX_ROW_TITLE:
        row["description"] = choice.label[:72]
    return row


class WhatsAppChannel:
    """Sends through the Graph API; numbered choices in plain text are answered by their number."""

    name = CHANNEL

    def __init__(self, *, base_url: str, phone_number_id: str, access_token: str) -> None:
        self._base = base_url.rstrip("/")
        self._url = f"{self._base}/{phone_number_id}/messages"
        self._headers = {"Authorization": f"Bearer {access_token}"}
        self._session: aiohttp.ClientSession | None = None

    async def close(self) -> None:
        if self._session is not None:
            await self._session.close()

    async def deliver(self, event: InboundEvent, reply: Reply) -> None:
        await self.send(event.chat_key, list(reply.messages))

    async def send(self, chat_key: str, messages: list[Outbound]) -> None:
        envelope = {"messaging_product": "whatsapp", "recipient_type": "individual", "to": chat_key}
        for outbound in messages:
            for rendered in render(outbound):
                await self._post(envelope | rendered)

    async def send_template(
        self, chat_key: str, *, name: str, language: str, values: list[str], payloads: list[str]
    ) -> None:
        envelope = {"messaging_product": "whatsapp", "recipient_type": "individual", "to": chat_key}
        await self._post(
            envelope | template_message(name=name, language=language, values=values, payloads=payloads)
        )

    async def fetch(self, ref: str) -> bytes | None:
        """A customer's media: its short-lived URL from the Graph API, then the bytes (≤ 20 MB)."""
        if not ref or not ref.isdigit():
            return None
        session = self._open()
        async with session.get(f"{self._base}/{ref}", headers=self._headers) as response:
            if response.status in (400, 404):
                log.info("a customer's media is no longer available")
                return None
            if response.status != 200:
                raise RuntimeError(f"WhatsApp API answered {response.status}")  # the job retries
            info = await response.json()
        url, size = str(info.get("url") or ""), int(info.get("file_size") or 0)
        if not url.startswith(("https://", "http://")) or size > MAX_FETCH_BYTES:
            return None
        async with session.get(url, headers=self._headers) as response:
            if response.status != 200:
                raise RuntimeError(f"WhatsApp media download answered {response.status}")
            data = await response.content.read(MAX_FETCH_BYTES + 1)
        return data if len(data) <= MAX_FETCH_BYTES else None

    def _open(self) -> aiohttp.ClientSession:
        if self._session is None:
            self._session = aiohttp.ClientSession(timeout=aiohttp.ClientTimeout(total=20))
        return self._session

    async def _post(self, body: dict[str, Any]) -> None:
        async with self._open().post(self._url, json=body, headers=self._headers) as response:
            if response.status >= 500 or response.status == 429:
                raise RuntimeError(f"WhatsApp API answered {response.status}")  # the caller retries
            if response.status >= 400:
                log.warning("WhatsApp API refused a message (%d)", response.status)


def webhook_handlers(
    *, verify_token: str, app_secret: str, submit: Submit, statuses: StatusSink
) -> tuple[
    Callable[[web.Request], Awaitable[web.Response]], Callable[[web.Request], Awaitable[web.Response]]
]:
    """`GET` (verification) and `POST` (messages, statuses) handlers for `/webhooks/whatsapp`."""

    async def verify(request: web.Request) -> web.Response:
        query = request.query
        given = query.get("hub.verify_token", "").encode("utf-8", "surrogateescape")
        if query.get("hub.mode") == "subscribe" and hmac.compare_digest(given, verify_token.encode()):
            return web.Response(text=query.get("hub.challenge", ""))
        _refusals.warn("WhatsApp webhook verification refused")
        return web.Response(status=403, text="forbidden")

    async def receive(request: web.Request) -> web.Response:
        if request.content_length is not None and request.content_length > MAX_BODY:
            return web.Response(status=413)
        body = await request.read()
        if not signature_valid(body, header_bytes(request, SIGNATURE_HEADER), app_secret):
            _refusals.warn("WhatsApp webhook call with a wrong signature rejected")
            return web.Response(status=401, text="bad signature")
        try:
            payload = parse_json(body_text(body, request.charset))
            if not isinstance(payload, dict):
                raise BadRequest("not an object")
            events, delivery = to_events(payload)
        except BadRequest as error:
            _refusals.warn("unreadable WhatsApp webhook body rejected")
            return web.Response(status=400, text=error.reason)
        except (ValueError, TypeError, AttributeError) as error:
            _refusals.warn(f"malformed WhatsApp webhook body rejected ({type(error).__name__})")
            return web.Response(status=400, text="malformed")
        for event in events:
            await submit(event)
        for status in delivery:
            await statuses(status)
        return web.json_response({"ok": True})

    return verify, receive
