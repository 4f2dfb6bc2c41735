"""Dialogue steps read through narrow ports; only the named writers get the store itself."""

from __future__ import annotations

import re
from pathlib import Path

PACKAGE = Path(__file__).resolve().parents[2] / "conversations"
# Writers with their own versioned, idempotent operations (see conversations/ports.py).
DIRECT_WRITERS = {"admin/builder.py", "dialogues/commands.py", "tickets/chat.py"}


def _using(pattern: str) -> set[str]:
    paths = PACKAGE.rglob("*.py")
    sources = {path.relative_to(PACKAGE).as_posix(): path.read_text(encoding="utf-8") for path in paths}
    return {name for name, source in sources.items() if re.search(pattern, source)}


def test_only_the_named_writers_reach_the_whole_store() -> None:
    assert _using(r"\bturn\.direct\b") == DIRECT_WRITERS


def test_no_step_reaches_the_store_by_its_old_name() -> None:
    assert _using(r"\bturn\.store\b") == set()
