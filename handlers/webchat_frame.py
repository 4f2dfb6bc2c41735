"""What the web chat page shows around the messages: its texts in every language and the shop's brand."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import UTC, datetime
from typing import TypedDict
from urllib.parse import urlsplit

from locales.catalog import Catalogs, is_rtl

UI_KEYS = (
    "title",
    "message_label",
    "placeholder",
    "send",
    "language",
    "conversation",
    "reconnecting",
    "too_long",
    "rate_limited",
    "empty",
    "failed",
    "typing",
    "close",
    "not_allowed",
)


class LanguageText(TypedDict):
    code: str
    name: str
    dir: str
    text: dict[str, str]
    """`webchat.<key>` of the catalog, by key."""


@dataclass(frozen=True, slots=True)
class Brand:
    """The shop's name and logo in the chat's header (no name: the localized title shows)."""

    name: str | None = None
    logo_url: str | None = None

    def logo_source(self) -> str | None:
        """The logo's origin for the page's Content-Security-Policy, when it is on another site."""
        if self.logo_url is None or self.logo_url.startswith("/"):
            return None
        parts = urlsplit(self.logo_url)
        return f"{parts.scheme}://{parts.netloc}"


def languages(catalogs: Catalogs) -> list[LanguageText]:
    """Every shipped language with its name, direction and the page's texts in it."""
    return [
        LanguageText(
            code=code,
            name=catalogs.text(code, "language.name"),
            dir="rtl" if is_rtl(code) else "ltr",
            text={key: catalogs.text(code, f"webchat.{key}") for key in UI_KEYS},
        )
        for code in catalogs.languages
    ]


def first_language(hint: str | None, catalogs: Catalogs, default: str) -> str:
    """The page's language before the bot has said anything: the browser's, if shipped."""
    return hint if hint is not None and catalogs.has(hint) else default


def stamp(at: object) -> str | None:
    """A stored time as ISO 8601 in UTC for the page (the driver returns naive UTC datetimes)."""
    if not isinstance(at, datetime):
        return None
    return (at if at.tzinfo is not None else at.replace(tzinfo=UTC)).isoformat()


NO_BRAND = Brand()
