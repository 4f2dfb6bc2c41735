"""Choosing the language: explicit choice > stored preference > platform hint > detection > default."""

from __future__ import annotations

# Platform codes that name a supported language differently (BCP 47 script/region variants).
ALIASES = {
    "zh-hans": "zh",
    "zh-cn": "zh",
    "zh-sg": "zh",
    "pt-br": "pt",
    "pt-pt": "pt",
    # Java's legacy ISO 639 codes, still sent by some Android clients and WebViews.
    "iw": "he",
    "in": "id",
}


def normalise(code: str | None, supported: tuple[str, ...]) -> str | None:
    """A platform language code ("pt-br", "zh-Hans", "en_US") mapped to a supported one, or None."""
    if not code:
        return None
    lowered = code.strip().lower().replace("_", "-")
    if lowered in ALIASES and ALIASES[lowered] in supported:
        return ALIASES[lowered]
    if lowered in supported:
        return lowered
    base = lowered.split("-", 1)[0]
    base = ALIASES.get(base, base)
    return base if base in supported else None


def choose(
    *,
    explicit: str | None,
    stored: str | None,
    hint: str | None,
    default: str,
    supported: tuple[str, ...],
    detected: str | None = None,
) -> str:
    for candidate in (explicit, stored, normalise(hint, supported), detected):
        if candidate and candidate in supported:
            return candidate
    return default


def served(catalog_languages: tuple[str, ...], questionnaire_languages: tuple[str, ...]) -> tuple[str, ...]:
    """The languages the shop serves: a UI catalog and the default questionnaire both cover them.

    A catalog alone would greet a customer in their language and then ask the survey in another; a
    questionnaire alone has no buttons to show. Catalog order, so the first is the catalogs' first.
    """
    covered = set(questionnaire_languages)
    return tuple(code for code in catalog_languages if code in covered)


def parse_fallbacks(value: str) -> dict[str, str]:
    """`FALLBACK_LANGUAGES` ("uk=ru, be=ru") as {unserved: served}; ValueError names a malformed entry."""
    fallbacks: dict[str, str] = {}
    for entry in value.split(","):
        if not entry.strip():
            continue
        source, separator, target = entry.partition("=")
        source, target = source.strip().lower(), target.strip().lower()
        if not separator or not source.isalpha() or not target.isalpha():
            raise ValueError(f"{entry.strip()!r}: expected LANGUAGE=LANGUAGE, e.g. uk=ru")
        if source in fallbacks:
            raise ValueError(f"{source} is given twice")
        fallbacks[source] = target
    return fallbacks
