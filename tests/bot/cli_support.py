"""Running the real `feedback-bot` command in tests, and looking at what it stored."""

from __future__ import annotations

import asyncio
import json
import os
import re
import signal
import subprocess
import threading
from collections.abc import Iterator
from contextlib import contextmanager
from pathlib import Path

from storage.mongo import open_database
from tests.bot.test_cli_run import BIN, _env

WEB_CHAT = re.compile(r"Web chat: open (http://\S+/chat) in a browser")


def env(data_dir: Path, **extra: str) -> dict[str, str]:
    """The test environment, with logs down to warnings: an error must then be the only line."""
    return {**_env(data_dir), "LOG_LEVEL": "WARNING", **extra}


def run(
    args: list[str], data_dir: Path, *, stdin: str = "", **extra: str
) -> subprocess.CompletedProcess[str]:
    return subprocess.run(
        [str(BIN / "feedback-bot"), *args],
        input=stdin,
        capture_output=True,
        text=True,
        env=env(data_dir, **extra),
        cwd=data_dir,
        timeout=120,
        check=False,
    )


def one_line(result: subprocess.CompletedProcess[str]) -> str:
    """The whole of stderr, which must be exactly one line."""
    lines = result.stderr.strip().splitlines()
    assert len(lines) == 1, result.stderr[-3000:]
    return lines[0]


def stored(data_dir: Path) -> dict[str, list[str]]:
    """Every document of every collection (a running bot lends its server, as to the CLI)."""

    async def dump() -> dict[str, list[str]]:
        async with open_database(
            uri=None, data_dir=data_dir, database="feedback_bot", command="test", share=True
        ) as db:
            collections: dict[str, list[str]] = {}
            for name in sorted(await db.list_collection_names()):
                docs = [json.dumps(doc, default=str, sort_keys=True) async for doc in db[name].find()]
                collections[name] = sorted(docs)
            return collections

    return asyncio.run(dump())


@contextmanager
def running_bot(data_dir: Path, *args: str) -> Iterator[tuple[subprocess.Popen[str], str]]:
    """`feedback-bot run ARGS` in its own session with stdin kept open; yields it and its web chat URL.

    Stopped with SIGTERM on the way out if the test has not stopped it.
    """
    process = subprocess.Popen(
        [str(BIN / "feedback-bot"), "run", *args],
        stdin=subprocess.PIPE,
        stdout=subprocess.DEVNULL,
        stderr=subprocess.PIPE,
        text=True,
        env={**_env(data_dir)},
        cwd=data_dir,
        start_new_session=True,  # a process group of its own, as a terminal's foreground job
    )
    try:
        assert process.stderr is not None
        url = None
        for line in process.stderr:
            match = WEB_CHAT.search(line)
            if match:
                url = match.group(1)
                break
        assert url is not None, f"the bot did not start (exit status {process.poll()})"
        # Keep reading its log so a full pipe never blocks it.
        threading.Thread(target=process.stderr.read, daemon=True).start()
        yield process, url
    finally:
        if process.poll() is None:
            process.send_signal(signal.SIGTERM)
        try:
            process.wait(timeout=60)
        except subprocess.TimeoutExpired:
            os.killpg(process.pid, signal.SIGKILL)
            process.wait()
