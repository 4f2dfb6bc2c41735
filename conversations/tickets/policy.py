"""What a complaint may contain, who handles it and by when: the company's rules as data."""

from __future__ import annotations

import re
from dataclasses import dataclass, field
from datetime import datetime, timedelta
from enum import StrEnum

from conversations.tickets.working_time import Calendar, Counting


class Category(StrEnum):
    PRODUCT_QUALITY = "product_quality"
    WRONG_ITEM = "wrong_item"
    LOGISTICS = "logistics"
    AFTER_SALES = "after_sales"
    PAYMENT = "payment"
    ATTITUDE = "attitude"
    OTHER = "other"


class Expectation(StrEnum):
    REFUND = "refund"
    REPLACEMENT = "replacement"
    REPAIR = "repair"
    PARTIAL_REFUND = "partial_refund"
    APOLOGY = "apology"
    OTHER = "other"


class ContactTime(StrEnum):
    MORNING = "morning"
    AFTERNOON = "afternoon"
    EVENING = "evening"
    ANY = "any"


class Deadline(StrEnum):
    FIRST_CONTACT = "first_contact"
    RESOLUTION = "resolution"


# Words that make a complaint urgent, matched in the customer's words and in their translation for
# agents (so one English list covers every language once translated). Whole words, any case.
DEFAULT_URGENT_WORDS = (
    "injury",
    "injured",
    "hurt",
    "burn",
    "burned",
    "fire",
    "smoke",
    "explode",
    "exploded",
    "poison",
    "allergic",
    "hospital",
    "lawyer",
    "attorney",
    "lawsuit",
    "sue",
    "court",
    "police",
    "chargeback",
    "fraud",
    "scam",
    "press",
    "journalist",
    "newspaper",
)


# Written without spaces between words (Thai), with prefixes glued on (Arabic's "al-", "bi-", Hebrew's
# "ha-", "be-"), or with vowel signs that `\w` does not count as letters, so a word falls apart into
# pieces (Hindi, Thai): a listed word is looked for inside the text rather than among its words.
UNSPACED_LANGUAGES = frozenset({"ar", "he", "hi", "ja", "th", "zh"})


def listed_words_in(texts: tuple[str, ...], lists: dict[str, list[str]]) -> list[str]:
    """The words of per-language lists found in `texts`: whole words, "word*" as a word's beginning,
    "two words" as a phrase, and anywhere inside the text for the languages written without spaces."""
    folded = [text.casefold() for text in texts]
    tokens = [re.findall(r"\w+", text) for text in folded]
    words = {token for found in tokens for token in found}
    spaced = [f" {' '.join(found)} " for found in tokens]
    hits: list[str] = []
    for language, listed in lists.items():
        for entry in listed:
            stem = entry.removesuffix("*")
            if language in UNSPACED_LANGUAGES:
                hit = any(stem in text for text in folded)
            elif " " in stem:
                hit = any(f" {stem} " in text for text in spaced)
            elif entry.endswith("*"):
                hit = any(word.startswith(stem) for word in words)
            else:
                hit = stem in words
            if hit and stem not in hits:
                hits.append(stem)
    return hits


@dataclass(frozen=True, slots=True)
class Team:
    name: str
    channel: str | None = None  # the agents' chat channel (a Slack channel id); None: default channel
    calendar: Calendar = field(default_factory=Calendar)


@dataclass(frozen=True, slots=True)
class ComplaintPolicy:
    order_pattern: re.Pattern[str] = re.compile(r"[A-Za-z0-9][A-Za-z0-9-]{3,31}")
    order_example: str = "A1234-5678"
    teams: dict[str, Team] = field(default_factory=lambda: {"support": Team("support")})
    routing: dict[str, str] = field(default_factory=dict)  # category -> team name
    default_team: str = "support"
    counting: Counting = Counting.WORKING_DAYS
    first_contact_hours: float = 48.0
    resolution_hours: float = 72.0
    reminder_share: float = 0.75
    followup_working_days: int = 3
    max_photos: int = 10
    max_text: int = 2000
    max_product: int = 200
    urgent_words: tuple[str, ...] = DEFAULT_URGENT_WORDS
    urgent_words_per_language: bool = True
    """Also the shipped catalogs' lists (`urgent.words`), so "Anwalt" counts without a translation;
    off when the operator gives their own list."""

    def __post_init__(self) -> None:
        if self.default_team not in self.teams:
            raise ValueError(f"default team {self.default_team!r} is not among the teams")
        unknown = sorted(set(self.routing.values()) - set(self.teams))
        if unknown:
            raise ValueError(f"routing names unknown teams: {', '.join(unknown)}")
        categories = sorted(set(self.routing) - set(Category))
        if categories:
            raise ValueError(f"routing names unknown categories: {', '.join(categories)}")

    def team_for(self, category: str) -> Team:
        return self.teams[self.routing.get(category, self.default_team)]

    def valid_order(self, text: str) -> bool:
        return self.order_pattern.fullmatch(text) is not None

    def deadlines(self, team: Team, start: datetime) -> dict[Deadline, datetime]:
        hours = {Deadline.FIRST_CONTACT: self.first_contact_hours, Deadline.RESOLUTION: self.resolution_hours}
        return {kind: team.calendar.add(start, value, self.counting) for kind, value in hours.items()}

    def reminder_at(self, start: datetime, deadline: datetime) -> datetime:
        return start + timedelta(seconds=(deadline - start).total_seconds() * self.reminder_share)

    def urgent_words_in(self, *texts: str) -> list[str]:
        found: list[str] = []
        for text in texts:
            words = set(re.findall(r"\w+", text.casefold()))
            found.extend(word for word in self.urgent_words if word in words and word not in found)
        return found
