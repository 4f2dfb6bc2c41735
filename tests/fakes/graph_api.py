"""A fake WhatsApp Cloud API (Graph API) on 127.0.0.1: records the messages the bot sends.

`POST /{phone_number_id}/messages` with `Authorization: Bearer <token>` and a JSON body answers
`{"messaging_product": "whatsapp", "contacts": [...], "messages": [{"id": "wamid..."}]}`; a test
can make the next calls fail with a status. Interactive messages beyond the Cloud API's documented
limits (3 reply buttons of 20 characters, 10 list rows of 24) are refused with error 131009, as Meta
refuses them. `GET /{media_id}` answers a media's download URL, which
serves its bytes to the same token. Webhook bodies are built and signed as Meta does, stamped with
`clock` (tests move it).
"""

from __future__ import annotations

import hashlib
import hmac
import itertools
import json
from collections.abc import Callable
from dataclasses import dataclass, field
from datetime import UTC, datetime
from types import TracebackType
from typing import Any, Self

from aiohttp import ClientSession, web

PHONE_NUMBER_ID = "1098765432"
TOKEN = "EAAG-test-token"
APP_SECRET = "whatsapp-app-secret"
VERIFY_TOKEN = "verify-me"
MAX_BODY_TEXT, MAX_BUTTONS, MAX_BUTTON_TITLE = 1024, 3, 20
MAX_LIST_ROWS, MAX_ROW_TITLE, MAX_SECTION_TITLE, MAX_LIST_BUTTON = 10, 24, 24, 20


def interactive_error(body: dict[str, Any]) -> str | None:
    """Why the Cloud API would refuse this interactive message, or None."""
    interactive = body.get("interactive")
    if body.get("type") != "interactive" or not isinstance(interactive, dict):
        return None
    action = interactive.get("action") or {}
    if len(str((interactive.get("body") or {}).get("text", ""))) > MAX_BODY_TEXT:
        return "body text too long"
    if interactive.get("type") == "button":
        buttons = action.get("buttons") or []
        if not 1 <= len(buttons) <= MAX_BUTTONS:
            return f"{len(buttons)} buttons"
        if any(len(b["reply"]["title"]) > MAX_BUTTON_TITLE for b in buttons):
            return "button title too long"
    elif interactive.get("type") == "list":
        sections = action.get("sections") or []
        rows = [row for section in sections for row in section.get("rows", [])]
        if not 1 <= len(rows) <= MAX_LIST_ROWS:
            return f"{len(rows)} rows"
        if any(len(row["title"]) > MAX_ROW_TITLE for row in rows):
            return "row title too long"
        if any(len(section.get("title", "")) > MAX_SECTION_TITLE for section in sections):
            return "section title too long"
        if not 1 <= len(str(action.get("button", ""))) <= MAX_LIST_BUTTON:
            return "list button label"
    return None


