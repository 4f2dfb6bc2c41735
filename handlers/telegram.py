"""Telegram adapter: Bot API updates ⇄ InboundEvent / Outbound, over python-telegram-bot as transport."""

from __future__ import annotations

import asyncio
import dataclasses
import hmac
import json
import logging
import warnings
from collections import OrderedDict
from collections.abc import Awaitable, Callable
from datetime import timedelta
from typing import Any

from aiohttp import web
from telegram import (
    Bot,
    BotCommand,
    InlineKeyboardButton,
    InlineKeyboardMarkup,
    InputFile,
    Message,
    Update,
)
from telegram.constants import MessageLimit
from telegram.error import BadRequest, Forbidden, NetworkError, RetryAfter, TelegramError, TimedOut
from telegram.warnings import PTBDeprecationWarning

from conversations.turn import Reply
from core.events import Attachment, Choice, EventKind, InboundEvent, Outbound
from handlers.http_input import RefusalLog, header_bytes
from handlers.pacing import Pacer
from handlers.telegram_transport import AiohttpRequest
from locales.catalog import Catalogs

log = logging.getLogger("handlers.telegram")
_refusals = RefusalLog(log)
CHANNEL = "telegram"
SECRET_HEADER = "X-Telegram-Bot-Api-Secret-Token"
MAX_TEXT_IN = 8192
MAX_FETCH_BYTES = 20_000_000  # the Bot API's own download limit
MAX_DOCUMENT_BYTES = 200_000  # an admin's questionnaire YAML; larger uploads are not read
MAX_SEND_ATTEMPTS = 4
KEYBOARDS_REMEMBERED = 10_000  # chats whose current buttons this process knows
TIDY_AT_CLOSE_SECONDS = 2.0  # a stopping worker finishes the tidying it can in this long
COMMANDS = ("start", "complain", "language", "help", "stop", "mydata", "delete")
ALLOWED_UPDATES = ["message", "edited_message", "callback_query"]
Submit = Callable[[InboundEvent], Awaitable[bool]]


def make_bot(
    *,
    token: str,
    base_url: str,
    poll_timeout: int = 30,
    base_file_url: str = "https://api.telegram.org/file/bot",
) -> Bot:
    # getUpdates holds the connection for the poll timeout, so reads must be allowed to last longer.
    polling = AiohttpRequest(pool_size=2, read_timeout=poll_timeout + 10)
    sending = AiohttpRequest(pool_size=64, read_timeout=20, write_timeout=20, connect_timeout=10)
    return Bot(
        token=token,
        base_url=base_url,
        base_file_url=base_file_url,
        request=sending,
        get_updates_request=polling,
    )


def to_event(update: Update) -> InboundEvent | None:
    """The event an update carries, or None for updates the bot ignores or cannot read.

    python-telegram-bot builds objects without checking field types, so a forged update can carry a
    dict where text belongs: anything not shaped as the Bot API documents is ignored (logged).
    """
    try:
        return _to_event(update)
    except (AttributeError, TypeError, ValueError, KeyError, IndexError) as error:
        log.warning("unreadable Telegram update %s ignored (%s)", update.update_id, type(error).__name__)
        return None


def _to_event(update: Update) -> InboundEvent | None:
    event_id = str(update.update_id)
    query = update.callback_query
    if query is not None:
        message = query.message
        # de_json accepts objects with required parts missing; such an update is nobody's message.
        if message is None or message.chat is None or query.from_user is None:
            return None
        if message.chat.type != "private" or not isinstance(query.data, str) or not query.data:
            return None
        if not _ids(message.chat.id, query.from_user.id):
            raise TypeError("chat or user id is not a number")
        return InboundEvent(
            kind=EventKind.BUTTON,
            channel=CHANNEL,
            chat_key=str(message.chat.id),
            user_key=str(query.from_user.id),
            event_id=event_id,
            text=query.data[:64],
            message_ref=str(message.message_id),
            language_hint=_text_or_none(query.from_user.language_code),
            ack_ref=str(query.id),
        )
    message = update.message
    # Edits of earlier messages, channel posts and group chats are not conversations with a customer.
    if message is None or message.chat is None or message.from_user is None:
        return None
    if message.chat.type != "private":
        return None
    if not _ids(message.chat.id, message.from_user.id):
        raise TypeError("chat or user id is not a number")
    if not isinstance(message.text, str | None) or not isinstance(message.caption, str | None):
        raise TypeError("text is not a string")
    common: dict[str, Any] = {
        "channel": CHANNEL,
        "chat_key": str(message.chat.id),
        "user_key": str(message.from_user.id),
        "event_id": event_id,
        "language_hint": _text_or_none(message.from_user.language_code),
    }
    if message.text is not None:
        command = _command(message)
        if command is not None:
            name, argument = command
            return InboundEvent(kind=EventKind.COMMAND, command=name, text=argument, **common)
        return InboundEvent(kind=EventKind.TEXT, text=message.text[:MAX_TEXT_IN], **common)
    caption_command = _caption_command(message)
    if message.document is not None and caption_command is not None:
        name, argument = caption_command
        document = Attachment("document", message.document.file_id, message.document.file_size or 0)
        return InboundEvent(
            kind=EventKind.COMMAND, command=name, text=argument, attachment=document, **common
        )
    if message.photo or message.document or message.video:
        kind = "photo" if message.photo else "document" if message.document else "video"
        file_id = message.photo[-1].file_id if message.photo else (message.document or message.video).file_id  # type: ignore[union-attr]
        return InboundEvent(kind=EventKind.MEDIA, text=kind, attachment=Attachment(kind, file_id), **common)
    return InboundEvent(kind=EventKind.UNSUPPORTED, text=_content_kind(message), **common)


