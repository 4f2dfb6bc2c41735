"""Lines typed in the terminal, read so that a pending read never keeps the process alive.

A read blocked in the default executor makes `asyncio.run` (and the interpreter's exit) wait for it:
after Ctrl-C the bot stopped, then hung until Enter. Here a daemon thread reads with raw `os.read`
on the file descriptor (a buffered reader's lock held by a daemon thread aborts interpreter exit) and
hands complete lines to the event loop; at exit the thread is simply abandoned.
"""

from __future__ import annotations

import asyncio
import codecs
import contextlib
import io
import os
import threading
from collections.abc import Iterable, Iterator
from typing import TextIO

_CHUNK = 4096


class LineReader:
    """`await readline()` gives the next line with its newline, or "" at end of input."""

    def __init__(self, stream: TextIO) -> None:
        self._stream = stream
        self._queue: asyncio.Queue[str] = asyncio.Queue()
        self._thread: threading.Thread | None = None

    async def readline(self) -> str:
        if self._thread is None:
            loop = asyncio.get_running_loop()
            self._thread = threading.Thread(
                target=self._read, args=(loop,), name="console input", daemon=True
            )
            self._thread.start()
        line = await self._queue.get()
        if not line:
            self._queue.put_nowait(line)  # end of input stays the end for every later call
        return line

    def _read(self, loop: asyncio.AbstractEventLoop) -> None:
        try:
            for line in self._lines():
                self._hand_over(loop, line)
        finally:
            self._hand_over(loop, "")  # end of input, for every later readline too

    def _lines(self) -> Iterable[str]:
        try:
            fd = self._stream.fileno()
        except (OSError, io.UnsupportedOperation):
            return self._stream.readlines()  # an in-memory stream never blocks
        return _fd_lines(fd)

    def _hand_over(self, loop: asyncio.AbstractEventLoop, line: str) -> None:
        with contextlib.suppress(RuntimeError):  # the loop is closed: nobody is listening any more
            loop.call_soon_threadsafe(self._queue.put_nowait, line)


def _fd_lines(fd: int) -> Iterator[str]:
    """The UTF-8 lines of a file descriptor, read raw; the last one may lack its newline."""
    decoder = codecs.getincrementaldecoder("utf-8")(errors="replace")
    pending = ""
    while True:
        try:
            chunk = os.read(fd, _CHUNK)
        except OSError:
            chunk = b""
        pending += decoder.decode(chunk, final=not chunk)
        *lines, pending = pending.split("\n")
        for line in lines:
            yield line + "\n"
        if not chunk:
            if pending:
                yield pending
            return
