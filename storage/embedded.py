"""Embedded MongoDB-wire-protocol server (SecantusDB on WiredTiger) run as a child process."""

from __future__ import annotations

import asyncio
import collections
import contextlib
import ipaddress
import logging
import os
import sys
from pathlib import Path
from typing import Self

logger = logging.getLogger("storage")

_PROJECT_ROOT = Path(__file__).resolve().parent.parent
_STDERR_TAIL_LINES = 40
# Extra command-line options for `python -m storage.embedded_server` (benchmarks compare settings).
SERVER_OPTIONS: tuple[str, ...] = ()


class EmbeddedMongoError(RuntimeError):
    """The embedded server could not be started."""


class EmbeddedMongo:
    """Handle on a running `python -m storage.embedded_server` child process."""

    def __init__(
        self, process: asyncio.subprocess.Process, uri: str, stderr_task: asyncio.Task[None]
    ) -> None:
        self._process = process
        self._stderr_task = stderr_task
        self.uri = uri

    @property
    def pid(self) -> int:
        """Process id of the child server."""
        return self._process.pid

    @classmethod
    async def start(
        cls,
        *,
        data_dir: Path | None,
        host: str = "127.0.0.1",
        port: int = 0,
        startup_timeout: float = 30.0,
    ) -> Self:
        """Start the child and wait until it listens; data_dir None keeps data in memory."""
        if not _loopback(host):
            # No authentication: anyone who can reach the port can read and change everything.
            raise ValueError(f"the embedded MongoDB listens on loopback only, not {host!r}")
        path = ":memory:"
        if data_dir is not None:
            folder = data_dir / "mongo"
            folder.mkdir(parents=True, exist_ok=True)
            path = str(folder)
        env = dict(os.environ)
        # The child imports this package by name, whatever the parent's working directory.
        env["PYTHONPATH"] = os.pathsep.join(p for p in (str(_PROJECT_ROOT), env.get("PYTHONPATH", "")) if p)
        process = await asyncio.create_subprocess_exec(
            sys.executable, "-m", "storage.embedded_server",
            "--path", path, "--host", host, "--port", str(port), *SERVER_OPTIONS,
            stdin=asyncio.subprocess.PIPE,
            stdout=asyncio.subprocess.PIPE,
            stderr=asyncio.subprocess.PIPE,
            env=env,
        )  # fmt: skip
        tail: collections.deque[str] = collections.deque(maxlen=_STDERR_TAIL_LINES)
        started = asyncio.Event()
        stderr_task = asyncio.create_task(_drain_stderr(process, tail, started))
        server = cls(process, "", stderr_task)
        assert process.stdout is not None
        try:
            line = await asyncio.wait_for(process.stdout.readline(), startup_timeout)
        except TimeoutError:
            line = b""
        except BaseException:
            await server.stop(grace_seconds=5.0)  # never leave an orphan behind a cancelled start
            raise
        bound = int(line) if line.strip().isdigit() else None
        if bound is None:
            await server.stop(grace_seconds=5.0)
            raise EmbeddedMongoError(_failure(host, port, path, process.returncode, tail))
        started.set()
        netloc = f"[{host}]" if ":" in host else host  # an IPv6 literal needs brackets
        server.uri = f"mongodb://{netloc}:{bound}/?directConnection=true"
        return server

    async def stop(self, *, grace_seconds: float = 10.0) -> None:
        """Close the child's stdin so it shuts down cleanly; kill it if it takes too long."""
        process = self._process
        if process.stdin is not None and not process.stdin.is_closing():
            process.stdin.close()
        try:
            await asyncio.wait_for(process.wait(), grace_seconds)
        except TimeoutError:
            logger.warning("embedded MongoDB server did not stop in %.0f s; killing it", grace_seconds)
            with contextlib.suppress(ProcessLookupError):
                process.kill()
            await process.wait()
        # The child has exited, so its stderr reaches EOF and the drain task ends.
        await self._stderr_task


def _loopback(host: str) -> bool:
    if host == "localhost":
        return True
    try:
        return ipaddress.ip_address(host).is_loopback
    except ValueError:
        return False


def _failure(host: str, port: int, path: str, code: int | None, tail: collections.deque[str]) -> str:
    """One line: a failed start is summed up by the last line of the child's traceback."""
    last = next((line.strip() for line in reversed(tail) if line.strip()), "(no output)")
    if "resource busy" in last.lower() or "already being managed" in last.lower():
        return f"the embedded MongoDB data in {path} is in use by another process ({last})"
    return f"embedded MongoDB server failed to start on {host}:{port} (exit code {code}): {last}"


async def _drain_stderr(
    process: asyncio.subprocess.Process, tail: collections.deque[str], started: asyncio.Event
) -> None:
    """Forward the child's stderr to our log; an undrained pipe would block the child.

    Until the server listens its lines are only kept: a failed start is reported in one line (the
    ~100 lines of a WiredTiger traceback help nobody at a terminal), and at debug level in full.
    """
    assert process.stderr is not None
    async for raw in process.stderr:
        line = raw.decode(errors="replace").rstrip()
        tail.append(line)
        logger.log(logging.WARNING if started.is_set() else logging.DEBUG, "embedded MongoDB: %s", line)
