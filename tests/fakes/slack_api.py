"""A fake Slack Web API on 127.0.0.1 for tests, speaking HTTP the way slack_sdk's clients do.

Every call is ``POST {base_url}{method}`` (a few read methods use GET with a query string) with
``Authorization: Bearer <token>`` and a JSON or form-encoded body; answers are
``{"ok": true, ...}`` or ``{"ok": false, "error": "..."}``.
Messages are kept per channel (with thread replies), every call is recorded, and a test can make
the API answer 429 with Retry-After, or fail outright, for a number of calls.
"""

from __future__ import annotations

import asyncio
import hashlib
import hmac
import itertools
import json
import time
from collections.abc import Callable
from dataclasses import dataclass, field
from types import TracebackType
from typing import Any, Self
from urllib.parse import urlencode, urlsplit

from aiohttp import ClientSession, web

JSONDict = dict[str, Any]
TOKEN = "xoxb-test-token"
APP_TOKEN = "xapp-test-app-token"
TEAM_ID = "T0TEST"
BOT_USER_ID = "U0BOT"


@dataclass
class SlackMessage:
    channel: str
    ts: str
    text: str
    blocks: list[JSONDict]
    thread_ts: str | None = None
    edits: int = 0


@dataclass
class Call:
    method: str
    params: JSONDict
    status: int


@dataclass
class _Trouble:
    status: int
    remaining: int
    retry_after: int = 0


