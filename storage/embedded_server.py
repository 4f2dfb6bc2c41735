"""Child-process entry point serving SecantusDB (WiredTiger) over the MongoDB wire protocol."""

from __future__ import annotations

import argparse
import logging
import os
import signal
import sys
import threading
from types import FrameType

from storage import embedded_geo

MEMORY = ":memory:"
# WiredTiger's cache; the server's own default (1 GB) is sized for a dedicated database host. A bot's
# working set (open conversations, recent inbox entries, indexes) is a few MB; see docs/benchmarks.md.
CACHE_SIZE = "32M"
# How often expired documents of TTL indexes are deleted (mongod: 60 s); a pass is cheap at our sizes.
TTL_SWEEP_SECONDS = 5.0


def _parse_args(argv: list[str] | None) -> argparse.Namespace:
    parser = argparse.ArgumentParser(prog="python -m storage.embedded_server")
    parser.add_argument("--path", default=MEMORY, help="data folder, or :memory:")
    parser.add_argument("--host", default="127.0.0.1")
    parser.add_argument("--port", type=int, default=0)
    parser.add_argument("--cache-size", default=CACHE_SIZE, help="WiredTiger cache, e.g. 32M")
    parser.add_argument(
        "--secantus-per-command-lookups",
        action="store_true",
        help="keep SecantusDB's per-command look-up of the profiling level (see skip_profile_lookups)",
    )
    return parser.parse_args(argv)


def skip_profile_lookups() -> None:
    """Stop SecantusDB reading the database's profiling level from WiredTiger after every command.

    The embedded server never profiles (level 0, mongod's default, and nothing of ours changes it), yet
    SecantusDB looks the level up in its own table once per command. Without the look-up, a `profile`
    command is still answered but nothing is recorded in `system.profile`.
    """
    import secantus.commands

    def no_profile(*args: object, **kwargs: object) -> None:
        return None

    secantus.commands._maybe_record_profile = no_profile


def _watch_stdin(stop: threading.Event) -> None:
    """Block on stdin; EOF means the parent closed it or died."""
    try:
        # Raw os.read: a buffered reader's lock held by this thread aborts interpreter exit.
        while os.read(sys.stdin.fileno(), 4096):
            pass
    finally:
        stop.set()


def main(argv: list[str] | None = None) -> int:
    """Run the server until stdin reaches EOF or SIGTERM arrives."""
    args = _parse_args(argv)
    # Ctrl-C in a terminal reaches the whole process group; the parent decides when we stop.
    signal.signal(signal.SIGINT, signal.SIG_IGN)
    logging.basicConfig(level=logging.WARNING, stream=sys.stderr)
    # stdout carries only the port line; anything else printed goes to stderr.
    handshake, sys.stdout = sys.stdout, sys.stderr
    stop = threading.Event()

    def on_term(signum: int, frame: FrameType | None) -> None:
        stop.set()

    signal.signal(signal.SIGTERM, on_term)
    embedded_geo.defer()
    # SecantusDB only after the geo modules are deferred: importing it imports them.
    from secantus.server import SecantusDBServer

    if not args.secantus_per_command_lookups:
        skip_profile_lookups()
    server = SecantusDBServer(
        host=args.host,
        port=args.port,
        storage_path=args.path,
        replica_set_name=None,
        enable_test_commands=False,
        cache_size=args.cache_size,
        ttl_sweep_seconds=TTL_SWEEP_SECONDS,
    )
    server.start()
    try:
        handshake.write(f"{server.port}\n")
        handshake.flush()
        handshake.close()
        threading.Thread(target=_watch_stdin, args=(stop,), daemon=True).start()
        while not stop.wait(1.0):
            pass
    finally:
        server.stop()
    return 0


if __name__ == "__main__":
    sys.exit(main())