@dataclass
class FakeGraph:
    sent: list[dict[str, Any]] = field(default_factory=list)
    failures: list[int] = field(default_factory=list)
    refused: list[str] = field(default_factory=list)
    _ids: itertools.count[int] = field(default_factory=lambda: itertools.count(1))
    _incoming: itertools.count[int] = field(default_factory=lambda: itertools.count(1))
    _runner: web.AppRunner | None = None
    port: int = 0
    clock: Callable[[], datetime] = field(default=lambda: datetime.now(UTC))
    media: dict[str, bytes] = field(default_factory=dict)
    downloads: list[str] = field(default_factory=list)

    @property
    def base_url(self) -> str:
        return f"http://127.0.0.1:{self.port}"

    async def __aenter__(self) -> Self:
        app = web.Application()
        app.router.add_post("/{phone}/messages", self._messages)
        app.router.add_get("/media-files/{media_id}", self._download)
        app.router.add_get("/{media_id}", self._media_info)
        self._runner = web.AppRunner(app, access_log=None)
        await self._runner.setup()
        await web.TCPSite(self._runner, "127.0.0.1", 0).start()
        self.port = int(self._runner.addresses[0][1])
        return self

    async def __aexit__(
        self, kind: type[BaseException] | None, error: BaseException | None, trace: TracebackType | None
    ) -> None:
        if self._runner is not None:
            await self._runner.cleanup()

    def to(self, number: str) -> list[dict[str, Any]]:
        return [body for body in self.sent if body.get("to") == number]

    async def _messages(self, request: web.Request) -> web.Response:
        if (
            request.headers.get("Authorization") != f"Bearer {TOKEN}"
            or request.match_info["phone"] != PHONE_NUMBER_ID
        ):
            return web.json_response(
                {"error": {"message": "Invalid OAuth access token", "code": 190}}, status=401
            )
        if self.failures:
            return web.json_response(
                {"error": {"message": "try later", "code": 4}}, status=self.failures.pop(0)
            )
        body = await request.json()
        refused = interactive_error(body)
        if refused is not None:
            self.refused.append(refused)
            message = f"(#131009) Parameter value is not valid: {refused}"
            return web.json_response({"error": {"message": message, "code": 131009}}, status=400)
        self.sent.append(body)
        wamid = f"wamid.out.{next(self._ids)}"
        contacts = [{"input": body.get("to"), "wa_id": body.get("to")}]
        return web.json_response(
            {"messaging_product": "whatsapp", "contacts": contacts, "messages": [{"id": wamid}]}
        )

    def templates(self, number: str) -> list[dict[str, Any]]:
        return [body["template"] for body in self.to(number) if body.get("type") == "template"]

    def free_form(self, number: str) -> list[dict[str, Any]]:
        return [body for body in self.to(number) if body.get("type") != "template"]

    async def _media_info(self, request: web.Request) -> web.Response:
        media_id = request.match_info["media_id"]
        if request.headers.get("Authorization") != f"Bearer {TOKEN}":
            return web.json_response({"error": {"code": 190}}, status=401)
        if media_id not in self.media:
            return web.json_response({"error": {"message": "unknown media", "code": 100}}, status=404)
        return web.json_response(
            {
                "messaging_product": "whatsapp",
                "url": f"{self.base_url}/media-files/{media_id}",
                "mime_type": "image/jpeg",
                "file_size": len(self.media[media_id]),
                "id": media_id,
            }
        )

    async def _download(self, request: web.Request) -> web.Response:
        media_id = request.match_info["media_id"]
        if request.headers.get("Authorization") != f"Bearer {TOKEN}" or media_id not in self.media:
            return web.Response(status=404)
        self.downloads.append(media_id)
        return web.Response(body=self.media[media_id], content_type="image/jpeg")

    # --- webhook bodies, as Meta posts them ------------------------------------------------------

    def message(
        self, number: str, content: dict[str, Any], *, phone_number_id: str = PHONE_NUMBER_ID
    ) -> dict[str, Any]:
        message = {
            "from": number,
            "id": f"wamid.in.{next(self._incoming)}",
            "timestamp": str(int(self.clock().timestamp())),
            **content,
        }
        value = {
            "messaging_product": "whatsapp",
            "metadata": {"display_phone_number": "15550001111", "phone_number_id": phone_number_id},
            "contacts": [{"profile": {"name": "Customer"}, "wa_id": number}],
            "messages": [message],
        }
        return {
            "object": "whatsapp_business_account",
            "entry": [{"id": "WABA", "changes": [{"value": value, "field": "messages"}]}],
        }

    def text(self, number: str, text: str) -> dict[str, Any]:
        return self.message(number, {"type": "text", "text": {"body": text}})

    def reaction(self, number: str, message_id: str, emoji: str) -> dict[str, Any]:
        """A reaction to a message; Meta sends an empty emoji when it is taken back."""
        return self.message(
            number, {"type": "reaction", "reaction": {"message_id": message_id, "emoji": emoji}}
        )

    def system(self, number: str) -> dict[str, Any]:
        """Meta's notice that the customer changed their number."""
        notice = {"body": "User changed number", "wa_id": "34600999888", "type": "user_changed_number"}
        return self.message(number, {"type": "system", "system": notice})

    def reply(self, number: str, payload: str, *, kind: str = "button_reply") -> dict[str, Any]:
        return self.message(
            number,
            {"type": "interactive", "interactive": {"type": kind, kind: {"id": payload, "title": "x"}}},
        )

    def image(self, number: str, media_id: str, data: bytes) -> dict[str, Any]:
        self.media[media_id] = data
        return self.message(number, {"type": "image", "image": {"id": media_id, "mime_type": "image/jpeg"}})

    def template_reply(self, number: str, payload: str) -> dict[str, Any]:
        return self.message(number, {"type": "button", "button": {"payload": payload, "text": "x"}})

    def status(self, message_id: str, status: str) -> dict[str, Any]:
        value = {
            "messaging_product": "whatsapp",
            "metadata": {"phone_number_id": PHONE_NUMBER_ID},
            "statuses": [
                {"id": message_id, "status": status, "timestamp": "1763900001", "recipient_id": "x"}
            ],
        }
        return {
            "object": "whatsapp_business_account",
            "entry": [{"id": "WABA", "changes": [{"value": value, "field": "messages"}]}],
        }


async def post_webhook(url: str, body: dict[str, Any] | str, *, secret: str = APP_SECRET) -> int:
    raw = (body if isinstance(body, str) else json.dumps(body)).encode()
    signature = "sha256=" + hmac.new(secret.encode(), raw, hashlib.sha256).hexdigest()
    headers = {"X-Hub-Signature-256": signature, "Content-Type": "application/json"}
    async with ClientSession() as session, session.post(url, data=raw, headers=headers) as response:
        return response.status