@dataclass
class FakeSlack:
    token: str = TOKEN
    calls: list[Call] = field(default_factory=list)
    messages: dict[str, list[SlackMessage]] = field(default_factory=dict)
    views: list[JSONDict] = field(default_factory=list)
    ephemeral: list[JSONDict] = field(default_factory=list)
    uploads: dict[str, JSONDict] = field(default_factory=dict)  # file id -> name, bytes, where shared
    deleted_files: list[str] = field(default_factory=list)
    members: dict[str, set[str]] = field(default_factory=dict)
    _troubles: list[_Trouble] = field(default_factory=list)
    _ts: itertools.count[int] = field(default_factory=lambda: itertools.count(1))
    _runner: web.AppRunner | None = None
    sockets: list[web.WebSocketResponse] = field(default_factory=list)
    acks: dict[str, JSONDict] = field(default_factory=dict)
    _changed: asyncio.Condition | None = None
    port: int = 0

    @property
    def base_url(self) -> str:
        return f"http://127.0.0.1:{self.port}/api/"

    async def __aenter__(self) -> Self:
        app = web.Application()
        app.router.add_get("/socket", self._socket)
        app.router.add_post("/upload/{file_id}", self._upload)
        app.router.add_route("*", "/api/{method}", self._handle)
        self._runner = web.AppRunner(app, access_log=None)
        await self._runner.setup()
        await web.TCPSite(self._runner, "127.0.0.1", 0).start()
        self.port = int(self._runner.addresses[0][1])
        self._changed = asyncio.Condition()
        return self

    async def __aexit__(
        self, kind: type[BaseException] | None, error: BaseException | None, trace: TracebackType | None
    ) -> None:
        for socket in self.sockets:
            await socket.close()
        if self._runner is not None:
            await self._runner.cleanup()

    # --- what tests arrange -------------------------------------------------------------------

    def rate_limit(self, calls: int, *, retry_after: int = 1) -> None:
        """The next `calls` calls answer 429 with Retry-After."""
        self._troubles.append(_Trouble(429, calls, retry_after))

    def outage(self, calls: int, *, status: int = 503) -> None:
        """The next `calls` calls fail with `status`."""
        self._troubles.append(_Trouble(status, calls))

    # --- what tests inspect -------------------------------------------------------------------

    def channel(self, channel: str) -> list[SlackMessage]:
        """Top-level messages of a channel (not thread replies), oldest first."""
        return [m for m in self.messages.get(channel, []) if m.thread_ts is None]

    def thread(self, channel: str, ts: str) -> list[SlackMessage]:
        return [m for m in self.messages.get(channel, []) if m.thread_ts == ts]

    def calls_to(self, method: str) -> list[Call]:
        return [call for call in self.calls if call.method == method]

    async def wait_for(self, condition: Callable[[], bool], timeout: float = 10.0) -> None:
        assert self._changed is not None
        deadline = time.monotonic() + timeout
        async with self._changed:
            while not condition():
                remaining = deadline - time.monotonic()
                if remaining <= 0:
                    raise AssertionError("condition not met in time")
                try:
                    await asyncio.wait_for(self._changed.wait(), remaining)
                except TimeoutError:
                    continue

    # --- the API ------------------------------------------------------------------------------

    async def _handle(self, request: web.Request) -> web.Response:
        method = request.match_info["method"]
        params = await _params(request)
        if method == "apps.connections.open":
            if request.headers.get("Authorization") != f"Bearer {APP_TOKEN}":
                return self._answer(method, params, {"ok": False, "error": "invalid_auth"})
            url = f"ws://127.0.0.1:{self.port}/socket"
            return self._answer(method, params, {"ok": True, "url": url})
        if request.headers.get("Authorization") != f"Bearer {self.token}":
            return self._answer(method, params, {"ok": False, "error": "invalid_auth"})
        for trouble in self._troubles:
            if trouble.remaining > 0:
                trouble.remaining -= 1
                self.calls.append(Call(method, params, trouble.status))
                headers = {"Retry-After": str(trouble.retry_after)} if trouble.status == 429 else {}
                body = {
                    "ok": False,
                    "error": "ratelimited" if trouble.status == 429 else "service_unavailable",
                }
                return web.json_response(body, status=trouble.status, headers=headers)
        handler = getattr(self, "_" + method.replace(".", "_"), None)
        if handler is None:
            return self._answer(method, params, {"ok": False, "error": "unknown_method"})
        result: JSONDict = handler(params)
        response = self._answer(method, params, result)
        assert self._changed is not None
        async with self._changed:
            self._changed.notify_all()
        return response

    # --- Socket Mode -------------------------------------------------------------------------

    async def _socket(self, request: web.Request) -> web.WebSocketResponse:
        socket = web.WebSocketResponse()
        await socket.prepare(request)
        self.sockets.append(socket)
        await socket.send_json(
            {"type": "hello", "num_connections": 1, "connection_info": {"app_id": "A0TEST"}}
        )
        async for frame in socket:
            if frame.type.name != "TEXT":
                continue
            ack = json.loads(frame.data)
            if isinstance(ack, dict) and "envelope_id" in ack:
                self.acks[str(ack["envelope_id"])] = ack
                assert self._changed is not None
                async with self._changed:
                    self._changed.notify_all()
        return socket

    async def push_interaction(self, payload: JSONDict) -> str:
        """Send an interactivity envelope over the open Socket Mode connection; its envelope id."""
        await self.wait_for(lambda: bool(self.sockets))
        envelope_id = f"env-{next(self._ts)}"
        envelope = {
            "envelope_id": envelope_id,
            "type": "interactive",
            "accepts_response_payload": payload.get("type") == "view_submission",
            "payload": payload,
        }
        await self.sockets[-1].send_json(envelope)
        return envelope_id

    def _answer(self, method: str, params: JSONDict, body: JSONDict) -> web.Response:
        self.calls.append(Call(method, params, 200))
        return web.json_response(body)

    def _auth_test(self, params: JSONDict) -> JSONDict:
        return {"ok": True, "team_id": TEAM_ID, "user_id": BOT_USER_ID, "bot_id": "B0BOT", "team": "Test"}

    def _chat_postMessage(self, params: JSONDict) -> JSONDict:
        channel = str(params.get("channel") or "")
        if not channel:
            return {"ok": False, "error": "channel_not_found"}
        if not params.get("text") and not params.get("blocks"):
            return {"ok": False, "error": "no_text"}
        ts = f"{1_700_000_000 + next(self._ts)}.000100"
        message = SlackMessage(
            channel=channel,
            ts=ts,
            text=str(params.get("text") or ""),
            blocks=_blocks(params.get("blocks")),
            thread_ts=params.get("thread_ts"),
        )
        self.messages.setdefault(channel, []).append(message)
        return {"ok": True, "channel": channel, "ts": ts, "message": {"text": message.text, "ts": ts}}

    def _chat_update(self, params: JSONDict) -> JSONDict:
        for message in self.messages.get(str(params.get("channel")), []):
            if message.ts == params.get("ts"):
                message.text = str(params.get("text") or message.text)
                message.blocks = _blocks(params.get("blocks")) or message.blocks
                message.edits += 1
                return {"ok": True, "channel": message.channel, "ts": message.ts}
        return {"ok": False, "error": "message_not_found"}

    def _files_delete(self, params: JSONDict) -> JSONDict:
        file_id = str(params.get("file") or "")
        if self.uploads.pop(file_id, None) is None:
            return {"ok": False, "error": "file_not_found"}
        self.deleted_files.append(file_id)
        return {"ok": True}

    def _chat_getPermalink(self, params: JSONDict) -> JSONDict:
        channel, ts = params.get("channel"), str(params.get("message_ts"))
        return {"ok": True, "channel": channel, "permalink": f"https://test.slack.example/{channel}/p{ts}"}

    def _chat_postEphemeral(self, params: JSONDict) -> JSONDict:
        self.ephemeral.append(
            {"channel": params.get("channel"), "user": params.get("user"), "text": params.get("text")}
        )
        return {"ok": True, "message_ts": f"{1_700_000_000 + next(self._ts)}.000200"}

    def _files_getUploadURLExternal(self, params: JSONDict) -> JSONDict:
        file_id = f"F{next(self._ts)}"
        self.uploads[file_id] = {"filename": params.get("filename"), "length": int(params.get("length") or 0)}
        return {
            "ok": True,
            "file_id": file_id,
            "upload_url": f"http://127.0.0.1:{self.port}/upload/{file_id}",
        }

    async def _upload(self, request: web.Request) -> web.Response:
        upload = self.uploads.get(request.match_info["file_id"])
        if upload is None:
            return web.Response(status=404)
        upload["data"] = await request.read()
        return web.Response(text="OK")

    def _files_completeUploadExternal(self, params: JSONDict) -> JSONDict:
        files = params.get("files")
        files = json.loads(files) if isinstance(files, str) else files or []
        done = []
        for item in files:
            upload = self.uploads.get(str(item.get("id")))
            if upload is None or "data" not in upload:
                return {"ok": False, "error": "file_not_found"}
            upload.update(
                channel=params.get("channel_id"), thread_ts=params.get("thread_ts"), title=item.get("title")
            )
            done.append({"id": item.get("id"), "title": item.get("title")})
        return {"ok": True, "files": done}

    def _views_open(self, params: JSONDict) -> JSONDict:
        view = params.get("view")
        view = json.loads(view) if isinstance(view, str) else view
        view_id = f"V{len(self.views) + 1}"
        self.views.append({"trigger_id": params.get("trigger_id"), "view": view, "id": view_id})
        return {"ok": True, "view": {"id": view_id, **(view or {})}}

    def _conversations_members(self, params: JSONDict) -> JSONDict:
        members = sorted(self.members.get(str(params.get("channel")), set()))
        return {"ok": True, "members": members, "response_metadata": {"next_cursor": ""}}


