"""Start-up time and idle memory of `feedback-bot run` with the embedded defaults, for one or more checkouts.

Run on demand (it prints figures and never asserts them)::

    .venv/bin/python -m benchmarks.startup_memory [--rounds 3] [CHECKOUT ...]

Each round starts ``python -m bot.cli run --no-console`` from each checkout in turn (default: this one;
give a worktree of main to compare before and after in one invocation) with a fresh data folder, no
Telegram, Slack or MongoDB settings (so: the embedded server and the web chat), and times it from
launch to the line announcing the web chat. Three seconds later it prints the VmRSS of the bot and of
its children (the embedded server), then stops the bot with SIGTERM.
"""

from __future__ import annotations

import argparse
import os
import signal
import subprocess
import sys
import tempfile
import time
from pathlib import Path

from benchmarks.bot_child import PROJECT_ROOT, status_kib, tree_pids

SETTLE_SECONDS = 3.0
READY_LINE = "Web chat"


def one_start(root: Path) -> str:
    with tempfile.TemporaryDirectory(prefix="startup-memory-") as data_dir:
        env = {
            k: v
            for k, v in os.environ.items()
            if not k.startswith(("TELEGRAM_", "MONGODB_", "FEEDBACK_BOT", "SLACK_"))
        }
        env |= {"PYTHONPATH": str(root), "FEEDBACK_BOT_DATA_DIR": data_dir, "FEEDBACK_BOT_PORT": "0"}
        started = time.monotonic()
        process = subprocess.Popen(
            [sys.executable, "-m", "bot.cli", "run", "--no-console"], cwd=root, env=env,
            stdin=subprocess.DEVNULL, stdout=subprocess.DEVNULL, stderr=subprocess.PIPE, text=True,
        )  # fmt: skip
        assert process.stderr is not None
        ready = None
        for line in process.stderr:
            if READY_LINE in line:
                ready = time.monotonic() - started
                break
        try:
            if ready is None:
                return f"{root}: exited before it was ready (code {process.wait()})"
            time.sleep(SETTLE_SECONDS)
            pids = tree_pids(process.pid)
            bot = status_kib(process.pid, "VmRSS") / 1024
            children = sum(status_kib(pid, "VmRSS") for pid in pids if pid != process.pid) / 1024
            return (
                f"{root}: ready in {ready:.1f} s; idle VmRSS bot {bot:.1f} MiB, "
                f"embedded server {children:.1f} MiB, tree {bot + children:.1f} MiB"
            )
        finally:
            process.send_signal(signal.SIGTERM)
            process.communicate(timeout=60)


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(
        prog="python -m benchmarks.startup_memory", description=__doc__.split("\n")[0]
    )
    parser.add_argument("checkouts", nargs="*", type=Path, help="project checkouts (default: this one)")
    parser.add_argument("--rounds", type=int, default=3, help="starts of each checkout, alternating")
    args = parser.parse_args(argv)
    roots = [path.resolve() for path in args.checkouts] or [PROJECT_ROOT]
    for _ in range(max(1, args.rounds)):
        for root in roots:
            print(one_start(root), flush=True)
    return 0


if __name__ == "__main__":
    sys.exit(main())
