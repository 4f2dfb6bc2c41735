"""What an admin command runs with (the context a surface gives it) and what it gives back."""

from __future__ import annotations

from collections.abc import Awaitable, Callable
from dataclasses import dataclass
from datetime import UTC, datetime

from conversations.admin.review import AdminNotice
from conversations.translation import Translation
from core.events import Choice
from storage.store import Store


@dataclass(frozen=True, slots=True)
class AdminReply:
    text: str
    document: tuple[str, str] | None = None  # (file name, content) for exports
    target: str | None = None  # what the audit line names when the command line does not (`new`)
    choices: tuple[tuple[Choice, ...], ...] = ()  # buttons, where the surface has them
    detail: str = ""  # for the audit line (a rejection's reason)
    notices: tuple[AdminNotice, ...] = ()  # admins to tell (conversations/admin/review.py)


Translate = Callable[[str, str, str], Awaitable[Translation]]  # text, source, target


@dataclass(frozen=True, slots=True)
class AdminContext:
    store: Store
    languages: tuple[str, ...]
    max_minutes: int
    translate: Translate | None = None
    clock: Callable[[], datetime] = lambda: datetime.now(UTC)
    report_min_group: int = 5
    deep_link: Callable[[str], str | None] = lambda payload: None  # None: the bot's username is unknown
    admins: frozenset[str] = frozenset()  # "<channel>:<user key>" of every admin, to notify reviewers
