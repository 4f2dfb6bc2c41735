"""The web chat: a page and an embeddable widget talking to the bot over a WebSocket.

The browser keeps a signed token (`<chat id>.<HMAC>`) that ties it to its conversation; a forged or
foreign token gets a new conversation, never someone else's. Frames (JSON):

    browser → bot  {"type": "hello", "token": str | null, "language": "es-MX"}
                   {"type": "text", "id": "<client id>", "text": "..."}          "/start" is a command
                   {"type": "button", "id": "<client id>", "payload": "...", "ref": "<message id>"}
    bot → browser  {"type": "welcome", "token": "...", "new": bool, "max_chars": n, "language": "ar",
                    "languages": [{code, name, dir, text: {key: ...}}], "shop": {"name", "logo"}}
                   {"type": "history", "messages": [message...]}   after every (re)connect
                   {"type": "message", "message": {...}}  {"type": "edit", "message": {...}}
                   message: {id, direction, text, choices, rtl, lang, at}
                   {"type": "ack", "id": "<client id>"}   stored durably (or, before the visitor's
                   consent, answered by the engine's preview with nothing stored); a resend is
                   acknowledged again
                   {"type": "notice", "text": "..."}   {"type": "error", "code": "...", "id": ...}

Limits: frame and message size, allowed page origins, messages per minute per connection, and
connections and messages per client address and per worker (`webchat_limits`).
"""

from __future__ import annotations

import asyncio
import base64
import hashlib
import hmac
import json
import logging
import re
import secrets
import time
from collections import deque
from collections.abc import Awaitable, Callable
from dataclasses import dataclass, field
from datetime import UTC, datetime, timedelta
from importlib import resources
from typing import Any
from urllib.parse import urlsplit

from aiohttp import WSCloseCode, WSMsgType, web

from conversations.turn import Reply
from core.events import EventKind, InboundEvent, Outbound
from handlers.http_input import RefusalLog
from handlers.webchat_frame import NO_BRAND, Brand, first_language, languages, stamp
from handlers.webchat_limits import Admission, Caps, ClientAddress
from locales.catalog import Catalogs
from storage.types import Document
from storage.webchat import WebChatTranscripts

log = logging.getLogger("handlers.webchat")
_refusals = RefusalLog(log)
CHANNEL = "web"
PAGE_PATH = "/chat"
SOCKET_PATH = "/chat/ws"
WIDGET_PATH = "/chat/widget.js"
FAVICON_PATH = "/favicon.ico"
EMBED_CHECK_PATH = "/chat/embed"
HISTORY = 100
POLL_SECONDS = 3.0  # messages written by another worker (a job) reach an open page this fast
HELLO_SECONDS = 10.0
_CLIENT_ID = re.compile(r"^[A-Za-z0-9_-]{1,40}$")
_ASSETS = {"chat.js": "application/javascript", "chat.css": "text/css", "icon.svg": "image/svg+xml"}
Submit = Callable[[InboundEvent], Awaitable[bool]]
Preview = Callable[[InboundEvent], Awaitable[Reply | None]]
"""The reply to a visitor's event when nothing needs storing for it (the consent prompt), else None."""


@dataclass(frozen=True, slots=True)
class Limits:
    max_chars: int = 2000
    per_minute: int = 20
    allowed_origins: frozenset[str] = frozenset()
    """Sites allowed to embed the chat, besides the bot's own address ("https://shop.example")."""
    caps: Caps = field(default_factory=Caps)
    trusted_proxies: frozenset[str] = frozenset()


class TokenSigner:
    def __init__(self, secret: bytes) -> None:
        self._secret = secret

    def issue(self) -> tuple[str, str]:
        chat = secrets.token_urlsafe(16)
        return chat, f"{chat}.{self._sign(chat)}"

    def chat_of(self, token: object) -> str | None:
        if not isinstance(token, str) or len(token) > 100:
            return None
        chat, _, signature = token.partition(".")
        if not chat or not hmac.compare_digest(signature.encode(), self._sign(chat).encode()):
            return None
        return chat

    def _sign(self, chat: str) -> str:
        digest = hmac.new(self._secret, chat.encode(), hashlib.sha256).digest()[:18]
        return base64.urlsafe_b64encode(digest).decode()


