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

METHOD = "lexicon-3"  # stored with each assignment: a changed lexicon re-assigns texts on the next read
# Words carry attached particles or affixes there, so stems match anywhere in a word.
NO_SPACES = frozenset({"zh", "ja", "ko", "ar", "he", "fa"})
# Written without spaces between words: a stem matches anywhere and the term is the stem alone (the run
# of letters after it is the rest of the sentence, not of the word).
UNSPACED = frozenset({"th"})
MARKED = frozenset({"hi", "he", "fa", "ar"})  # scripts whose words hold combining marks (WORD below)


# Combining marks of the shipped scripts (Latin accents typed apart, Hebrew points, Arabic vowels,
# Devanagari and Thai vowel signs) are parts of words but not `\w` to Python's `re`, so a Hindi word
# would otherwise end in its middle.
WORD = (
    r"[\w\u0300-\u036f\u0591-\u05c7\u064b-\u065f\u0670\u0900-\u0903\u093a-\u094f\u0951-\u0957"
    r"\u0962\u0963\u0e31\u0e34-\u0e3a\u0e47-\u0e4e]"
)
Pivot = Callable[[str, str], Awaitable[str | None]]  # (text, its language) → English, or None


@dataclass(frozen=True, slots=True)
class Assignment:
    theme: ThemeKey
    terms: tuple[str, ...]  # the words that matched, as written


@cache
def _pattern(language: str) -> re.Pattern[str] | None:
    """One pattern per language: a named group per theme and weight (one scan finds every stem).

    The word-start test and the set of the stems' first letters come once, before the alternatives,
    so the scan skips most positions without trying every stem there (several times faster; the
    same matches, as every alternative began with that word-start test)."""
    groups = []
    firsts: set[str] = set()
    word = WORD if language in MARKED else r"\w"
    for theme, languages in LEXICON.items():
        by_weight: dict[str, list[str]] = {"full": [], "half": []}
        for stem in sorted(languages.get(language, ()), key=len, reverse=True):
            weight = "half" if stem.endswith("~") else "full"
            stem = stem.rstrip("~")
            normal = _normal(stem.rstrip("="))
            firsts.add(normal[0])
            body = re.escape(normal)
            if language in UNSPACED:
                by_weight[weight].append(body)
            else:
                by_weight[weight].append(f"{body}(?!{word})" if stem.endswith("=") else f"{body}{word}*")
        groups += [f"(?P<{theme.value}__{w}>{'|'.join(parts)})" for w, parts in by_weight.items() if parts]
    if not groups:
        return None
    start = "" if language in NO_SPACES | UNSPACED else f"(?<!{word})"
    first = "".join(re.escape(letter) for letter in sorted(firsts))
    return re.compile(f"{start}(?=[{first}])(?:{'|'.join(groups)})")


# Persian is typed with Arabic ي ك as often as with its own ی ک, and its zero-width non-joiner
# (inside words such as بسته‌بندی) as a space or not at all.
_SAME = str.maketrans({"’": "'", "ي": "ی", "ك": "ک", "\u200c": " "})


def _normal(text: str) -> str:
    return unicodedata.normalize("NFKC", text).casefold().translate(_SAME)


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
