"""What the rules need of translation: the result they get, and the interface that gives it.

The service behind it (cache, rate limit, circuit breaker, deadline, protected tokens) talks to
outside providers, so it lives in `handlers/translator.py`; dialogues, tickets and reports only
see this protocol, passed in by the application.
"""

from __future__ import annotations

import hashlib
from dataclasses import dataclass
from typing import Protocol


@dataclass(frozen=True)
class Translation:
    text: str
    source: str
    target: str
    provider: str
    original: str
    translated: bool
    note: str | None


def text_hash(text: str) -> str:
    return hashlib.sha256(text.encode("utf-8")).hexdigest()


class Translator(Protocol):
    @property
    def enabled(self) -> bool:
        """A machine-translation provider is configured (not "none")."""
        ...

    async def translate(self, text: str, *, source: str, target: str) -> Translation:
        """Never raises for provider trouble: the original text with a note when it cannot."""
        ...
