"""The terminal chat: numbered buttons, and documents over several lines for admin commands."""

from __future__ import annotations

import io

from core.events import EventKind, InboundEvent
from handlers.console import ConsoleChannel


async def test_an_admin_document_is_read_up_to_the_dot_line() -> None:
    console = ConsoleChannel(output=io.StringIO())
    received: list[InboundEvent] = []

    async def submit(event: InboundEvent) -> bool:
        received.append(event)
        return False  # nothing to wait for

    lines = "/admin new yaml\nid: x\nversion: 1\n.\n/admin new\nyour repair\n/admin list\n/quit\n"
    await console.run(submit, input_stream=io.StringIO(lines))
    assert [(e.kind, e.command, e.text) for e in received] == [
        (EventKind.COMMAND, "admin", "new yaml\nid: x\nversion: 1"),
        (EventKind.COMMAND, "admin", "new"),  # the guided builder: the next line is its first answer
        (EventKind.TEXT, "", "your repair"),
        (EventKind.COMMAND, "admin", "list"),
    ]
