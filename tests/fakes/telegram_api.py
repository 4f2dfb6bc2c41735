"""A fake Telegram Bot API server for tests.

It speaks HTTP the way python-telegram-bot's ``telegram.Bot`` does: every API call is a
``POST {base_url}{token}/{method}`` whose parameters are form-encoded (multipart when a file is
uploaded), with non-string values JSON-encoded. Answers are ``{"ok": true, "result": ...}`` or
``{"ok": false, "error_code": ..., "description": ..., "parameters": {...}}``.

Usage::

    async with FakeTelegram() as fake:
        bot = telegram.Bot(fake.token, base_url=fake.base_url)
        fake.queue_update(fake.text_update(chat_id=42, text="/start"))
        ...  # run the bot
        await fake.wait_for(lambda: len(fake.chat(42)) == 1)
        assert fake.chat(42)[0].text == "Welcome!"

Only loopback addresses are used: the server listens on 127.0.0.1 and ``post_webhook`` refuses
other hosts.
"""

from __future__ import annotations

import asyncio
import contextlib
import copy
import ipaddress
import itertools
import json
import re
import time
from collections import defaultdict, deque
from collections.abc import Awaitable, Callable
from dataclasses import dataclass, field
from types import TracebackType
from typing import Any, Self
from urllib.parse import urlsplit

from aiohttp import ClientSession, ClientTimeout, web

JSONDict = dict[str, Any]

# Parameters the Bot API types as strings. PTB sends them verbatim (not JSON-encoded), so they
# must not be JSON-decoded either: a text of "42" has to stay the string "42".
_STRING_PARAMS = frozenset(
    "action business_connection_id callback_query_id caption description emoji inline_message_id "
    "ip_address language_code message_effect_id name parse_mode secret_token short_description "
    "text title url".split()
)
_COMMAND_RE = re.compile(r"(?<!\S)/[A-Za-z0-9_]{1,32}(?:@[A-Za-z0-9_]{3,32})?")
_COMMAND_NAME_RE = re.compile(r"[a-z0-9_]{1,32}")
_SECRET_TOKEN_RE = re.compile(r"[A-Za-z0-9_-]{1,256}")
_CHAT_ACTIONS = frozenset(
    "typing upload_photo record_video upload_video record_voice upload_voice upload_document "
    "choose_sticker find_location record_video_note upload_video_note".split()
)
MAX_TEXT_LENGTH = 4096
MAX_CALLBACK_DATA_BYTES = 64
NOT_MODIFIED = (
    "Bad Request: message is not modified: specified new message content and reply markup are "
    "exactly the same as a current content and reply markup of the message"
)


@dataclass
class Call:
    """One Bot API request, recorded when it arrives (so in arrival order)."""

    method: str
    params: dict[str, Any]  # JSON-decoded; uploaded files are UploadedFile
    at: float = field(default_factory=time.monotonic)
    status: int | None = None  # HTTP status answered; None while pending (long poll)


@dataclass(frozen=True)
class UploadedFile:
    filename: str | None
    content_type: str
    data: bytes


@dataclass(frozen=True)
class SentMessage:
    """A message the bot sent, in its current state (after edits)."""

    message_id: int
    text: str  # the text (or a document's caption) as sent; parse_mode markup is NOT parsed
    buttons: list[list[tuple[str, str]]]  # inline keyboard: (label, callback_data or url)
    edits: int = 0
    parse_mode: str | None = None
    reply_markup: JSONDict | None = None  # raw markup, also reply keyboards / ForceReply
    document: UploadedFile | str | None = None  # sendDocument: the upload, or the file_id/URL


class ApiError(Exception):
    """An error answer of the Bot API."""

    def __init__(self, error_code: int, description: str, retry_after: int | None = None) -> None:
        super().__init__(description)
        self.error_code = error_code
        self.description = description
        self.retry_after = retry_after

    def body(self) -> JSONDict:
        body: JSONDict = {
            "ok": False,
            "error_code": self.error_code,
            "description": self.description,
        }
        if self.retry_after is not None:
            body["parameters"] = {"retry_after": self.retry_after}
        return body


def _bad_request(description: str) -> ApiError:
    return ApiError(400, f"Bad Request: {description}")


