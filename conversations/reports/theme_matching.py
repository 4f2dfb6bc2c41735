"""Which theme a free text is about: keyword stems per theme and language, matched in one scan.

Offline, deterministic and the same in every shipped language (`theme_lexicon.py`); with a
translation provider, the English translation can be matched too (the pivot).
"""

from __future__ import annotations

import re
import unicodedata
from collections.abc import Awaitable, Callable
from dataclasses import dataclass
from functools import cache

from conversations.reports.theme_lexicon import LEXICON, ThemeKey
from conversations.translation import Translator

METHOD = "lexicon-2"  # stored with each assignment: a changed lexicon re-assigns texts on the next read
NO_SPACES = frozenset({"zh", "ja", "ko", "ar"})  # stems match anywhere in the word there
Pivot = Callable[[str, str], Awaitable[str | None]]  # (text, its language) → English, or None


@dataclass(frozen=True, slots=True)
class Assignment:
    theme: ThemeKey
    terms: tuple[str, ...]  # the words that matched, as written


@cache
def _pattern(language: str) -> re.Pattern[str] | None:
    """One pattern per language: a named group per theme and weight (one scan finds every stem)."""
    groups = []
    for theme, languages in LEXICON.items():
        by_weight: dict[str, list[str]] = {"full": [], "half": []}
        for stem in sorted(languages.get(language, ()), key=len, reverse=True):
            weight = "half" if stem.endswith("~") else "full"
            stem = stem.rstrip("~")
            body = re.escape(_normal(stem.rstrip("=")))
            start = "" if language in NO_SPACES else r"(?<!\w)"
            by_weight[weight].append(rf"{start}{body}(?!\w)" if stem.endswith("=") else rf"{start}{body}\w*")
        groups += [f"(?P<{theme.value}__{w}>{'|'.join(parts)})" for w, parts in by_weight.items() if parts]
    return re.compile("|".join(groups)) if groups else None


def _normal(text: str) -> str:
    return unicodedata.normalize("NFKC", text).casefold().replace("’", "'")


ALL_LANGUAGES = tuple(sorted({language for stems in LEXICON.values() for language in stems}))


def assign(text: str, language: str, *, english: str | None = None) -> Assignment:
    """The theme whose stems match most (distinct words; `~` stems count half; ties: the earlier theme)."""
    normal = _normal(text)
    languages = [language, "en"] if language in ALL_LANGUAGES else list(ALL_LANGUAGES)
    scans = [(lang, normal) for lang in dict.fromkeys(languages)]
    if english:
        scans.append(("en", _normal(english)))
    hits: dict[str, dict[str, float]] = {}
    for lang, words in scans:
        pattern = _pattern(lang)
        if pattern is None:
            continue
        for match in pattern.finditer(words):
            if match.lastgroup:
                theme, _, weight = match.lastgroup.partition("__")
                hits.setdefault(theme, {})[match.group().strip()] = 1.0 if weight == "full" else 0.5
    best: tuple[float, ThemeKey, tuple[str, ...]] = (0.0, ThemeKey.OTHER, ())
    for theme in LEXICON:
        found = hits.get(theme.value, {})
        score = sum(found.values())
        if score > best[0]:
            best = (score, theme, tuple(sorted(found)))
    return Assignment(best[1], best[2])


def english_pivot(translator: Translator) -> Pivot:
    """The pivot through the bot's translator (cached; a failure or no provider gives None)."""

    async def pivot(text: str, language: str) -> str | None:
        if not language:
            return None
        translation = await translator.translate(text, source=language, target="en")
        return translation.text if translation.translated else None

    return pivot
