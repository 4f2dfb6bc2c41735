"""A chat with the bot in the terminal: the same engine and storage, for trying it without any token."""

from __future__ import annotations

import asyncio
import itertools
import os
import sys
from collections.abc import Awaitable, Callable
from typing import Any, TextIO

from conversations.turn import Reply
from core.events import Choice, EventKind, InboundEvent, Outbound
from handlers.console_input import LineReader

CHANNEL = "console"
Submit = Callable[[InboundEvent], Awaitable[bool]]


def _language_hint() -> str | None:
    for name in ("LC_ALL", "LC_MESSAGES", "LANG"):
        value = os.environ.get(name, "")
        if value and value not in {"C", "POSIX"} and not value.startswith("C."):
            return value.split(".", 1)[0]
    return None


class ConsoleChannel:
    """Buttons become numbered options; typing a number presses the button."""

    name = CHANNEL

    def __init__(self, *, output: TextIO = sys.stdout, chat_key: str = "local") -> None:
        self._output = output
        self.chat_key = chat_key
        self._messages: dict[str, str] = {}
        self._refs = itertools.count(1)
        self._options: list[tuple[Choice, str]] = []
        self._events = itertools.count(1)
        self._session = os.urandom(4).hex()
        self.replied = asyncio.Event()

    async def deliver(self, event: InboundEvent, reply: Reply) -> None:
        if reply.notice:
            self._print(f"  ({reply.notice})")
        for outbound in reply.messages:
            self._show(outbound)
        self.replied.set()

    async def fetch(self, ref: str) -> bytes | None:
        return None  # nobody sends files from a terminal

    async def send(self, chat_key: str, messages: list[Outbound]) -> None:
        for outbound in messages:
            self._show(outbound)

    def _show(self, outbound: Outbound) -> None:
        if outbound.edit_ref is not None and outbound.edit_ref in self._messages:
            # An edit shows only what it added: the answered question is already on screen.
            before = set(self._messages[outbound.edit_ref].splitlines())
            added = [line for line in outbound.text.splitlines() if line not in before]
            self._messages[outbound.edit_ref] = outbound.text
            ref = outbound.edit_ref
            if added:
                self._print("\n".join(added))
        else:
            ref = str(next(self._refs))
            self._messages[ref] = outbound.text
            self._print("\n" + outbound.text)
        if outbound.document is not None:
            name, content = outbound.document
            self._print(f"--- {name} ---\n{content.rstrip()}\n--- end of {name} ---")
        if outbound.choices:
            self._options = [(choice, ref) for row in outbound.choices for choice in row]
            listing = "   ".join(f"[{n}] {c.label}" for n, (c, _) in enumerate(self._options, start=1))
            self._print(listing)
        elif outbound.edit_ref is not None and any(ref == r for _, r in self._options):
            self._options = []

    def _print(self, text: str) -> None:
        self._output.write(text + "\n")
        self._output.flush()

    def to_event(self, line: str) -> InboundEvent | None:
        text = line.strip()
        if not text:
            return None
        common: dict[str, Any] = {
            "channel": CHANNEL,
            "chat_key": self.chat_key,
            "user_key": self.chat_key,
            "event_id": f"{self._session}-{next(self._events)}",
            "language_hint": _language_hint(),
        }
        if text.startswith("/"):
            name, _, argument = text[1:].partition(" ")
            return InboundEvent(kind=EventKind.COMMAND, command=name.lower(), text=argument.strip(), **common)
        # A button whose label is exactly what was typed (the 0–10 scale) wins over its position.
        exact = [(c, r) for c, r in self._options if c.label.casefold() == text.casefold()]
        if exact:
            choice, ref = exact[0]
            return InboundEvent(kind=EventKind.BUTTON, text=choice.payload, message_ref=ref, **common)
        if text.isdigit() and 1 <= int(text) <= len(self._options):
            choice, ref = self._options[int(text) - 1]
            return InboundEvent(kind=EventKind.BUTTON, text=choice.payload, message_ref=ref, **common)
        return InboundEvent(kind=EventKind.TEXT, text=text, **common)

    async def run(self, submit: Submit, *, input_stream: TextIO = sys.stdin) -> None:
        """Read lines until end of input or /quit; every line goes through the normal pipeline."""
        self._print(
            "Feedback Bot — console chat. Type /start to begin, a number to press a button, /quit to leave."
        )
        reader = LineReader(input_stream)
        while True:
            line = await reader.readline()
            if not line or line.strip() in {"/quit", "/exit"}:
                return
            if _takes_document(line):
                # A document follows on the next lines, up to a line holding a single ".".
                lines = [line.rstrip("\n")]
                while (more := await reader.readline()) and more.strip() != ".":
                    lines.append(more.rstrip("\n"))
                line = "\n".join(lines)
            event = self.to_event(line)
            if event is None:
                continue
            self.replied.clear()
            if await submit(event):
                await self.replied.wait()


def _takes_document(line: str) -> bool:
    """`/admin new yaml` and `/admin add <id>` are followed by YAML lines (`/admin new` alone opens the
    guided builder, whose answers are single lines)."""
    words = line.split()
    if words[:2] == ["/admin", "new"]:
        return words[2:] == ["yaml"]
    return len(words) >= 2 and words[0] == "/admin" and words[1] == "add"
