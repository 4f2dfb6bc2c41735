"""Shared by the load benchmarks that run a bot as a child process: its process tree and its log.

- ``TreeSampler``: the peak summed VmRSS of a process and all its descendants (e.g. the bot and its
  embedded SecantusDB server), sampled every 20 ms, plus VmHWM and CPU seconds per process.
- ``start_child``: a child ``python -m <module>`` that dies with the benchmark, its stderr drained into
  ``BotProcess.stderr_lines`` and the embedded store's URI and the HTTP server's address picked out of
  Feedback Bot's INFO log lines.
- ``feedback_env``: the environment for Feedback Bot (``benchmarks.feedback_runner``) with an embedded
  store in a temporary data folder, nothing inherited that names another store or platform.
"""

from __future__ import annotations

import asyncio
import contextlib
import ctypes
import os
import re
import signal
import sys
import time
from collections.abc import Callable
from dataclasses import dataclass, field
from pathlib import Path

PROJECT_ROOT = Path(__file__).resolve().parent.parent
SAMPLE_SECONDS = 0.02
STOP_GRACE_SECONDS = 20.0
PR_SET_PDEATHSIG = 1
# Settings the benchmark decides; anything in the caller's environment with these prefixes is dropped.
OWNED_PREFIXES = ("MONGODB_", "TELEGRAM_", "FEEDBACK_BOT", "WHATSAPP_", "WEBCHAT_", "SLACK_", "TRUSTED_")
_LISTENING = re.compile(r"listening on (http://\S+)")


# --------------------------------------------------------------------------- the process tree


def _children_map() -> dict[int, list[int]]:
    tree: dict[int, list[int]] = {}
    for entry in Path("/proc").iterdir():
        if not entry.name.isdigit():
            continue
        with contextlib.suppress(OSError, ValueError, IndexError):
            stat = (entry / "stat").read_text()
            ppid = int(stat[stat.rindex(")") + 2 :].split()[1])
            tree.setdefault(ppid, []).append(int(entry.name))
    return tree


def tree_pids(root: int) -> list[int]:
    """`root` and all its descendants, from /proc."""
    tree, found, todo = _children_map(), [], [root]
    while todo:
        pid = todo.pop()
        found.append(pid)
        todo.extend(tree.get(pid, []))
    return found


def status_kib(pid: int, key: str) -> int:
    """A /proc/<pid>/status figure in KiB (VmRSS, VmHWM), 0 once the process is gone."""
    with contextlib.suppress(OSError):
        for line in Path(f"/proc/{pid}/status").read_text().splitlines():
            if line.startswith(key + ":"):
                return int(line.split()[1])
    return 0


def cpu_seconds(pid: int) -> float:
    with contextlib.suppress(OSError, ValueError, IndexError):
        stat = Path(f"/proc/{pid}/stat").read_text()
        fields = stat[stat.rindex(")") + 2 :].split()
        return (int(fields[11]) + int(fields[12])) / os.sysconf("SC_CLK_TCK")
    return 0.0


def cmdline(pid: int) -> str:
    with contextlib.suppress(OSError):
        return Path(f"/proc/{pid}/cmdline").read_bytes().replace(b"\0", b" ").decode(errors="replace")
    return ""


def role(pid: int) -> str:
    return "embedded server" if "embedded_server" in cmdline(pid) else "bot"


class TreeSampler:
    """Samples the summed VmRSS of a process tree; keeps the maximum."""

    def __init__(self, root: int) -> None:
        self.root = root
        self.peak_kib = 0
        self.processes = 0
        self._task: asyncio.Task[None] | None = None

    def sample(self) -> None:
        pids = tree_pids(self.root)
        self.processes = max(self.processes, len(pids))
        self.peak_kib = max(self.peak_kib, sum(status_kib(pid, "VmRSS") for pid in pids))

    async def _run(self) -> None:
        while True:
            self.sample()
            await asyncio.sleep(SAMPLE_SECONDS)

    def start(self) -> None:
        self._task = asyncio.create_task(self._run())

    async def stop(self) -> None:
        if self._task is not None:
            self._task.cancel()
            with contextlib.suppress(asyncio.CancelledError):
                await self._task
        self.sample()

    def hwm_sum_kib(self) -> int:
        return sum(status_kib(pid, "VmHWM") for pid in tree_pids(self.root))

    def cpu_seconds(self) -> float:
        return sum(cpu_seconds(pid) for pid in tree_pids(self.root))

    def per_process(self) -> list[str]:
        """One line per live process of the tree: its role, VmHWM and VmRSS now."""
        return [
            f"pid {pid} ({role(pid)}): VmHWM {status_kib(pid, 'VmHWM') / 1024:.1f} MiB, "
            f"VmRSS now {status_kib(pid, 'VmRSS') / 1024:.1f} MiB"
            for pid in tree_pids(self.root)
        ]