def _message(doc: Document) -> dict[str, Any]:
    body = doc.get("body") or {}
    return {
        "id": str(doc["_id"]),
        "direction": doc.get("direction", "out"),
        "text": body.get("text", ""),
        "choices": body.get("choices", []),
        "rtl": bool(body.get("rtl")),
        "lang": body.get("lang"),
        "at": stamp(doc.get("at")),
    }


def _body(outbound: Outbound) -> dict[str, Any]:
    choices = [[{"label": c.label, "payload": c.payload} for c in row] for row in outbound.choices]
    return {"text": outbound.text, "choices": choices, "rtl": outbound.rtl, "lang": outbound.language}


class WebChatChannel:
    """The sending side: every message is written to the transcript, then pushed to open pages."""

    name = CHANNEL

    def __init__(
        self,
        *,
        transcripts: WebChatTranscripts,
        clock: Callable[[], datetime] = lambda: datetime.now(UTC),
    ) -> None:
        self._transcripts = transcripts
        self._clock = clock
        self._pages: dict[str, set[_Page]] = {}

    async def deliver(self, event: InboundEvent, reply: Reply) -> None:
        if reply.notice:
            await self._push(event.chat_key, {"type": "notice", "text": reply.notice})
        await self.send(event.chat_key, list(reply.messages))

    async def send(self, chat_key: str, messages: list[Outbound]) -> None:
        for outbound in messages:
            body = _body(outbound)
            if outbound.edit_ref is not None and await self._transcripts.edit(
                chat_key=chat_key, message_id=outbound.edit_ref, body=body
            ):
                shown = {"id": outbound.edit_ref, "direction": "out", **body}
                await self._push(chat_key, {"type": "edit", "message": shown})
                continue
            at = self._clock()
            message_id = await self._transcripts.add(chat_key=chat_key, direction="out", body=body, at=at)
            if outbound.edit_ref is not None:
                # An edit of a message never stored (the prompt an anonymous visitor saw): stored now,
                # and replaced in place on the page that shows it.
                shown = {"id": outbound.edit_ref, "direction": "out", "at": stamp(at), **body}
                await self._push(chat_key, {"type": "edit", "message": shown}, message_id=message_id)
                continue
            shown = {"id": message_id, "direction": "out", "at": stamp(at), **body}
            await self._push(chat_key, {"type": "message", "message": shown}, message_id=message_id)

    async def show_unstored(self, page: _Page, reply: Reply) -> None:
        """A reply shown on one page only, kept nowhere: a reload asks for it again."""
        if reply.notice:
            await page.push({"type": "notice", "text": reply.notice})
        for outbound in reply.messages:
            at = stamp(self._clock())
            shown = {"id": secrets.token_hex(12), "direction": "out", "at": at, **_body(outbound)}
            await page.push({"type": "message", "message": shown})

    async def fetch(self, ref: str) -> bytes | None:
        return None  # the web chat takes no files

    async def record_customer_text(self, event: InboundEvent) -> str:
        body = {"text": event.text, "choices": [], "rtl": False}
        return await self._transcripts.add(
            chat_key=event.chat_key, direction="in", body=body, at=self._clock(), source=event.event_id
        )

    async def history(self, chat_key: str) -> list[dict[str, Any]]:
        return [_message(doc) for doc in await self._transcripts.recent(chat_key=chat_key, limit=HISTORY)]

    async def newer(self, chat_key: str, since: datetime) -> list[dict[str, Any]]:
        return [_message(doc) for doc in await self._transcripts.since(chat_key=chat_key, at=since)]

    def attach(self, page: _Page) -> None:
        self._pages.setdefault(page.chat_key, set()).add(page)

    async def close_all(self) -> None:
        """Say "going away" to every open page, so the server's shutdown does not wait on them."""
        for page in [page for pages in self._pages.values() for page in pages]:
            await page.socket.close(code=WSCloseCode.GOING_AWAY, message=b"server shutdown")

    def detach(self, page: _Page) -> None:
        pages = self._pages.get(page.chat_key)
        if pages is not None:
            pages.discard(page)
            if not pages:
                del self._pages[page.chat_key]

    async def _push(self, chat_key: str, frame: dict[str, Any], *, message_id: str | None = None) -> None:
        for page in list(self._pages.get(chat_key, ())):
            await page.push(frame, message_id=message_id)


