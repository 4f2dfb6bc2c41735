"""Runs Feedback Bot (``feedback-bot run --no-console``) for ``benchmarks.peer_load``.

``--store 256m`` starts the embedded server as it was configured before it was sized for a bot (256 MB
WiredTiger cache, SecantusDB's per-command profiling-level look-up left on),
so before and after run in one invocation.
"""

from __future__ import annotations

import argparse
import sys

import storage.embedded
from bot.cli import main as bot_main

BEFORE_SIZING = ("--cache-size", "256M", "--secantus-per-command-lookups")


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(prog="python -m benchmarks.feedback_runner")
    parser.add_argument("--store", choices=("default", "256m"), default="default")
    args = parser.parse_args(argv)
    if args.store == "256m":
        storage.embedded.SERVER_OPTIONS = BEFORE_SIZING
    return bot_main(["run", "--no-console"])


if __name__ == "__main__":
    sys.exit(main())
