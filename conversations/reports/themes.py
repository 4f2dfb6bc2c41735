"""What customers keep saying: free-text answers, suggestions and complaint descriptions grouped into
themes, counted per period, linked to the dimensions and complaint categories they come with.

Incremental: each source (answers, feedback, tickets) is read once, from where the last reading
stopped (a watermark, less a few minutes for writes still in flight), and each new text's theme is
stored with what the report needs (time, dimensions rated low in the same response, the complaint's
category) but no words; the days that got new texts have their counts rebuilt. A report then reads
one count document per day of its period, and the words of only a few texts, for the quotes.
Quotes are redacted, at most three per theme, and only from themes
of at least `min_group` texts; counts of periods, dimensions and categories below it are left out.
"""

from __future__ import annotations

from collections import Counter
from dataclasses import dataclass, field
from datetime import UTC, date, datetime, timedelta
from typing import Any

from conversations.reports.deidentify import redact
from conversations.reports.theme_lexicon import ThemeKey
from conversations.reports.theme_matching import METHOD, Pivot, assign
from core.questionnaire import QuestionType
from core.responses import CompletedResponse
from storage.store import Store

LOW_RATING = 2  # a 1–5 answer this low links the response's text to its dimension
MAX_QUOTES = 3
QUOTE_CHARS = 200
QUOTE_LOOKUPS = 20  # texts read per theme to find readable quotes
OVERLAP = timedelta(minutes=10)  # texts stamped just before the last reading may have been written after it
EPOCH = datetime(2015, 1, 1, tzinfo=UTC)  # before any text this bot can have stored
WINDOW = timedelta(days=31)
SOURCES = ("feedback", "ticket", "answer")


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


async def _read(store: Store, source: str, start: datetime, end: datetime) -> list[FreeText]:
    texts: list[FreeText] = []
    if source == "feedback":
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
    elif source == "ticket":
        for ticket in await store.tickets.descriptions_between(start=start, end=end):
            if ticket.description:
                texts.append(
                    FreeText(
                        f"ticket:{ticket.id}",
                        ticket.description,
                        ticket.description_language or "",
                        ticket.created_at,
                        category=ticket.category or None,
                    )
                )
    else:
        for questionnaire_id in await store.questionnaires.ids():
            async for response in store.responses.completed_between(
                questionnaire_id=questionnaire_id, start=start, end=end
            ):
                texts.extend(await _answers(store, questionnaire_id, response))
    return texts


async def _answers(store: Store, questionnaire_id: str, response: CompletedResponse) -> list[FreeText]:
    questionnaire = await store.questionnaires.get(
        questionnaire_id=questionnaire_id, version=response.questionnaire_version
    )
    if questionnaire is None:
        return []
    low: set[str] = set()
    words: list[tuple[str, str, str]] = []
    for qid, answer in response.answers.items():
        question = questionnaire.question(qid)
        value = answer.value
        if question is None or answer.skipped:
            continue
        if question.type is QuestionType.RATING5 and isinstance(value, int) and value <= LOW_RATING:
            low.add(question.dimension)
        elif question.type is QuestionType.TEXT and isinstance(value, str) and value.strip():
            # Only the answer's own language: `completed_between` does not read the response's.
            words.append((qid, value, answer.language or ""))
    return [
        FreeText(f"answer:{response.id}:{qid}", text, language, response.completed_at, tuple(sorted(low)))
        for qid, text, language in words
    ]


async def catch_up(store: Store, *, now: datetime, pivot: Pivot | None = None) -> int:
    """Assign every text written since the last reading, a month at a time (memory stays bounded and
    a crash resumes after the last month done); the number assigned now. A first reading starts at the
    source's oldest text, not at EPOCH (years of empty months were a round trip each)."""
    made = 0
    await store.themes.forget_other_methods(method=METHOD)
    for source in SOURCES:
        read_until = await store.themes.watermark(source=source, method=METHOD)
        start = (read_until or await _earliest(store, source) or now) - OVERLAP
        while start < now:
            end = min(start + WINDOW, now)
            texts = await _read(store, source, start, end)
            made += await _assign(store, texts, pivot, read_until=read_until)
            await store.themes.advance(source=source, method=METHOD, to=end)
            start = end
    return made


async def _earliest(store: Store, source: str) -> datetime | None:
    if source == "feedback":
        return await store.feedback.earliest_received()
    if source == "ticket":
        return await store.tickets.earliest_created()
    firsts = [
        await store.responses.earliest_completed(questionnaire_id=questionnaire_id)
        for questionnaire_id in await store.questionnaires.ids()
    ]
    return min((first for first in firsts if first is not None), default=None)