# --------------------------------------------------------------------------- the bot as a child


@dataclass
class BotProcess:
    process: asyncio.subprocess.Process
    stderr_lines: list[str] = field(default_factory=list)
    store_uri: str | None = None
    http_url: str | None = None  # "http://127.0.0.1:<port>" once the server listens
    _drain: asyncio.Task[None] | None = None

    async def drain(self) -> None:
        assert self.process.stderr is not None
        async for raw in self.process.stderr:
            line = raw.decode(errors="replace").rstrip()
            self.stderr_lines.append(line)
            if "using embedded MongoDB" in line and self.store_uri is None:
                self.store_uri = next((w for w in line.split() if w.startswith("mongodb://")), None)
            if self.http_url is None and (match := _LISTENING.search(line)):
                self.http_url = match.group(1).rstrip("/")

    async def stop(self) -> int:
        with contextlib.suppress(ProcessLookupError):
            self.process.send_signal(signal.SIGTERM)
        try:
            code = await asyncio.wait_for(self.process.wait(), STOP_GRACE_SECONDS)
        except TimeoutError:
            for pid in reversed(tree_pids(self.process.pid)):
                with contextlib.suppress(ProcessLookupError):
                    os.kill(pid, signal.SIGKILL)
            code = await self.process.wait()
        if self._drain is not None:
            await self._drain
        return code

    def log_problems(self) -> list[str]:
        """The bot's log lines at WARNING or above and tracebacks (logs hold no message text)."""
        marks = ("WARNING", "ERROR", "CRITICAL", "Traceback")
        return [line for line in self.stderr_lines if any(mark in line for mark in marks)]


def _die_with_parent() -> None:
    """In the child: SIGTERM when this benchmark dies (e.g. killed by a timeout); never an orphan bot."""
    libc = ctypes.CDLL(None, use_errno=True)
    libc.prctl(PR_SET_PDEATHSIG, signal.SIGTERM)


def clean_env() -> dict[str, str]:
    env = {k: v for k, v in os.environ.items() if not k.startswith(OWNED_PREFIXES)}
    env["PYTHONPATH"] = str(PROJECT_ROOT)
    return env


def feedback_env(*, data_dir: Path, database: str, settings: dict[str, str]) -> dict[str, str]:
    """Feedback Bot with its embedded store under `data_dir`, on 127.0.0.1 (a free port), plus `settings`."""
    return clean_env() | {
        "MONGODB_DATABASE": database,
        "FEEDBACK_BOT_DATA_DIR": str(data_dir),
        "FEEDBACK_BOT_HOST": "127.0.0.1",
        "FEEDBACK_BOT_PORT": "0",
        "LOG_LEVEL": "INFO",  # the embedded server's URI and the listening address are INFO lines
        **settings,
    }


async def start_child(argv: list[str], env: dict[str, str], *, cwd: Path = PROJECT_ROOT) -> BotProcess:
    """`python <argv>` in the project folder (or `cwd`), its stderr drained; it dies if this process dies."""
    process = await asyncio.create_subprocess_exec(
        sys.executable, *argv, stdin=asyncio.subprocess.DEVNULL, stdout=asyncio.subprocess.DEVNULL,
        stderr=asyncio.subprocess.PIPE, env=env, cwd=str(cwd), preexec_fn=_die_with_parent,
    )  # fmt: skip
    bot = BotProcess(process)
    bot._drain = asyncio.create_task(bot.drain())
    return bot


async def start_feedback_bot(*, data_dir: Path, database: str, settings: dict[str, str]) -> BotProcess:
    """Feedback Bot (``feedback-bot run --no-console``), once its server listens and its store answers."""
    env = feedback_env(data_dir=data_dir, database=database, settings=settings)
    bot = await start_child(["-m", "benchmarks.feedback_runner"], env)

    def up_or_gone() -> bool:
        listening = bot.http_url is not None and bot.store_uri is not None
        return listening or bot.process.returncode is not None

    await wait_until(up_or_gone, 90, "Feedback Bot to listen")
    if bot.process.returncode is not None:
        raise RuntimeError("Feedback Bot exited: " + "\n".join(bot.stderr_lines[-20:]))
    return bot


async def wait_until(condition: Callable[[], bool], timeout: float, what: str) -> None:
    deadline = time.monotonic() + timeout
    while not condition():
        if time.monotonic() > deadline:
            raise RuntimeError(f"timed out waiting for {what}")
        await asyncio.sleep(0.05)
