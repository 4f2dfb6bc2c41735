"""Who runs the embedded server on a data folder, and where it listens.

The process that starts the embedded server holds an exclusive `flock` on `<data folder>/server.lock`
and writes into it its pid, its command and, once the server listens, the server's address. Another
`feedback-bot` on the same folder finds the lock held: a read-only command connects to that address
instead of starting a second server on the same files (WiredTiger allows one); anything else is
refused with one line. The kernel drops the `flock` when its holder dies however it dies, so a lock
file whose lock can be taken is stale whatever pid it names (also when that pid was reused), and it
is simply taken over.
"""

from __future__ import annotations

import contextlib
import fcntl
import json
import logging
import os
from dataclasses import dataclass
from pathlib import Path
from typing import Self

logger = logging.getLogger("storage")

LOCK_NAME = "server.lock"


@dataclass(frozen=True, slots=True)
class Holder:
    """What a running holder wrote; `uri` is None while its server is still starting."""

    pid: int | None
    command: str
    uri: str | None


class DataFolderBusy(RuntimeError):
    """Another process runs the embedded server on this data folder."""

    def __init__(self, data_dir: Path, holder: Holder) -> None:
        who = f"feedback-bot {holder.command}".strip()
        pid = f" (pid {holder.pid})" if holder.pid is not None else ""
        super().__init__(
            f"another {who}{pid} is using {data_dir}; stop it first or set FEEDBACK_BOT_DATA_DIR"
        )
        self.holder = holder


class DataFolderLock:
    """The held lock of one data folder; `release` (or process exit) frees it."""

    def __init__(self, path: Path, fd: int, command: str) -> None:
        self._path = path
        self._fd: int | None = fd
        self._command = command

    @classmethod
    def acquire(cls, data_dir: Path, *, command: str) -> Self | Holder:
        """The lock if it was free (stale or absent), else what its holder wrote."""
        data_dir.mkdir(parents=True, exist_ok=True)
        path = data_dir / LOCK_NAME
        fd = os.open(path, os.O_RDWR | os.O_CREAT, 0o600)
        try:
            fcntl.flock(fd, fcntl.LOCK_EX | fcntl.LOCK_NB)
        except BlockingIOError:
            os.close(fd)
            return read_holder(path)
        except BaseException:
            os.close(fd)
            raise
        stale = _parse(os.pread(fd, 4096, 0))
        if stale.pid is not None:
            logger.info("took over the data folder lock left by pid %d (no longer running)", stale.pid)
        lock = cls(path, fd, command)
        lock._write(None)
        return lock

    def advertise(self, uri: str) -> None:
        """Tell other commands on this folder where the embedded server listens."""
        self._write(uri)

    def _write(self, uri: str | None) -> None:
        assert self._fd is not None
        data = json.dumps({"pid": os.getpid(), "command": self._command, "uri": uri}).encode()
        os.ftruncate(self._fd, 0)
        os.pwrite(self._fd, data, 0)

    def release(self) -> None:
        """Empty the file (an empty file names nobody) and drop the lock; never unlinked, see below."""
        if self._fd is None:
            return
        # Not unlinked: a process that opened the old file just before would lock a file nobody else sees.
        with contextlib.suppress(OSError):
            os.ftruncate(self._fd, 0)
        os.close(self._fd)  # closing the last descriptor drops the flock
        self._fd = None


def read_holder(path: Path) -> Holder:
    try:
        return _parse(path.read_bytes())
    except OSError:
        return Holder(None, "", None)


def _parse(data: bytes) -> Holder:
    try:
        fields = json.loads(data)
    except ValueError:
        return Holder(None, "", None)  # empty: its holder has only just taken the lock
    if not isinstance(fields, dict):
        return Holder(None, "", None)
    pid, command, uri = fields.get("pid"), fields.get("command"), fields.get("uri")
    return Holder(
        pid if isinstance(pid, int) else None,
        command if isinstance(command, str) else "",
        uri if isinstance(uri, str) else None,
    )
