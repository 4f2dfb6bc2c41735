"""What customers keep saying: free-text answers, suggestions and complaint descriptions grouped into
themes, counted per period, linked to the dimensions and complaint categories they come with.

Offline by default: keyword stems per theme and language (`theme_lexicon.py`) on the text as written.
With a translation provider, the English translation (through the translation cache) is matched too:
the pivot. Each text's theme is stored once (`theme_assignments`, keyed by its source), so a report
classifies only what is new. Quotes are redacted, at most three, and only from themes of at least
`min_group` texts; so are the counts of periods, dimensions and categories shown.
"""

from __future__ import annotations

import re
import unicodedata
from collections import Counter
from collections.abc import Awaitable, Callable, Iterable
from dataclasses import dataclass, field
from datetime import UTC, date, datetime, time, timedelta
from functools import cache
from typing import Any

from conversations.deidentify import redact
from conversations.theme_lexicon import LEXICON, ThemeKey
from conversations.translation import Translator
from core.questionnaire import QuestionType
from storage.store import Store

METHOD = "lexicon-2"  # stored with each assignment: a changed lexicon re-assigns texts on the next read
NO_SPACES = frozenset({"zh", "ja", "ko", "ar"})  # stems match anywhere in the word there
LOW_RATING = 2  # a 1–5 answer this low links the response's text to its dimension
MAX_QUOTES = 3
QUOTE_CHARS = 200
Pivot = Callable[[str, str], Awaitable[str | None]]  # (text, its language) → English, or None


@dataclass(frozen=True, slots=True)
class Assignment:
    theme: ThemeKey
    terms: tuple[str, ...]  # the words that matched, as written


@dataclass(frozen=True, slots=True)
class FreeText:
    """One text to group: where it comes from (its key), and what it comes with."""

    key: str  # "feedback:<id>", "ticket:<id>", "answer:<response id>:<question id>"
    text: str
    language: str
    at: datetime
    dimensions: tuple[str, ...] = ()  # dimensions rated low in the same response
    category: str | None = None  # the complaint's category


@dataclass(frozen=True, slots=True)
class Theme:
    key: ThemeKey
    label: str  # the theme and its top terms
    top_terms: tuple[str, ...]
    count: int
    periods: dict[str, int | None]  # "2026-W47" or "2026-11" → texts (None: fewer than min_group)
    dimensions: dict[str, int] = field(default_factory=dict)  # co-occurring, at least min_group
    categories: dict[str, int] = field(default_factory=dict)
    quotes: tuple[str, ...] = ()  # redacted


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


def _period(day: date, unit: str) -> str:
    if unit == "month":
        return f"{day.year}-{day.month:02d}"
    year, week, _ = day.isocalendar()
    return f"{year}-W{week:02d}"


async def free_texts(store: Store, *, start: datetime, end: datetime) -> list[FreeText]:
    """Every free text of the period: text answers, suggestions and praise, complaint descriptions."""
    texts: list[FreeText] = []
    for doc in await store.feedback.texts_between(start=start, end=end):
        if doc.get("text"):
            texts.append(
                FreeText(
                    f"feedback:{doc['_id']}",
                    str(doc["text"]),
                    str(doc.get("language") or ""),
                    doc["received_at"],
                )
            )
    for doc in await store.tickets.descriptions_between(start=start, end=end):
        if doc.get("description"):
            texts.append(
                FreeText(
                    f"ticket:{doc['_id']}",
                    str(doc["description"]),
                    str(doc.get("description_language") or ""),
                    doc["created_at"],
                    category=str(doc.get("category") or "") or None,
                )
            )
    for questionnaire_id in await store.questionnaires.ids():
        async for doc in store.responses.completed_between(
            questionnaire_id=questionnaire_id, start=start, end=end
        ):
            texts.extend(await _answers(store, questionnaire_id, doc))
    return texts


