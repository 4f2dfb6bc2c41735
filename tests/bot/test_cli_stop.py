"""Ctrl-C or SIGTERM stops `feedback-bot run` with its terminal chat, without anyone pressing Enter.

stdin stays open and silent throughout (as a terminal nobody types in); a web chat tab is connected.
The generous wait below only keeps a broken build from hanging the suite: before the fix the process
never exited without a keypress.
"""

from __future__ import annotations

import asyncio
import os
import signal
import subprocess
from pathlib import Path

import aiohttp
import pytest

from storage.data_lock import LOCK_NAME
from tests.bot.cli_support import running_bot

HANG_GUARD_SECONDS = 60


async def _open_tab(url: str) -> tuple[aiohttp.ClientSession, aiohttp.ClientWebSocketResponse]:
    session = aiohttp.ClientSession()
    socket = await session.ws_connect(url + "/ws", origin=url.rsplit("/chat", 1)[0])
    await socket.send_json({"type": "hello", "token": None, "language": "en"})
    assert (await socket.receive_json())["type"] == "welcome"
    assert (await socket.receive_json())["type"] == "history"  # the tab is fully open
    return session, socket


def _stop(process: subprocess.Popen[str], how: str) -> None:
    if how == "ctrl-c":
        os.killpg(process.pid, signal.SIGINT)  # a terminal's Ctrl-C reaches the whole foreground group
    else:
        process.send_signal(signal.SIGTERM)


@pytest.mark.parametrize("how", ["ctrl-c", "sigterm"])
def test_a_signal_stops_the_terminal_chat_with_a_web_chat_tab_open(tmp_path: Path, how: str) -> None:
    with running_bot(tmp_path) as (bot, url):

        async def scenario() -> int | None:
            session, socket = await _open_tab(url)
            try:
                _stop(bot, how)
                # The tab is told the server is going away rather than left hanging.
                closing = await socket.receive()
                assert closing.type in {aiohttp.WSMsgType.CLOSE, aiohttp.WSMsgType.CLOSED}
                assert socket.close_code == aiohttp.WSCloseCode.GOING_AWAY
            finally:
                await session.close()
            return await asyncio.to_thread(bot.wait, HANG_GUARD_SECONDS)

        assert asyncio.run(scenario()) == 0
        assert bot.stdin is not None and not bot.stdin.closed, "nobody pressed Enter or closed stdin"
    assert (tmp_path / LOCK_NAME).read_text() == "", "the embedded server and the lock were released"