def _ids(*values: object) -> bool:
    return all(isinstance(v, int) and not isinstance(v, bool) for v in values)


def _text_or_none(value: object) -> str | None:
    return value[:16] if isinstance(value, str) else None


def _command(message: Message) -> tuple[str, str] | None:
    text = message.text or ""
    entity = next((e for e in message.entities if e.type == "bot_command" and e.offset == 0), None)
    if entity is None:
        return None
    name = text[1 : entity.length].split("@", 1)[0].lower()
    return name, text[entity.length :].strip()


def _caption_command(message: Message) -> tuple[str, str] | None:
    caption = message.caption or ""
    entity = next((e for e in message.caption_entities if e.type == "bot_command" and e.offset == 0), None)
    if entity is None:
        return None
    return caption[1 : entity.length].split("@", 1)[0].lower(), caption[entity.length :].strip()


def _content_kind(message: Message) -> str:
    for kind in ("sticker", "voice", "audio", "video_note", "animation", "location", "contact", "poll"):
        if getattr(message, kind, None):
            return kind
    return "other"


def _markup(choices: tuple[tuple[Choice, ...], ...]) -> InlineKeyboardMarkup | None:
    if not choices:
        return None
    return InlineKeyboardMarkup(
        [[InlineKeyboardButton(c.label, callback_data=c.payload) for c in row] for row in choices]
    )


def _chunks(text: str, limit: int = MessageLimit.MAX_TEXT_LENGTH) -> list[str]:
    """Split at line breaks so no message exceeds Telegram's length limit."""
    if len(text) <= limit:
        return [text]
    parts: list[str] = []
    current = ""
    for line in text.splitlines(keepends=True):
        while len(line) > limit:
            parts.append(line[:limit])
            line = line[limit:]
        if len(current) + len(line) > limit:
            parts.append(current)
            current = ""
        current += line
    if current:
        parts.append(current)
    return parts


def _retry_seconds(error: RetryAfter) -> float:
    # PTB 22 warns that `retry_after` becomes a timedelta; both forms are handled here.
    with warnings.catch_warnings():
        warnings.simplefilter("ignore", PTBDeprecationWarning)
        value: int | timedelta = error.retry_after
    return value.total_seconds() if isinstance(value, timedelta) else float(value)