async def _answers(store: Store, questionnaire_id: str, doc: dict[str, Any]) -> list[FreeText]:
    questionnaire = await store.questionnaires.get(
        questionnaire_id=questionnaire_id, version=int(doc.get("questionnaire_version") or 1)
    )
    if questionnaire is None:
        return []
    answers = doc.get("answers") or {}
    low: set[str] = set()
    words: list[tuple[str, str, str]] = []
    for qid, answer in answers.items():
        question = questionnaire.question(qid)
        value = (answer or {}).get("value")
        if question is None or answer.get("skipped"):
            continue
        if question.type is QuestionType.RATING5 and isinstance(value, int) and value <= LOW_RATING:
            low.add(question.dimension)
        elif question.type is QuestionType.TEXT and isinstance(value, str) and value.strip():
            words.append((qid, value, str(answer.get("language") or doc.get("language") or "")))
    return [
        FreeText(f"answer:{doc['_id']}:{qid}", text, language, doc["completed_at"], tuple(sorted(low)))
        for qid, text, language in words
    ]


async def assignments(
    store: Store, texts: list[FreeText], *, pivot: Pivot | None = None
) -> dict[str, Assignment]:
    """Each text's theme: stored ones as they are, the others assigned now and stored."""
    stored = await store.themes.get_many(keys=[t.key for t in texts], method=METHOD)
    found = {
        key: Assignment(ThemeKey(doc["theme"]), tuple(doc.get("terms") or ())) for key, doc in stored.items()
    }
    new: list[dict[str, Any]] = []
    for text in texts:
        if text.key in found:
            continue
        english = await pivot(text.text, text.language) if pivot and text.language != "en" else None
        made = assign(text.text, text.language, english=english)
        found[text.key] = made
        new.append({"_id": text.key, "theme": made.theme.value, "terms": list(made.terms), "method": METHOD})
    if new:
        await store.themes.save_many(new)
    return found


def _shown(counts: Iterable[tuple[str, int]], min_group: int) -> dict[str, int]:
    return {
        key: count
        for key, count in sorted(counts, key=lambda item: (-item[1], item[0]))
        if count >= min_group
    }


def _quotes(texts: list[FreeText]) -> tuple[str, ...]:
    """Up to three redacted quotes: the most recent texts of a readable length."""
    chosen: list[str] = []
    for text in sorted(texts, key=lambda t: t.at, reverse=True):
        quote = " ".join(redact(text.text).split())
        if 15 <= len(quote) <= QUOTE_CHARS and quote not in chosen:
            chosen.append(quote)
        if len(chosen) == MAX_QUOTES:
            break
    return tuple(chosen)


async def themes_for_period(
    store: Store, *, start: date, end: date, min_group: int, pivot: Pivot | None = None
) -> list[Theme]:
    """Themes of the free texts in [start, end] (inclusive days), largest first; themes with fewer
    than `min_group` texts are left out (their texts could single someone out)."""
    begin = datetime.combine(start, time(), UTC)
    finish = datetime.combine(end + timedelta(days=1), time(), UTC)
    texts = await free_texts(store, start=begin, end=finish)
    given = await assignments(store, texts, pivot=pivot)
    unit = "week" if (end - start).days <= 16 * 7 else "month"
    grouped: dict[ThemeKey, list[FreeText]] = {}
    for text in texts:
        grouped.setdefault(given[text.key].theme, []).append(text)
    themes: list[Theme] = []
    for key, members in grouped.items():
        if len(members) < min_group:
            continue
        terms = Counter(term for member in members for term in set(given[member.key].terms))
        top = tuple(term for term, _ in terms.most_common(5))
        periods = Counter(_period(_aware(m.at).date(), unit) for m in members)
        themes.append(
            Theme(
                key=key,
                label=key.value.replace("_", " ") + (f": {', '.join(top[:3])}" if top else ""),
                top_terms=top,
                count=len(members),
                periods={p: (n if n >= min_group else None) for p, n in sorted(periods.items())},
                dimensions=_shown(Counter(d for m in members for d in m.dimensions).items(), min_group),
                categories=_shown(Counter(m.category for m in members if m.category).items(), min_group),
                quotes=_quotes(members),
            )
        )
    return sorted(themes, key=lambda theme: (-theme.count, theme.key.value))


def _aware(moment: datetime) -> datetime:
    return moment if moment.tzinfo else moment.replace(tzinfo=UTC)