async def _params(request: web.Request) -> JSONDict:
    params: JSONDict = dict(request.query)  # some methods send their arguments as a query string
    if request.method == "GET":
        return params
    if request.content_type == "application/json":
        body = await request.json()
        return params | (dict(body) if isinstance(body, dict) else {})
    form = await request.post()
    return params | {key: value for key, value in form.items() if isinstance(value, str)}


def _blocks(value: Any) -> list[JSONDict]:
    if isinstance(value, str):
        value = json.loads(value)
    return list(value or [])


def signed_headers(body: str, secret: str, *, timestamp: int | None = None) -> dict[str, str]:
    """The headers Slack sends with a request: a v0 HMAC-SHA256 signature over timestamp and body."""
    stamp = str(int(time.time()) if timestamp is None else timestamp)
    digest = hmac.new(secret.encode(), f"v0:{stamp}:{body}".encode(), hashlib.sha256).hexdigest()
    return {
        "X-Slack-Request-Timestamp": stamp,
        "X-Slack-Signature": f"v0={digest}",
        "Content-Type": "application/x-www-form-urlencoded",
    }


def interaction_body(payload: JSONDict) -> str:
    """An interactivity request body as Slack posts it: form-encoded `payload=<json>`."""
    return urlencode({"payload": json.dumps(payload)})


async def post_to_app(url: str, body: str, headers: dict[str, str]) -> tuple[int, str]:
    """Post to the bot's Slack endpoint (loopback only), as Slack would."""
    if urlsplit(url).hostname not in {"127.0.0.1", "localhost"}:
        raise ValueError("tests post to loopback only")
    async with ClientSession() as session, session.post(url, data=body.encode(), headers=headers) as response:
        return response.status, await response.text()


def slash_command_body(*, command: str, text: str, user: str, channel: str = "C-ADMIN") -> str:
    """A slash command as Slack posts it: plain form fields."""
    return urlencode(
        {
            "token": "legacy-verification-token",
            "team_id": TEAM_ID,
            "channel_id": channel,
            "user_id": user,
            "command": command,
            "text": text,
            "api_app_id": "A0TEST",
            "response_url": "https://hooks.slack.example/commands/T0TEST/1/abc",
            "trigger_id": "trigger-command",
        }
    )


_interactions = itertools.count(1)


def block_action(*, action_id: str, value: str, user: str, channel: str, ts: str) -> JSONDict:
    """A button click; like Slack's, each has its own trigger id and action time stamp."""
    number = next(_interactions)
    return {
        "type": "block_actions",
        "team": {"id": TEAM_ID},
        "user": {"id": user, "team_id": TEAM_ID},
        "api_app_id": "A0TEST",
        "token": "legacy-verification-token",
        "trigger_id": f"{number}.{TEAM_ID}.trigger-{action_id}",
        "channel": {"id": channel},
        "container": {"type": "message", "channel_id": channel, "message_ts": ts},
        "message": {"ts": ts, "text": ""},
        "actions": [
            {
                "type": "button",
                "action_id": action_id,
                "block_id": f"ticket:{value}",
                "value": value,
                "action_ts": f"{1_780_000_000 + number}.000100",
            }
        ],
    }


def view_submission(
    *, callback_id: str, ticket_id: str, user: str, value: JSONDict, view_id: str = "V1"
) -> JSONDict:
    """A modal's submission; `view_id` is the id views.open answered for that modal."""
    return {
        "type": "view_submission",
        "team": {"id": TEAM_ID},
        "user": {"id": user, "team_id": TEAM_ID},
        "api_app_id": "A0TEST",
        "token": "legacy-verification-token",
        "trigger_id": "trigger-submit",
        "view": {
            "id": view_id,
            "type": "modal",
            "callback_id": callback_id,
            "private_metadata": ticket_id,
            "state": {"values": {"value": {"value": value}}},
        },
    }