class _Page:
    """One open WebSocket: the frames it was sent, and how fast it may write."""

    def __init__(
        self,
        socket: web.WebSocketResponse,
        chat_key: str,
        limits: Limits,
        address: str,
        *,
        hint: str | None = None,
        anonymous: bool = False,
    ) -> None:
        self.socket = socket
        self.chat_key = chat_key
        self.address = address
        self.hint = hint
        self.anonymous = anonymous
        """Nothing is stored for this chat yet: its events are first offered to the preview."""
        self._limits = limits
        self.seen: set[str] = set()
        self._recent: deque[float] = deque()

    async def push(self, frame: dict[str, Any], *, message_id: str | None = None) -> None:
        if message_id is not None:
            if message_id in self.seen:
                return
            self.seen.add(message_id)
        if not self.socket.closed:
            try:
                await self.socket.send_json(frame)
            except (ConnectionError, RuntimeError):
                log.info("a web chat page went away while being written to")

    def allowed_now(self) -> bool:
        now = time.monotonic()
        while self._recent and now - self._recent[0] > 60:
            self._recent.popleft()
        if len(self._recent) >= self._limits.per_minute:
            return False
        self._recent.append(now)
        return True


def _language_hint(value: object) -> str | None:
    if not isinstance(value, str) or not re.fullmatch(r"[A-Za-z]{2,3}([-_][A-Za-z0-9]{1,8})*", value):
        return None
    return value.split("-")[0].split("_")[0].lower()


