"""WhatsApp's 24-hour customer-service window: free-form messages inside it, approved templates outside.

Meta lets a business write freely only within 24 h of the customer's last message. Outside that
window the bot sends the template registered for the message's purpose (invitation, reminder,
follow-up), whose quick-reply buttons carry the same payloads as the free-form buttons. What no
template can carry (an agent's answer) is held and delivered when the customer next writes; a
`ticket` template tells them something is waiting. Without a usable template a message is held.
"""

from __future__ import annotations

import hashlib
import json
import logging
from collections import OrderedDict
from collections.abc import Callable
from dataclasses import dataclass, field
from datetime import UTC, datetime, timedelta
from typing import Protocol

from bot.dispatch import Channel
from conversations.turn import Reply
from core.events import InboundEvent, Outbound
from core.payloads import ShowHeld
from storage.store import Store

log = logging.getLogger("bot.service_window")
WINDOW = timedelta(hours=24)
MARGIN = timedelta(minutes=10)  # a message sent at the very edge must not arrive after it closes
# A chat's window is written at most once per REFRESH by a worker: every answer wrote it before, a
# round trip on each reply's path. The stored time may then lag by up to REFRESH, so the window is
# taken to close that much earlier: a message at its very end goes as a template instead, never the
# other way round.
REFRESH = timedelta(minutes=5)
CHATS_REMEMBERED = 10_000


@dataclass(slots=True)
class _Written:
    at: datetime
    """The customer's message time this worker last stored for the chat."""
    taken: bool = False
    """Held messages were looked for since then."""


class TemplateChannel(Channel, Protocol):
    async def send_template(
        self, chat_key: str, *, name: str, language: str, values: list[str], payloads: list[str]
    ) -> None: ...


@dataclass(frozen=True, slots=True)
class Templates:
    names: dict[str, str] = field(default_factory=dict)
    """Purpose → the approved template's name."""
    languages: dict[str, str] = field(default_factory=dict)
    """The bot's language code → the template's language code at Meta (e.g. pt → pt_BR)."""
    default_language: str = "en"

    def language_code(self, language: str) -> str | None:
        return self.languages.get(language) or self.languages.get(self.default_language)


class WindowedChannel:
    """Wraps a channel adapter with the window rule; the adapter itself only translates."""

    def __init__(
        self,
        inner: TemplateChannel,
        *,
        store: Store,
        templates: Templates,
        clock: Callable[[], datetime] = lambda: datetime.now(UTC),
    ) -> None:
        self._inner = inner
        self.name = inner.name
        self._store = store
        self._templates = templates
        self._clock = clock
        self._written: OrderedDict[str, _Written] = OrderedDict()

    async def customer_wrote(self, event: InboundEvent) -> None:
        now = self._clock()
        sent = event.sent_at
        # The platform's time when plausible: a message redelivered hours later opened the window then.
        at = min(now, datetime.fromtimestamp(sent, UTC)) if isinstance(sent, int) and sent > 0 else now
        written = self._written.get(event.chat_key)
        if written is not None and at <= written.at + REFRESH:
            return
        await self._store.windows.customer_wrote(channel=self.name, chat_key=event.chat_key, at=at)
        self._written[event.chat_key] = _Written(at)
        self._written.move_to_end(event.chat_key)
        while len(self._written) > CHATS_REMEMBERED:
            self._written.popitem(last=False)

    async def window_open(self, chat_key: str) -> bool:
        last = await self._store.windows.last_inbound(channel=self.name, chat_key=chat_key)
        if last is None:
            return False
        if last.tzinfo is None:
            last = last.replace(tzinfo=UTC)
        return self._clock() < last + WINDOW - MARGIN

    async def deliver(self, event: InboundEvent, reply: Reply) -> None:
        """A reply to the customer's message; whatever was held for them goes first."""
        written = self._written.get(event.chat_key)
        # Only a closed window holds messages, and since this worker stored the window open and
        # looked, it has stayed open: nothing new can have been held (a send that found it closed
        # just before and held after the look waits for the next refresh).
        if written is None or not written.taken:
            held = await self._store.held.take(channel=self.name, chat_key=event.chat_key)
            if written is not None:
                written.taken = True
            if held:
                await self._inner.send(event.chat_key, [Outbound.from_document(doc) for doc in held])
        await self._inner.deliver(event, reply)

    async def fetch(self, ref: str) -> bytes | None:
        return await self._inner.fetch(ref)

    async def send(self, chat_key: str, messages: list[Outbound]) -> None:
        if await self.window_open(chat_key):
            await self._inner.send(chat_key, messages)
            return
        notices: dict[tuple[str, ...], Outbound] = {}
        for message in messages:
            why = message.unprompted
            name = self._templates.names.get(why.purpose) if why else None
            language = self._templates.language_code(why.language) if why else None
            if why is None or why.purpose == "ticket" or not name or not language:
                await self._hold(chat_key, message)
                if why is not None and why.purpose == "ticket":
                    notices[why.values] = message
                else:
                    log.info("message held until the customer writes: no template for it")
                continue
            payloads = [choice.payload for row in message.choices for choice in row]
            await self._inner.send_template(
                chat_key, name=name, language=language, values=list(why.values), payloads=payloads
            )
        for message in notices.values():
            await self._notify(chat_key, message)

    async def _hold(self, chat_key: str, message: Outbound) -> None:
        document = message.to_document()
        # The same message to the same chat is held once, however often a failing job retries.
        digest = hashlib.sha256(json.dumps([chat_key, document], sort_keys=True).encode()).hexdigest()[:24]
        await self._store.held.hold(
            channel=self.name, chat_key=chat_key, message_id=digest, message=document, at=self._clock()
        )

    async def _notify(self, chat_key: str, message: Outbound) -> None:
        why = message.unprompted
        assert why is not None
        name = self._templates.names.get("ticket")
        language = self._templates.language_code(why.language)
        if not name or not language:
            log.info("ticket news held without a notice: no ticket template configured")
            return
        await self._inner.send_template(
            chat_key, name=name, language=language, values=list(why.values), payloads=[ShowHeld().pack()]
        )