class TelegramChannel:
    """Sends replies with pacing and retries; edits in place where the engine asks to."""

    name = CHANNEL

    def __init__(self, *, bot: Bot, pacer: Pacer) -> None:
        self.bot = bot
        self._pacer = pacer
        # The messages whose buttons answer a chat's current question, as this process sent them
        # (a best effort: another worker or a restart leaves old buttons until they are pressed).
        self._keyboards: OrderedDict[str, tuple[int, ...]] = OrderedDict()
        # Tidying (old buttons off, cosmetic edits) runs after the reply, in spare message capacity.
        self._tidying: set[asyncio.Task[None]] = set()
        self._closed = False

    async def close(self) -> None:
        """Stop tidying, after a moment to finish: what is left undone leaves old buttons, which the
        dialogue still answers."""
        self._closed = True
        if self._tidying:
            await asyncio.wait(list(self._tidying), timeout=TIDY_AT_CLOSE_SECONDS)
        for task in self._tidying:
            task.cancel()
        await asyncio.gather(*self._tidying, return_exceptions=True)

    async def settled(self) -> None:
        """Until the tidying started so far is done (tests look at the chat after it)."""
        while self._tidying:
            await asyncio.gather(*self._tidying, return_exceptions=True)

    async def deliver(self, event: InboundEvent, reply: Reply) -> None:
        callback_id = event.ack_ref if event.kind is EventKind.BUTTON else None
        # The acknowledgement only stops the button's spinner: it goes alongside the reply rather
        # than one round trip ahead of it.
        acknowledged = (
            asyncio.create_task(
                self._call(
                    event.chat_key,
                    lambda: self.bot.answer_callback_query(callback_id, text=reply.notice),
                    into_chat=False,
                ),
                name="answer-callback",
            )
            if callback_id
            else None
        )
        try:
            await self._reply(event, reply)
        finally:
            if acknowledged is not None:
                await acknowledged

    async def _reply(self, event: InboundEvent, reply: Reply) -> None:
        known = self._keyboards.pop(event.chat_key, None)  # None: this process does not know them
        stale = self._superseded(event, reply, known)
        shown: list[int] = []
        touched: set[int] = set()
        later: list[Outbound] = []
        for outbound in reply.messages:
            if outbound.cosmetic and outbound.edit_ref is not None and outbound.edit_ref.isdigit():
                later.append(outbound)
                touched.add(int(outbound.edit_ref))
                continue
            message_id = await self._send(event.chat_key, outbound)
            if message_id is not None:
                touched.add(message_id)
                if outbound.choices:
                    shown.append(message_id)
        self._remember(event, reply, known, shown, touched)
        # After the reply, in spare capacity: at Telegram's ~30 messages/s for the whole bot these
        # would take messages the next questions need (one per answer is the budget). The reply's
        # own message is then the event's last call, so a worker killed after it has the shortest
        # time left before the event is marked done.
        if stale or later:
            if self._closed:
                await self._tidy(event.chat_key, stale, later, spare=False)
                return
            task = asyncio.create_task(self._tidy(event.chat_key, stale, later, spare=True), name="tidy")
            self._tidying.add(task)
            task.add_done_callback(self._tidying.discard)

    async def _tidy(self, chat_key: str, stale: list[int], later: list[Outbound], *, spare: bool) -> None:
        try:
            await self._retire(chat_key, stale, spare=spare)
            for outbound in later:
                await self._send(chat_key, outbound, spare=spare)
        except Exception as error:  # cosmetic: a failure leaves old buttons the dialogue still answers
            log.info("tidying a chat failed (%s)", type(error).__name__)

    @staticmethod
    def _moved_on(event: InboundEvent, reply: Reply) -> bool:
        # A typed answer the bot moved on from without asking anything with buttons (the thanks after
        # the last question). A question the bot could not read comes again with its buttons.
        shows = any(outbound.choices for outbound in reply.messages)
        return not shows and event.kind is EventKind.TEXT and bool(reply.messages) and not reply.notice

    def _superseded(self, event: InboundEvent, reply: Reply, known: tuple[int, ...] | None) -> list[int]:
        """Messages whose buttons the reply makes stale, and a stale button just pressed."""
        edited = {int(o.edit_ref) for o in reply.messages if o.edit_ref is not None and o.edit_ref.isdigit()}
        replaced = any(outbound.choices for outbound in reply.messages) or self._moved_on(event, reply)
        stale = [m for m in known or () if m not in edited] if replaced and not reply.keep_buttons else []
        pressed = event.message_ref if event.kind is EventKind.BUTTON else None
        if (
            pressed is not None
            and pressed.isdigit()
            and reply.notice
            and not reply.messages
            and known is not None  # only when this process knows which buttons are current
            and int(pressed) not in known
        ):
            stale.append(int(pressed))
        return stale

    def _remember(
        self,
        event: InboundEvent,
        reply: Reply,
        known: tuple[int, ...] | None,
        shown: list[int],
        touched: set[int],
    ) -> None:
        """The messages whose buttons are current in the chat once the reply is out."""
        if shown or reply.keep_buttons:
            current: tuple[int, ...] | None = tuple(shown)  # kept buttons are the engine's to answer
        elif self._moved_on(event, reply):
            current = ()
        else:
            current = None if known is None else tuple(m for m in known if m not in touched)
        if current is not None:
            self._keyboards[event.chat_key] = current
            while len(self._keyboards) > KEYBOARDS_REMEMBERED:
                self._keyboards.popitem(last=False)

    async def _retire(self, chat_key: str, stale: list[int], *, spare: bool) -> None:
        """Take buttons off messages whose buttons no longer answer anything."""
        for message_id in stale:
            await self._call(
                chat_key,
                lambda message_id=message_id: self.bot.edit_message_reply_markup(  # type: ignore[misc]
                    chat_id=int(chat_key), message_id=message_id, reply_markup=None
                ),
                quiet_refusal=True,
                spare=spare,
            )

    async def fetch(self, ref: str) -> bytes | None:
        """The bytes of a file the customer sent (a complaint's photo), by its file id."""
        try:
            telegram_file = await self.bot.get_file(ref)
            if (telegram_file.file_size or 0) > MAX_FETCH_BYTES:
                return None
            return bytes(await telegram_file.download_as_bytearray())
        except BadRequest:
            log.info("a customer's file is no longer available")
            return None

    async def send(self, chat_key: str, messages: list[Outbound]) -> None:
        """Messages the customer did not ask for just now (an agent's answer, a follow-up)."""
        for outbound in messages:
            await self._send(chat_key, outbound)

    async def _send(self, chat_key: str, outbound: Outbound, *, spare: bool = False) -> int | None:
        """Sends or edits; the id of the message that now shows `outbound` (its last piece)."""
        markup = _markup(outbound.choices)
        chat_id = int(chat_key)
        if outbound.edit_ref is not None and len(outbound.text) <= MessageLimit.MAX_TEXT_LENGTH:
            message_id = int(outbound.edit_ref)
            try:
                await self._call(
                    chat_key,
                    lambda: self.bot.edit_message_text(
                        outbound.text, chat_id=chat_id, message_id=message_id, reply_markup=markup
                    ),
                    raise_bad_request=True,
                    spare=spare,
                )
                return message_id
            except BadRequest as error:
                if "not modified" in str(error).lower():
                    return message_id
                if outbound.cosmetic:
                    return None  # what it restates is in the chat already; not worth a new message
                log.info("editing message failed (%s); sending a new one", type(error).__name__)
        pieces = _chunks(outbound.text)
        sent: object = None
        for index, piece in enumerate(pieces):
            last = index == len(pieces) - 1
            sent = await self._call(
                chat_key,
                lambda piece=piece, last=last: self.bot.send_message(  # type: ignore[misc]
                    chat_id, piece, reply_markup=markup if last else None
                ),
            )
        if outbound.document is not None:
            name, content = outbound.document
            await self._call(
                chat_key,
                lambda: self.bot.send_document(chat_id, InputFile(content.encode(), filename=name)),
            )
        return sent.message_id if isinstance(sent, Message) else None

    async def _call(
        self,
        chat_key: str,
        request: Callable[[], Awaitable[object]],
        *,
        raise_bad_request: bool = False,
        into_chat: bool = True,
        quiet_refusal: bool = False,
        spare: bool = False,
    ) -> object:
        """Paced and retried; the API's answer, or None when it refused. Calls that put no message
        into a chat (`into_chat=False`, acknowledging a button press) fall outside Telegram's message
        limits and are not paced. `quiet_refusal`: a refusal is expected (the message is too old to
        edit, or was edited already) and logged at debug. `spare`: it waits for spare capacity."""
        for attempt in range(1, MAX_SEND_ATTEMPTS + 1):
            if spare:
                await self._pacer.wait_spare(chat_key)
            elif into_chat:
                await self._pacer.wait(chat_key)
            try:
                return await request()
            except RetryAfter as error:
                delay = _retry_seconds(error)
                log.warning("Telegram asked to retry after %.1f s", delay)
                self._pacer.retry_after(chat_key, delay)
            except BadRequest:
                if raise_bad_request:
                    raise
                log.log(
                    logging.DEBUG if quiet_refusal else logging.WARNING,
                    "Telegram refused a request (bad request); not retried",
                )
                return None
            except Forbidden:
                log.info("the customer blocked the bot; reply dropped")
                return None
            except (TimedOut, NetworkError) as error:
                if attempt == MAX_SEND_ATTEMPTS:
                    raise
                log.warning("Telegram unreachable (%s); retrying", type(error).__name__)
                await asyncio.sleep(min(2.0**attempt, 10.0))
        raise TelegramError("Telegram kept asking to retry later")