class WebChat:
    """The routes: the page, its assets, the widget script and the WebSocket."""

    def __init__(
        self,
        *,
        channel: WebChatChannel,
        submit: Submit,
        signer: TokenSigner,
        preview: Preview | None = None,
        catalogs: Catalogs,
        default_language: str = "en",
        brand: Brand = NO_BRAND,
        limits: Limits = Limits(),
        clock: Callable[[], datetime] = lambda: datetime.now(UTC),
    ) -> None:
        self._channel = channel
        self._submit = submit
        self._preview = preview
        self._signer = signer
        self._catalogs = catalogs
        self._languages = languages(catalogs)
        self._default_language = default_language
        self._brand = brand
        self._limits = limits
        self._clock = clock
        self.admission = Admission(limits.caps)
        self._addresses = ClientAddress(limits.trusted_proxies)

    def add_routes(self, app: web.Application) -> None:
        app.router.add_get(PAGE_PATH, self.page)
        app.router.add_get(WIDGET_PATH, self.widget)
        app.router.add_get(FAVICON_PATH, self.favicon)
        app.router.add_get(EMBED_CHECK_PATH, self.embed_check)
        app.router.add_get(SOCKET_PATH, self.socket)

        async def going_away(app: web.Application) -> None:
            # An open WebSocket is a request that never ends: without this, stopping the server
            # waits for its shutdown timeout (then the browser reconnects to the next server).
            await self._channel.close_all()

        app.on_shutdown.append(going_away)
        app.router.add_get(PAGE_PATH + "/assets/{name}", self.asset)

    async def page(self, request: web.Request) -> web.Response:
        ancestors = " ".join(["'self'", *sorted(self._limits.allowed_origins)])
        images = " ".join(["'self'", "data:", *filter(None, [self._brand.logo_source()])])
        headers = {
            # Only the bot itself and the listed shop sites may frame the chat.
            "Content-Security-Policy": f"frame-ancestors {ancestors}; default-src 'self'; "
            f"connect-src 'self' ws: wss:; img-src {images}",
            "Referrer-Policy": "no-referrer",
            "X-Content-Type-Options": "nosniff",
        }
        return web.Response(text=_static("chat.html"), content_type="text/html", headers=headers)

    async def widget(self, request: web.Request) -> web.Response:
        return web.Response(
            text=_static("widget.js"),
            content_type="application/javascript",
            headers={"Cache-Control": "max-age=300", "X-Content-Type-Options": "nosniff"},
        )

    async def embed_check(self, request: web.Request) -> web.Response:
        """Asked by the widget before it frames the chat: may this shop page do so, and if not, why."""
        origin = request.headers.get("Origin")
        allowed = origin is not None and self._origin_allowed(request)
        if not allowed:
            _refusals.warn("web chat widget on a page whose origin is not in WEBCHAT_ALLOWED_ORIGINS")
        language = first_language(
            _language_hint(request.query.get("lang")), self._catalogs, self._default_language
        )
        body = {"allowed": allowed, "text": self._catalogs.text(language, "webchat.not_allowed")}
        # Readable by any page: it says only whether that page may embed the chat.
        headers = {"Access-Control-Allow-Origin": "*", "Cache-Control": "no-store"}
        return web.json_response(body, headers=headers)

    async def favicon(self, request: web.Request) -> web.Response:
        """The chat's icon, also where browsers look for it by default (no 404 on every load)."""
        return web.Response(
            text=_static("icon.svg"), content_type="image/svg+xml", headers={"Cache-Control": "max-age=86400"}
        )

    async def asset(self, request: web.Request) -> web.Response:
        name = request.match_info["name"]
        if name not in _ASSETS:
            raise web.HTTPNotFound()
        return web.Response(
            text=_static(name), content_type=_ASSETS[name], headers={"X-Content-Type-Options": "nosniff"}
        )

    def _origin_allowed(self, request: web.Request) -> bool:
        origin = request.headers.get("Origin")
        if origin is None:
            return False
        if origin in self._limits.allowed_origins:
            return True
        # The bot's own page, whatever scheme a proxy in front of it speaks.
        return urlsplit(origin).netloc.lower() == request.host.lower()

    async def socket(self, request: web.Request) -> web.StreamResponse:
        if not self._origin_allowed(request):
            _refusals.warn("web chat connection from a page origin that is not allowed refused")
            raise web.HTTPForbidden(text="origin not allowed")
        address = self._addresses.of(request)
        refusal = self.admission.open(address)
        if refusal == "busy":
            _refusals.warn("web chat connection refused: this worker has WEBCHAT_MAX_SOCKETS open")
            raise web.HTTPServiceUnavailable(text="busy", headers={"Retry-After": "30"})
        if refusal is not None:
            _refusals.warn("web chat connection refused: WEBCHAT_MAX_SOCKETS_PER_ADDRESS reached")
            raise web.HTTPTooManyRequests(text="too many connections", headers={"Retry-After": "30"})
        try:
            return await self._converse(request, address)
        finally:
            self.admission.close(address)

    async def _converse(self, request: web.Request, address: str) -> web.StreamResponse:
        # Room for the longest allowed message even if every character is JSON-escaped (\uXXXX).
        socket = web.WebSocketResponse(heartbeat=30, max_msg_size=6 * self._limits.max_chars + 1024)
        await socket.prepare(request)
        try:
            async with asyncio.timeout(HELLO_SECONDS):
                hello = await socket.receive()
        except TimeoutError:
            await socket.close(code=4408, message=b"hello expected")
            return socket
        frame = _frame(hello)
        if frame is None or frame.get("type") != "hello":
            await socket.close(code=4400, message=b"hello expected")
            return socket
        chat_key = self._signer.chat_of(frame.get("token"))
        new = chat_key is None
        token = str(frame.get("token"))
        if chat_key is None:
            chat_key, token = self._signer.issue()
        hint = _language_hint(frame.get("language"))
        page = _Page(socket, chat_key, self._limits, address, hint=hint)
        self._channel.attach(page)
        poller = asyncio.create_task(self._poll(page), name="web chat poll")
        try:
            await socket.send_json(
                {
                    "type": "welcome",
                    "token": token,
                    "new": new,
                    "languages": self._languages,
                    "language": first_language(hint, self._catalogs, self._default_language),
                    "shop": {"name": self._brand.name, "logo": self._brand.logo_url},
                    "max_chars": self._limits.max_chars,
                }
            )
            history = await self._channel.history(chat_key)
            page.seen.update(message["id"] for message in history)
            page.anonymous = not history
            await socket.send_json({"type": "history", "messages": history})
            async for received in socket:
                await self._on_frame(page, received)
        finally:
            poller.cancel()
            self._channel.detach(page)
        return socket

    async def _poll(self, page: _Page) -> None:
        since = self._clock() - timedelta(seconds=5)
        while not page.socket.closed:
            await asyncio.sleep(POLL_SECONDS)
            checked = self._clock()
            for message in await self._channel.newer(page.chat_key, since):
                if message["direction"] == "out":
                    await page.push({"type": "message", "message": message}, message_id=message["id"])
            # Overlapping windows: a message stamped just before `checked` but stored after is not missed.
            since = checked - timedelta(seconds=POLL_SECONDS * 2)

    async def _on_frame(self, page: _Page, received: Any) -> None:
        frame = _frame(received)
        if frame is None:
            await page.push({"type": "error", "code": "bad_frame"})
            return
        client_id = frame.get("id")
        if not isinstance(client_id, str) or not _CLIENT_ID.match(client_id):
            await page.push({"type": "error", "code": "bad_frame"})
            return
        event = self._event(page.chat_key, frame, client_id, page.hint)
        if isinstance(event, str):
            await page.push({"type": "error", "code": event, "id": client_id})
            return
        # Per connection, then per address and worker: reconnecting must not reset the limit.
        if not page.allowed_now() or not self.admission.message_allowed(page.address):
            _refusals.warn("web chat message over the rate limit refused")
            await page.push({"type": "error", "code": "rate_limited", "id": client_id})
            return
        if page.anonymous and await self._previewed(page, event):
            await page.push({"type": "ack", "id": client_id})
            return
        if event.kind is EventKind.TEXT:
            # Before the event is queued, so a reload shows the customer's words before the answer.
            page.seen.add(await self._channel.record_customer_text(event))
        await self._submit(event)
        await page.push({"type": "ack", "id": client_id})

    async def _previewed(self, page: _Page, event: InboundEvent) -> bool:
        """Answered without storing anything (issue 16: nothing kept for a visitor before consent)."""
        reply = None if self._preview is None else await self._preview(event)
        if reply is None:
            page.anonymous = False  # from now on through the inbox, like every stored conversation
            return False
        if event.kind is EventKind.BUTTON and event.text.startswith("lang:"):
            page.hint = _language_hint(event.text.removeprefix("lang:")) or page.hint  # kept for consent
        await self._channel.show_unstored(page, reply)
        return True

    def _event(
        self, chat_key: str, frame: dict[str, Any], client_id: str, hint: str | None
    ) -> InboundEvent | str:
        common: dict[str, Any] = {
            "channel": CHANNEL,
            "chat_key": chat_key,
            "user_key": chat_key,
            "event_id": f"{chat_key}:{client_id}",
            "language_hint": hint,
        }
        kind = frame.get("type")
        if kind == "text":
            text = frame.get("text")
            if not isinstance(text, str) or not text.strip():
                return "empty"
            if len(text) > self._limits.max_chars:
                return "too_long"
            text = text.strip()
            if text.startswith("/") and len(text) > 1:
                name, _, argument = text[1:].partition(" ")
                return InboundEvent(
                    kind=EventKind.COMMAND, command=name.lower()[:32], text=argument, **common
                )
            return InboundEvent(kind=EventKind.TEXT, text=text, **common)
        if kind == "button":
            payload, ref = frame.get("payload"), frame.get("ref")
            if not isinstance(payload, str) or not payload or len(payload) > 256:
                return "bad_frame"
            message_ref = ref if isinstance(ref, str) and len(ref) <= 40 else None
            return InboundEvent(kind=EventKind.BUTTON, text=payload, message_ref=message_ref, **common)
        return "bad_frame"


def _frame(received: Any) -> dict[str, Any] | None:
    if received.type is not WSMsgType.TEXT:
        return None
    try:
        frame = json.loads(received.data)
    except (ValueError, RecursionError):  # RecursionError: thousands of nested brackets
        return None
    return frame if isinstance(frame, dict) else None


def _static(name: str) -> str:
    return resources.files("handlers").joinpath("webchat_static", name).read_text(encoding="utf-8")