async def _assign(
    store: Store, texts: list[FreeText], pivot: Pivot | None, *, read_until: datetime | None
) -> int:
    # Only a text stamped before the last reading can have been assigned already (the overlap); one a
    # crash left stored after it is kept as stored and counted once (`add`).
    overlap = [text.key for text in texts if read_until is not None and _aware(text.at) < read_until]
    known = await store.themes.existing(keys=overlap, method=METHOD) if overlap else set()
    docs: list[dict[str, Any]] = []
    for text in texts:
        if text.key in known:
            continue
        english = await pivot(text.text, text.language) if pivot and text.language != "en" else None
        given = assign(text.text, text.language, english=english)
        docs.append(
            {
                "key": text.key,
                "theme": given.theme.value,
                "terms": list(given.terms),
                "at": text.at,
                "day": _aware(text.at).date().isoformat(),
                "dimensions": list(text.dimensions),
                "category": text.category,
            }
        )
    if docs:
        await store.themes.add(docs, method=METHOD)
    return len(docs)


def _period(day: date, unit: str) -> str:
    if unit == "month":
        return f"{day.year}-{day.month:02d}"
    year, week, _ = day.isocalendar()
    return f"{year}-W{week:02d}"


def _shown(counts: Counter[str], min_group: int) -> dict[str, int]:
    return {
        key: n for key, n in sorted(counts.items(), key=lambda item: (-item[1], item[0])) if n >= min_group
    }


async def _words(store: Store, key: str) -> str | None:
    """The text behind an assignment, if it still exists (erased customers' words are gone)."""
    kind, _, rest = key.partition(":")
    if kind == "feedback":
        doc = await store.feedback.get(feedback_id=rest)
        return str(doc.get("text") or "") if doc else None
    if kind == "ticket":
        ticket = await store.tickets.get(ticket_id=rest)
        return ticket.description if ticket and not ticket.redacted_at else None
    response_id, _, qid = rest.partition(":")
    response = await store.responses.get(response_id=response_id)
    answer = response.answers.get(qid) if response else None
    value = answer.value if answer else None
    return value if isinstance(value, str) else None


async def _quotes(store: Store, keys: list[str]) -> tuple[str, ...]:
    """Up to three redacted quotes of a readable length, the most recent first."""
    chosen: list[str] = []
    for key in keys[:QUOTE_LOOKUPS]:
        words = await _words(store, key)
        quote = " ".join(redact(words).split()) if words else ""
        if 15 <= len(quote) <= QUOTE_CHARS and quote not in chosen:
            chosen.append(quote)
        if len(chosen) == MAX_QUOTES:
            break
    return tuple(chosen)


async def themes_for_period(
    store: Store, *, start: date, end: date, min_group: int, now: datetime, pivot: Pivot | None = None
) -> list[Theme]:
    """Themes of the free texts in [start, end] (inclusive days), largest first; themes with fewer
    than `min_group` texts are left out (their texts could single someone out)."""
    await catch_up(store, now=now, pivot=pivot)
    unit = "week" if (end - start).days <= 16 * 7 else "month"
    totals: dict[str, dict[str, Counter[str]]] = {}
    recent: dict[str, list[str]] = {}  # theme → keys of its latest texts, latest day first
    day_docs = await store.themes.days(first=start.isoformat(), last=end.isoformat(), method=METHOD)
    for day_doc in sorted(day_docs, key=lambda doc: str(doc["day"]), reverse=True):
        period = _period(date.fromisoformat(str(day_doc["day"])), unit)
        for entry in day_doc.get("themes") or []:
            recent.setdefault(str(entry["theme"]), []).extend(str(key) for key in entry.get("recent") or [])
            counts = totals.setdefault(
                str(entry["theme"]),
                {"periods": Counter(), "terms": Counter(), "dimensions": Counter(), "categories": Counter()},
            )
            counts["periods"][period] += int(entry["n"])
            for part in ("terms", "dimensions", "categories"):
                counts[part].update({str(name): int(n) for name, n in entry.get(part) or []})
    themes: list[Theme] = []
    for key, counts in totals.items():
        count = sum(counts["periods"].values())
        if count < min_group:
            continue
        top = tuple(term for term, _ in counts["terms"].most_common(5))
        themes.append(
            Theme(
                key=ThemeKey(key),
                label=key.replace("_", " ") + (f": {', '.join(top[:3])}" if top else ""),
                top_terms=top,
                count=count,
                periods={p: (n if n >= min_group else None) for p, n in sorted(counts["periods"].items())},
                dimensions=_shown(counts["dimensions"], min_group),
                categories=_shown(counts["categories"], min_group),
                quotes=await _quotes(store, recent.get(key, [])),
            )
        )
    return sorted(themes, key=lambda theme: (-theme.count, theme.key.value))


def _aware(moment: datetime) -> datetime:
    return moment if moment.tzinfo else moment.replace(tzinfo=UTC)