@dataclass
class _StoredMessage:
    message: JSONDict  # the Message object as the API returns it
    reply_markup: JSONDict | None
    parse_mode: str | None = None
    document: UploadedFile | str | None = None
    edits: int = 0

    @property
    def inline_markup(self) -> JSONDict | None:
        markup = self.reply_markup
        return markup if markup is not None and "inline_keyboard" in markup else None

    def snapshot(self) -> SentMessage:
        keyboard = (self.inline_markup or {}).get("inline_keyboard", [])
        buttons = [
            [(b.get("text", ""), b.get("callback_data", b.get("url", ""))) for b in row] for row in keyboard
        ]
        return SentMessage(
            message_id=self.message["message_id"],
            text=str(self.message.get("text", self.message.get("caption", ""))),
            buttons=buttons,
            edits=self.edits,
            parse_mode=self.parse_mode,
            reply_markup=copy.deepcopy(self.reply_markup),
            document=self.document,
        )


def _utf16_len(text: str) -> int:
    return len(text.encode("utf-16-le")) // 2


def _command_entities(text: str) -> list[JSONDict]:
    """bot_command entities as Telegram adds them; offsets/lengths are in UTF-16 code units."""
    return [
        {
            "type": "bot_command",
            "offset": _utf16_len(text[: m.start()]),
            "length": _utf16_len(m.group()),
        }
        for m in _COMMAND_RE.finditer(text)
    ]


def _decode(key: str, value: Any) -> Any:
    if not isinstance(value, str) or key in _STRING_PARAMS:
        return value
    try:
        return json.loads(value)
    except ValueError:
        return value  # e.g. chat_id="@channel" or a file_id


async def _read_params(request: web.Request) -> dict[str, Any]:
    raw: dict[str, Any] = dict(request.query)
    if request.content_type == "application/json":
        body = await request.json()
        return {k: _decode(k, v) for k, v in raw.items()} | dict(body)
    files: dict[str, UploadedFile] = {}
    for key, value in (await request.post()).items():
        if isinstance(value, web.FileField):
            files[key] = UploadedFile(value.filename, value.content_type, value.file.read())
        elif isinstance(value, bytes | bytearray):
            raw[key] = bytes(value).decode()
        else:
            raw[key] = value
    params = {k: _decode(k, v) for k, v in raw.items()}
    for key, upload in files.items():
        # Uploads are either the parameter itself or referenced as "attach://<part name>".
        referenced = [k for k, v in params.items() if v == f"attach://{key}"]
        for name in referenced or [key]:
            params[name] = upload
    return params


def _is_loopback(host: str | None) -> bool:
    if host == "localhost":
        return True
    try:
        return host is not None and ipaddress.ip_address(host).is_loopback
    except ValueError:
        return False