async def register_commands(bot: Bot, catalogs: Catalogs) -> None:
    """Publish the command menu per language; a failure here must not stop the bot."""
    try:
        for language in catalogs.languages:
            commands = [BotCommand(c, catalogs.text(language, f"command.{c}")) for c in COMMANDS]
            code = None if language == "en" else language
            await bot.set_my_commands(commands, language_code=code)
    except TelegramError as error:
        log.warning("could not register the command menu (%s); continuing", type(error).__name__)


class TelegramPoller:
    """Long polling: an update's offset is confirmed only after the update is stored."""

    def __init__(self, *, bot: Bot, submit: Submit, timeout: int) -> None:
        self._bot = bot
        self._submit = submit
        self._timeout = timeout
        self._offset: int | None = None

    async def run(self) -> None:
        await self._bot.delete_webhook(drop_pending_updates=False)
        backoff = 1.0
        while True:
            try:
                updates = await self._bot.get_updates(
                    offset=self._offset, timeout=self._timeout, allowed_updates=ALLOWED_UPDATES
                )
                backoff = 1.0
            except RetryAfter as error:
                await asyncio.sleep(_retry_seconds(error))
                continue
            except TelegramError as error:
                log.warning("getUpdates failed (%s); retrying in %.0f s", type(error).__name__, backoff)
                await asyncio.sleep(backoff)
                backoff = min(backoff * 2, 30.0)
                continue
            if not updates:
                continue
            try:
                self._offset = await self._store(updates)
            except Exception as error:
                # Not stored means not confirmed: Telegram serves the update again on the next call.
                log.error("could not store an update (%s); retrying in %.0f s", type(error).__name__, backoff)
                await asyncio.sleep(backoff)
                backoff = min(backoff * 2, 30.0)

    async def _store(self, updates: tuple[Update, ...]) -> int:
        """Store a batch; the offset that confirms it. On a failure, the updates before the first one
        not stored are confirmed (kept in `_offset`) and the error raised."""
        # Documents are fetched first, so the events reach the inbox in the batch's order (one chat's
        # updates queue as sent), all at once: the inbox stores them in one command.
        events = await asyncio.gather(*(_event_of(update) for update in updates))
        readable = [
            (update, event) for update, event in zip(updates, events, strict=True) if event is not None
        ]
        outcomes = await asyncio.gather(
            *(self._submit(event) for _, event in readable), return_exceptions=True
        )
        for (update, _), outcome in zip(readable, outcomes, strict=True):
            if isinstance(outcome, BaseException):
                self._offset = update.update_id
                raise outcome
        return updates[-1].update_id + 1


async def _event_of(update: Update) -> InboundEvent | None:
    event = to_event(update)  # never raises: an unreadable update is skipped, not retried for ever
    if event is None:
        log.debug("update %s ignored", update.update_id)
        return None
    return await _with_document(update, event)


async def _accept(update: Update, submit: Submit) -> None:
    event = await _event_of(update)
    if event is not None:
        await submit(event)


async def _with_document(update: Update, event: InboundEvent) -> InboundEvent:
    """A command sent as a file's caption (an admin's YAML) gets the file's text after its first line.

    Read here, before the event is stored, so the stored event is complete and replays need no
    network; only small text files are read.
    """
    document = event.attachment
    if event.kind is not EventKind.COMMAND or document is None:
        return event
    if document.size > MAX_DOCUMENT_BYTES:
        refused = dataclasses.replace(document, refused="too large")
        return dataclasses.replace(event, text=f"{event.text}\n", attachment=refused)
    bot = update.get_bot()
    data = await (await bot.get_file(document.ref)).download_as_bytearray()
    text = bytes(data[:MAX_DOCUMENT_BYTES]).decode("utf-8", errors="replace")
    return dataclasses.replace(event, text=f"{event.text}\n{text}")


def webhook_handler(
    *, bot: Bot, secret: str, submit: Submit
) -> Callable[[web.Request], Awaitable[web.Response]]:
    """`POST /webhooks/telegram`: 200 only once the update is stored, so Telegram redelivers otherwise."""

    async def handle(request: web.Request) -> web.Response:
        # As bytes: a header byte such as 0xff must be a wrong secret (403), not an encoding error.
        if not hmac.compare_digest(header_bytes(request, SECRET_HEADER), secret.encode()):
            _refusals.warn("Telegram webhook call with a wrong secret token rejected")
            return web.json_response({"ok": False, "error": "forbidden"}, status=403)
        try:
            data = await request.json(loads=json.loads)
            if not isinstance(data, dict):
                raise ValueError("update is not an object")
            update = Update.de_json(data, bot)
        except Exception as error:  # a malformed body must never take the server down
            _refusals.warn(f"malformed Telegram update rejected ({type(error).__name__})")
            return web.json_response({"ok": False, "error": "malformed update"}, status=400)
        await _accept(update, submit)
        return web.json_response({"ok": True})

    return handle