class FakeTelegram:
    """An in-process Bot API server on 127.0.0.1 plus helpers to drive and inspect it."""

    def __init__(self, *, token: str = "123456:TEST-TOKEN", bot_username: str = "feedback_test_bot") -> None:
        self.token = token
        self.bot_username = bot_username
        self.base_url = ""  # set by start(): "http://127.0.0.1:<port>/bot"
        bot_id = token.split(":", 1)[0]
        self.bot_user: JSONDict = {
            "id": int(bot_id) if bot_id.isdigit() else 1,
            "is_bot": True,
            "first_name": "Feedback Test Bot",
            "username": bot_username,
            "can_join_groups": True,
            "can_read_all_group_messages": False,
            "supports_inline_queries": False,
            "can_connect_to_business": False,
            "has_main_web_app": False,
        }
        self.calls: list[Call] = []
        self.confirmed_offset = 0  # highest offset getUpdates acknowledged with
        self.allowed_updates: list[str] | None = None  # sticky, as in Telegram
        self.webhook_url: str | None = None
        self.webhook_secret: str | None = None
        self.callback_answers: dict[str, JSONDict] = {}  # callback_query_id -> params
        self.blocked_chats: set[int] = set()
        self._commands: dict[tuple[str, str], list[tuple[str, str]]] = {}
        self._pending: list[JSONDict] = []
        self._update_ids = itertools.count(10_001)
        self._file_ids = itertools.count(1)
        self._user_files: dict[str, bytes] = {}  # documents users uploaded, by file_id
        self._callback_ids = itertools.count(1_000_001)
        self._next_message_id: defaultdict[int, int] = defaultdict(lambda: 1)
        self._messages: defaultdict[int, dict[int, _StoredMessage]] = defaultdict(dict)
        self._incoming: dict[tuple[int, int], JSONDict] = {}  # (chat, message_id) -> Message
        self._chats: dict[int, JSONDict] = {}
        self._open_callbacks: set[str] = set()
        self._send_times: defaultdict[int, list[float]] = defaultdict(list)
        self._failures: defaultdict[str, deque[ApiError]] = defaultdict(deque)
        self._poll_generation = 0
        self._changed = asyncio.Event()
        self._closing = False
        self._runner: web.AppRunner | None = None
        handlers: dict[str, Callable[[JSONDict], Awaitable[Any]]] = {
            "getMe": self._get_me,
            "getUpdates": self._get_updates,
            "setWebhook": self._set_webhook,
            "deleteWebhook": self._delete_webhook,
            "getWebhookInfo": self._get_webhook_info,
            "setMyCommands": self._set_my_commands,
            "deleteMyCommands": self._delete_my_commands,
            "getMyCommands": self._get_my_commands,
            "sendMessage": self._send_message,
            "editMessageText": self._edit_message_text,
            "editMessageReplyMarkup": self._edit_message_reply_markup,
            "answerCallbackQuery": self._answer_callback_query,
            "sendChatAction": self._send_chat_action,
            "sendDocument": self._send_document,
            "getFile": self._get_file,
        }
        # Telegram treats method names case-insensitively.
        self._methods = {name.lower(): handler for name, handler in handlers.items()}

    # ----------------------------------------------------------------- lifecycle

    async def start(self) -> None:
        app = web.Application(client_max_size=50 * 1024 * 1024)
        app.router.add_route("*", "/bot{token}/{method}", self._handle)
        app.router.add_get("/file/bot{token}/{path:.*}", self._download)
        app.router.add_route("*", "/{tail:.*}", self._not_found)
        self._closing = False
        self._runner = web.AppRunner(app, access_log=None, shutdown_timeout=5.0)
        await self._runner.setup()
        await web.TCPSite(self._runner, "127.0.0.1", 0).start()
        port = self._runner.addresses[0][1]
        self.base_url = f"http://127.0.0.1:{port}/bot"
        self.file_base_url = f"http://127.0.0.1:{port}/file/bot"

    async def stop(self) -> None:
        self._closing = True  # releases pending long polls
        self._notify()
        if self._runner is not None:
            await self._runner.cleanup()
            self._runner = None

    async def __aenter__(self) -> Self:
        await self.start()
        return self

    async def __aexit__(
        self,
        exc_type: type[BaseException] | None,
        exc: BaseException | None,
        tb: TracebackType | None,
    ) -> None:
        await self.stop()

    # ----------------------------------------------------------------- building updates

    def message_update(
        self,
        *,
        chat_id: int,
        content: JSONDict,
        language_code: str | None = "en",
        user_id: int | None = None,
        chat_type: str = "private",
    ) -> JSONDict:
        """A user's message with arbitrary content fields, e.g. ``{"location": {...}}``."""
        user = self._user(self._sender_id(chat_id, user_id, chat_type), language_code)
        message: JSONDict = {
            "message_id": self._take_message_id(chat_id),
            "from": user,
            "chat": self._chat(chat_id, chat_type, user),
            "date": int(time.time()),
            **content,
        }
        self._incoming[(chat_id, message["message_id"])] = message
        return self._new_update("message", message)

    def text_update(
        self,
        *,
        chat_id: int,
        text: str,
        language_code: str | None = "en",
        user_id: int | None = None,
        chat_type: str = "private",
    ) -> JSONDict:
        return self.message_update(
            chat_id=chat_id,
            content=self._text_content(text),
            language_code=language_code,
            user_id=user_id,
            chat_type=chat_type,
        )

    def sticker_update(
        self,
        *,
        chat_id: int,
        emoji: str = "😀",
        language_code: str | None = "en",
        user_id: int | None = None,
        chat_type: str = "private",
    ) -> JSONDict:
        sticker = {
            **self._new_file("sticker"),
            "type": "regular",
            "width": 512,
            "height": 512,
            "is_animated": False,
            "is_video": False,
            "emoji": emoji,
        }
        return self.message_update(
            chat_id=chat_id,
            content={"sticker": sticker},
            language_code=language_code,
            user_id=user_id,
            chat_type=chat_type,
        )

    def voice_update(
        self,
        *,
        chat_id: int,
        duration: int = 3,
        language_code: str | None = "en",
        user_id: int | None = None,
        chat_type: str = "private",
    ) -> JSONDict:
        voice = {
            **self._new_file("voice"),
            "duration": duration,
            "mime_type": "audio/ogg",
            "file_size": 4000 * duration,
        }
        return self.message_update(
            chat_id=chat_id,
            content={"voice": voice},
            language_code=language_code,
            user_id=user_id,
            chat_type=chat_type,
        )

    def photo_update(
        self,
        *,
        chat_id: int,
        caption: str | None = None,
        language_code: str | None = "en",
        user_id: int | None = None,
        chat_type: str = "private",
    ) -> JSONDict:
        sizes = [
            {**self._new_file("photo"), "width": side, "height": side, "file_size": side * 40}
            for side in (90, 320, 800)
        ]
        for size in sizes:  # downloadable, like any file a user sent
            self._user_files[size["file_id"]] = b"\xff\xd8 fake jpeg " + size["file_id"].encode()
        content: JSONDict = {"photo": sizes}
        if caption is not None:
            content["caption"] = caption
        return self.message_update(
            chat_id=chat_id,
            content=content,
            language_code=language_code,
            user_id=user_id,
            chat_type=chat_type,
        )

    def document_update(
        self,
        *,
        chat_id: int,
        content: bytes,
        file_name: str,
        caption: str | None = None,
        language_code: str | None = "en",
    ) -> JSONDict:
        """A user uploads a file (kept here, served by getFile and the file download URL)."""
        info = {**self._new_file("document"), "file_name": file_name, "file_size": len(content)}
        self._user_files[info["file_id"]] = content
        body: JSONDict = {"document": info}
        if caption is not None:
            body["caption"] = caption
            if entities := _command_entities(caption):
                body["caption_entities"] = entities
        return self.message_update(chat_id=chat_id, content=body, language_code=language_code)

    def edited_message_update(
        self,
        *,
        chat_id: int,
        text: str,
        message_id: int | None = None,
        language_code: str | None = "en",
        user_id: int | None = None,
        chat_type: str = "private",
    ) -> JSONDict:
        """The user edited one of their messages (default: their latest one in that chat)."""
        if message_id is None:
            ids = [mid for (cid, mid) in self._incoming if cid == chat_id]
            if not ids:
                raise ValueError(f"no user message in chat {chat_id} to edit")
            message_id = max(ids)
        original = self._incoming.get((chat_id, message_id))
        if original is None:
            user = self._user(self._sender_id(chat_id, user_id, chat_type), language_code)
            original = {
                "message_id": message_id,
                "from": user,
                "chat": self._chat(chat_id, chat_type, user),
                "date": int(time.time()) - 60,
            }
        edited = {k: v for k, v in copy.deepcopy(original).items() if k not in ("text", "entities")}
        edited |= self._text_content(text) | {"edit_date": int(time.time())}
        self._incoming[(chat_id, message_id)] = edited
        return self._new_update("edited_message", edited)

    def callback_update(
        self,
        *,
        chat_id: int,
        message_id: int,
        data: str,
        language_code: str | None = "en",
        user_id: int | None = None,
    ) -> JSONDict:
        """A press on an inline button of the bot's message (looked up, so it is current)."""
        stored = self._messages.get(chat_id, {}).get(message_id)
        if stored is not None:
            message = copy.deepcopy(stored.message)
        else:
            message = {
                "message_id": message_id,
                "from": self._bot_from(),
                "chat": self._chats.get(chat_id) or self._default_chat(chat_id),
                "date": int(time.time()),
                "text": "",
            }
        user_id = self._sender_id(chat_id, user_id, message["chat"]["type"])
        query_id = str(next(self._callback_ids))
        self._open_callbacks.add(query_id)
        query = {
            "id": query_id,
            "from": self._user(user_id, language_code),
            "message": message,
            "chat_instance": f"instance-{chat_id}",
            "data": data,
        }
        return self._new_update("callback_query", query)

    def button_update(
        self,
        *,
        chat_id: int,
        label: str,
        message_id: int | None = None,
        language_code: str | None = "en",
        user_id: int | None = None,
    ) -> JSONDict:
        """Press the button labelled ``label`` (on the latest bot message that has one)."""
        for sent in reversed(self.chat(chat_id)):
            if message_id is not None and sent.message_id != message_id:
                continue
            for row in sent.buttons:
                for text, data in row:
                    if text == label:
                        return self.callback_update(
                            chat_id=chat_id,
                            message_id=sent.message_id,
                            data=data,
                            language_code=language_code,
                            user_id=user_id,
                        )
        raise AssertionError(f"no button {label!r} in chat {chat_id}\n{self.describe()}")

    # ----------------------------------------------------------------- delivering updates

    def queue_update(self, update: JSONDict) -> None:
        """Make ``update`` available to getUpdates."""
        self._pending.append(update)
        self._notify()

    def pending_updates(self) -> list[JSONDict]:
        """Updates queued but not yet confirmed by a getUpdates offset."""
        return copy.deepcopy(self._pending)

    async def post_webhook(self, url: str, update: JSONDict, *, secret: str | None) -> int:
        """POST ``update`` to the bot's webhook as Telegram does; returns the HTTP status."""
        if not _is_loopback(urlsplit(url).hostname):
            raise ValueError(f"refusing to post to non-loopback URL {url!r}")
        headers = {"Content-Type": "application/json"}
        if secret is not None:
            headers["X-Telegram-Bot-Api-Secret-Token"] = secret
        # A fresh session per delivery: no keep-alive connection outlives the bot's server.
        async with (
            ClientSession(timeout=ClientTimeout(total=30)) as client,
            client.post(url, data=json.dumps(update), headers=headers) as resp,
        ):
            await resp.read()
            return resp.status

    # ----------------------------------------------------------------- inspecting

    def chat(self, chat_id: int) -> list[SentMessage]:
        """Messages the bot sent to ``chat_id``, in order, in their current state."""
        return [stored.snapshot() for stored in self._messages.get(chat_id, {}).values()]

    def last_message(self, chat_id: int) -> SentMessage:
        messages = self.chat(chat_id)
        if not messages:
            raise AssertionError(f"the bot sent nothing to chat {chat_id}\n{self.describe()}")
        return messages[-1]

    def calls_to(self, method: str) -> list[Call]:
        return [call for call in self.calls if call.method.lower() == method.lower()]

    def send_times(self, chat_id: int) -> list[float]:
        """time.monotonic() of each successful send (sendMessage/sendDocument) to the chat."""
        return list(self._send_times.get(chat_id, []))

    def commands_for(
        self, *, scope: JSONDict | None = None, language_code: str = ""
    ) -> list[tuple[str, str]]:
        """(command, description) pairs set with setMyCommands for that scope and language."""
        return list(self._commands.get(self._commands_key(scope, language_code), []))

    async def wait_for(self, predicate: Callable[[], bool], *, timeout: float = 10.0) -> None:
        """Wait until ``predicate()`` holds; on timeout raise AssertionError with a state dump."""
        loop = asyncio.get_running_loop()
        deadline = loop.time() + timeout
        while not predicate():
            remaining = deadline - loop.time()
            if remaining <= 0:
                raise AssertionError(f"condition not met within {timeout}s\n{self.describe()}")
            # Woken by any API call; the short cap also covers conditions on other state.
            await self._wait_changed(min(remaining, 0.05))

    def describe(self) -> str:
        lines = ["calls (last 20):"]
        for call in self.calls[-20:]:
            params = json.dumps(call.params, default=repr, ensure_ascii=False)
            lines.append(f"  {call.method} -> {call.status}: {params[:300]}")
        for chat_id in self._messages:
            lines.append(f"chat {chat_id}:")
            lines.extend(f"  {sent}" for sent in self.chat(chat_id))
        lines.append(f"pending updates: {[u['update_id'] for u in self._pending]}")
        lines.append(f"confirmed offset: {self.confirmed_offset}, webhook: {self.webhook_url}")
        return "\n".join(lines)

    # ----------------------------------------------------------------- failure injection

    def fail_next(
        self,
        method: str,
        *,
        error_code: int = 429,
        retry_after: int = 1,
        description: str = "Too Many Requests: retry after 1",
    ) -> None:
        """Make the next call of ``method`` fail once (calls queue up failures)."""
        error = ApiError(error_code, description, retry_after if error_code == 429 else None)
        self._failures[method.lower()].append(error)

    def block_chat(self, chat_id: int) -> None:
        """The user blocked the bot: sends and edits to the chat get 403."""
        self.blocked_chats.add(chat_id)

    # ----------------------------------------------------------------- HTTP plumbing

    async def _not_found(self, request: web.Request) -> web.Response:
        return web.json_response(ApiError(404, "Not Found").body(), status=404)

    async def _handle(self, request: web.Request) -> web.Response:
        if request.match_info["token"] != self.token:
            return await self._not_found(request)
        method = request.match_info["method"]
        call = Call(method, await _read_params(request))
        self.calls.append(call)
        self._notify()
        try:
            handler = self._methods.get(method.lower())
            if handler is None:
                raise ApiError(404, "Not Found")
            failures = self._failures.get(method.lower())
            if failures:
                raise failures.popleft()
            result = await handler(call.params)
        except ApiError as error:
            call.status = error.error_code
            response = web.json_response(error.body(), status=error.error_code)
        else:
            call.status = 200
            response = web.json_response({"ok": True, "result": result})
        self._notify()
        return response

    def _notify(self) -> None:
        self._changed.set()
        self._changed = asyncio.Event()

    async def _wait_changed(self, timeout: float) -> None:
        with contextlib.suppress(TimeoutError):
            await asyncio.wait_for(self._changed.wait(), timeout)

    # ----------------------------------------------------------------- model helpers

    def _new_update(self, kind: str, payload: JSONDict) -> JSONDict:
        return {"update_id": next(self._update_ids), kind: payload}

    async def _get_file(self, params: JSONDict) -> JSONDict:
        file_id = str(params.get("file_id"))
        if file_id not in self._user_files:
            raise ApiError(400, "Bad Request: invalid file_id")
        content = self._user_files[file_id]
        return {
            "file_id": file_id,
            "file_unique_id": f"u-{file_id}",
            "file_size": len(content),
            "file_path": f"documents/{file_id}",
        }

    async def _download(self, request: web.Request) -> web.Response:
        if request.match_info["token"] != self.token:
            return web.Response(status=404)
        file_id = request.match_info["path"].removeprefix("documents/")
        content = self._user_files.get(file_id)
        return web.Response(status=404) if content is None else web.Response(body=content)

    def _new_file(self, kind: str) -> JSONDict:
        n = next(self._file_ids)
        return {"file_id": f"{kind}-file-{n}", "file_unique_id": f"{kind}-unique-{n}"}

    def _take_message_id(self, chat_id: int) -> int:
        # One counter per chat shared by user and bot messages, as in private chats.
        message_id = self._next_message_id[chat_id]
        self._next_message_id[chat_id] += 1
        return message_id

    @staticmethod
    def _text_content(text: str) -> JSONDict:
        content: JSONDict = {"text": text}
        if entities := _command_entities(text):
            content["entities"] = entities
        return content

    @staticmethod
    def _user(user_id: int, language_code: str | None) -> JSONDict:
        user: JSONDict = {"id": user_id, "is_bot": False, "first_name": f"User{user_id}"}
        if language_code is not None:
            user["language_code"] = language_code
        return user

    @staticmethod
    def _sender_id(chat_id: int, user_id: int | None, chat_type: str) -> int:
        if chat_type == "private":
            if user_id is not None and user_id != chat_id:
                raise ValueError("in a private chat the chat id is the user id")
            return chat_id
        if user_id is None:
            raise ValueError(f"user_id is required for a {chat_type} chat")
        return user_id

    def _chat(self, chat_id: int, chat_type: str, user: JSONDict) -> JSONDict:
        if chat_type == "private":
            chat = {"id": chat_id, "type": "private", "first_name": user["first_name"]}
        else:
            chat = {"id": chat_id, "type": chat_type, "title": f"Test {chat_type} {chat_id}"}
        self._chats[chat_id] = chat
        return dict(chat)

    @staticmethod
    def _default_chat(chat_id: int) -> JSONDict:
        if chat_id > 0:
            return {"id": chat_id, "type": "private", "first_name": f"User{chat_id}"}
        chat_type = "supergroup" if chat_id < -1_000_000_000_000 else "group"
        return {"id": chat_id, "type": chat_type, "title": f"Test {chat_type} {chat_id}"}

    def _bot_from(self) -> JSONDict:
        return {k: self.bot_user[k] for k in ("id", "is_bot", "first_name", "username")}

    def _target_chat(self, params: JSONDict) -> int:
        chat_id = params.get("chat_id")
        if chat_id is None or chat_id == "":
            raise _bad_request("chat_id is empty")
        if not isinstance(chat_id, int) or isinstance(chat_id, bool):
            raise _bad_request("chat not found")
        if chat_id in self.blocked_chats:
            raise ApiError(403, "Forbidden: bot was blocked by the user")
        return chat_id

    @staticmethod
    def _reply_markup(params: JSONDict, *, inline_only: bool = False) -> JSONDict | None:
        markup = params.get("reply_markup")
        if markup is None:
            return None
        if not isinstance(markup, dict):
            raise _bad_request("can't parse reply keyboard markup JSON object")
        if "inline_keyboard" in markup:
            for row in markup["inline_keyboard"]:
                for button in row:
                    data = button.get("callback_data")
                    if data is not None and not 1 <= len(data.encode()) <= MAX_CALLBACK_DATA_BYTES:
                        raise _bad_request("BUTTON_DATA_INVALID")
        elif inline_only:
            raise _bad_request("inline keyboard expected")
        return markup

    @staticmethod
    def _checked_text(params: JSONDict) -> str:
        text = params.get("text")
        if not isinstance(text, str) or not text.strip():
            raise _bad_request("message text is empty")
        if len(text) > MAX_TEXT_LENGTH:
            raise _bad_request("message is too long")
        return text

    def _store(
        self,
        chat_id: int,
        content: JSONDict,
        markup: JSONDict | None,
        *,
        parse_mode: str | None = None,
        document: UploadedFile | str | None = None,
    ) -> JSONDict:
        message: JSONDict = {
            "message_id": self._take_message_id(chat_id),
            "from": self._bot_from(),
            "chat": dict(self._chats.get(chat_id) or self._default_chat(chat_id)),
            "date": int(time.time()),
            **content,
        }
        stored = _StoredMessage(message, markup, parse_mode=parse_mode, document=document)
        if stored.inline_markup is not None:  # Telegram echoes only inline keyboards
            message["reply_markup"] = stored.inline_markup
        self._messages[chat_id][message["message_id"]] = stored
        self._send_times[chat_id].append(time.monotonic())
        return copy.deepcopy(message)

    def _message_to_edit(self, params: JSONDict) -> _StoredMessage:
        if "inline_message_id" in params:
            raise _bad_request("MESSAGE_ID_INVALID")  # inline messages are not modelled
        chat_id = self._target_chat(params)
        message_id = params.get("message_id")
        stored = self._messages.get(chat_id, {}).get(message_id) if message_id else None
        if stored is None:
            raise _bad_request("message to edit not found")
        return stored

    @staticmethod
    def _apply_edit(stored: _StoredMessage, markup: JSONDict | None) -> JSONDict:
        # Like Telegram, an edit without reply_markup removes the inline keyboard.
        stored.reply_markup = markup
        stored.message.pop("reply_markup", None)
        if markup is not None:
            stored.message["reply_markup"] = markup
        stored.message["edit_date"] = int(time.time())
        stored.edits += 1
        return copy.deepcopy(stored.message)

    @staticmethod
    def _commands_key(scope: Any, language_code: Any) -> tuple[str, str]:
        return json.dumps(scope or {"type": "default"}, sort_keys=True), str(language_code or "")

    def _confirm(self, offset: int) -> None:
        if offset > 0:
            self._pending = [u for u in self._pending if u["update_id"] >= offset]
            self.confirmed_offset = max(self.confirmed_offset, offset)
        elif offset < 0:  # "-N": only the last N updates remain
            self._pending = self._pending[offset:]

    def _deliverable(self) -> list[JSONDict]:
        if self.allowed_updates:  # Telegram does not keep updates of other types
            allowed = set(self.allowed_updates)
            self._pending = [u for u in self._pending if allowed & u.keys()]
        return self._pending

    # ----------------------------------------------------------------- API methods

    async def _get_me(self, params: JSONDict) -> JSONDict:
        return dict(self.bot_user)

    async def _get_updates(self, params: JSONDict) -> list[JSONDict]:
        if self.webhook_url:
            raise ApiError(
                409,
                "Conflict: can't use getUpdates method while webhook is active; "
                "use deleteWebhook to delete the webhook first",
            )
        # A newer getUpdates terminates an older pending one, as in Telegram.
        self._poll_generation += 1
        generation = self._poll_generation
        self._notify()
        if params.get("allowed_updates") is not None:
            self.allowed_updates = list(params["allowed_updates"]) or None
        self._confirm(int(params.get("offset", 0)))
        limit = min(max(int(params.get("limit", 100)), 1), 100)
        loop = asyncio.get_running_loop()
        deadline = loop.time() + float(params.get("timeout", 0))
        while True:
            updates = self._deliverable()
            if updates or self._closing:
                return copy.deepcopy(updates[:limit])
            if generation != self._poll_generation:
                raise ApiError(
                    409,
                    "Conflict: terminated by other getUpdates request; "
                    "make sure that only one bot instance is running",
                )
            remaining = deadline - loop.time()
            if remaining <= 0:
                return []
            await self._wait_changed(remaining)

    async def _set_webhook(self, params: JSONDict) -> bool:
        url = params.get("url", "")
        secret = params.get("secret_token")
        if not isinstance(url, str):
            raise _bad_request("bad webhook: invalid URL")
        if secret is not None and not _SECRET_TOKEN_RE.fullmatch(str(secret)):
            raise _bad_request("secret token contains unallowed characters")
        if params.get("drop_pending_updates") is True:
            self._pending.clear()
        if params.get("allowed_updates") is not None:
            self.allowed_updates = list(params["allowed_updates"]) or None
        self.webhook_url = url or None
        self.webhook_secret = secret if url else None
        return True

    async def _delete_webhook(self, params: JSONDict) -> bool:
        if params.get("drop_pending_updates") is True:
            self._pending.clear()
        self.webhook_url = self.webhook_secret = None
        return True

    async def _get_webhook_info(self, params: JSONDict) -> JSONDict:
        info: JSONDict = {
            "url": self.webhook_url or "",
            "has_custom_certificate": False,
            "pending_update_count": len(self._pending),
        }
        if self.allowed_updates:
            info["allowed_updates"] = list(self.allowed_updates)
        return info

    async def _set_my_commands(self, params: JSONDict) -> bool:
        commands = params.get("commands")
        if not isinstance(commands, list):
            raise _bad_request("can't parse commands JSON object")
        if len(commands) > 100:
            raise _bad_request("BOT_COMMANDS_TOO_MUCH")
        pairs: list[tuple[str, str]] = []
        for command in commands:
            name, description = command.get("command", ""), command.get("description", "")
            if not _COMMAND_NAME_RE.fullmatch(name):
                raise _bad_request("BOT_COMMAND_INVALID")
            if not 1 <= len(description) <= 256:
                raise _bad_request("BOT_COMMAND_DESCRIPTION_INVALID")
            pairs.append((name, description))
        key = self._commands_key(params.get("scope"), params.get("language_code"))
        self._commands[key] = pairs
        return True

    async def _delete_my_commands(self, params: JSONDict) -> bool:
        key = self._commands_key(params.get("scope"), params.get("language_code"))
        self._commands.pop(key, None)
        return True

    async def _get_my_commands(self, params: JSONDict) -> list[JSONDict]:
        key = self._commands_key(params.get("scope"), params.get("language_code"))
        return [{"command": c, "description": d} for c, d in self._commands.get(key, [])]

    async def _send_message(self, params: JSONDict) -> JSONDict:
        chat_id = self._target_chat(params)
        text = self._checked_text(params)
        markup = self._reply_markup(params)
        return self._store(chat_id, {"text": text}, markup, parse_mode=params.get("parse_mode"))

    async def _edit_message_text(self, params: JSONDict) -> JSONDict:
        stored = self._message_to_edit(params)
        text = self._checked_text(params)
        markup = self._reply_markup(params, inline_only=True)
        if "text" not in stored.message:
            raise _bad_request("there is no text in the message to edit")
        if text == stored.message["text"] and markup == stored.inline_markup:
            raise ApiError(400, NOT_MODIFIED)
        stored.message["text"] = text
        stored.parse_mode = params.get("parse_mode")
        return self._apply_edit(stored, markup)

    async def _edit_message_reply_markup(self, params: JSONDict) -> JSONDict:
        stored = self._message_to_edit(params)
        markup = self._reply_markup(params, inline_only=True)
        if markup == stored.inline_markup:
            raise ApiError(400, NOT_MODIFIED)
        return self._apply_edit(stored, markup)

    async def _answer_callback_query(self, params: JSONDict) -> bool:
        query_id = params.get("callback_query_id")
        if query_id not in self._open_callbacks:  # unknown or already answered
            raise _bad_request("query is too old and response timeout expired or query ID is invalid")
        self._open_callbacks.discard(query_id)
        self.callback_answers[query_id] = dict(params)
        return True

    async def _send_chat_action(self, params: JSONDict) -> bool:
        self._target_chat(params)
        if params.get("action") not in _CHAT_ACTIONS:
            raise _bad_request("wrong parameter action in request")
        return True

    async def _send_document(self, params: JSONDict) -> JSONDict:
        chat_id = self._target_chat(params)
        document = params.get("document")
        info: JSONDict = self._new_file("document")
        if isinstance(document, UploadedFile):
            info |= {"mime_type": document.content_type, "file_size": len(document.data)}
            if document.filename:
                info["file_name"] = document.filename
        elif not isinstance(document, str) or not document:
            raise _bad_request("there is no document in the request")
        content: JSONDict = {"document": info}
        if params.get("caption"):
            content["caption"] = params["caption"]
        return self._store(
            chat_id,
            content,
            self._reply_markup(params),
            parse_mode=params.get("parse_mode"),
            document=document,
        )
