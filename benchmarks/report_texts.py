"""Free texts for the seeded year of `benchmarks.reports`: answers to the default questionnaire's
"what went wrong" question, complaint descriptions and suggestions, in the customers' languages.

The words are the lines of the themes benchmark's held-out set (`benchmarks/data/themes_holdout.tsv`,
hand-written for this project, CC0-1.0: one line per theme in each of the 24 shipped languages). A
customer who rated low writes a complaint line of their language, one who rated high a line of
praise; a complaint's ticket gets the category its theme belongs to. Deterministic for a seed.
"""

from __future__ import annotations

import random
from datetime import UTC, date, datetime, time, timedelta
from typing import Any

from benchmarks.themes import HELD_OUT, load
from conversations.tickets.policy import Category
from core.tickets import Status

TEXT_QUESTION = "what_went_wrong"
CATEGORY = {
    "delivery_time": Category.LOGISTICS,
    "parcel_damage": Category.LOGISTICS,
    "product_quality": Category.PRODUCT_QUALITY,
    "wrong_item": Category.WRONG_ITEM,
    "price_payment": Category.PAYMENT,
    "refund_return": Category.AFTER_SALES,
    "customer_service": Category.ATTITUDE,
    "website_app": Category.OTHER,
}
TEAMS = ("logistics", "quality", "customer_care")


class TextSeeder:
    def __init__(self, rng: random.Random, *, questionnaire_version: int) -> None:
        self._rng = rng
        self._version = questionnaire_version
        self._lines: dict[tuple[str, bool], list[tuple[str, str]]] = {}
        for theme, language, text in load(HELD_OUT):
            self._lines.setdefault((language, theme == "praise"), []).append((theme, text))
        self._serial = 0

    def _line(self, language: str, praise: bool) -> tuple[str, str, str]:
        language = language if (language, praise) in self._lines else "en"
        theme, text = self._rng.choice(self._lines[(language, praise)])
        return theme, text, language

    def _moment(self, day: date) -> datetime:
        return datetime.combine(day, time(), UTC) + timedelta(seconds=self._rng.randrange(86_400))

    def _id(self, prefix: str) -> str:
        self._serial += 1
        return f"{prefix}{self._serial}"

    def answer(
        self, day: date, language: str, answers: dict[str, Any], mood: int
    ) -> tuple[dict[str, Any], Any]:
        """The text answer to add to a response, and the completed response document holding it."""
        _, text, language = self._line(language, praise=mood >= 4)
        value = {"value": text, "skipped": False, "language": language}
        response_id = self._id("r")
        doc = {
            "_id": response_id,
            "customer_id": f"c-{response_id}",  # every stored response has one (Responses.start)
            "questionnaire_id": "default",
            "questionnaire_version": self._version,
            "status": "complete",
            "language": language,
            "completed_at": self._moment(day),
            "answers": {**answers, TEXT_QUESTION: value},
        }
        return value, doc

    def ticket(self, day: date, language: str) -> dict[str, Any]:
        """A complaint of that day, handled (closed, contact and resolution mostly on time)."""
        theme, text, language = self._line(language, praise=False)
        created = self._moment(day)
        contact, resolved = (
            created + timedelta(hours=self._rng.uniform(1, 30)),
            created + timedelta(hours=self._rng.uniform(10, 120)),
        )
        ticket_id = self._id("t")
        return {
            "_id": ticket_id,
            "source": f"benchmark:{ticket_id}",  # what opened it: unique per ticket
            "category": CATEGORY[theme].value,
            "team": self._rng.choice(TEAMS),
            "urgent": self._rng.random() < 0.1,
            "status": Status.CLOSED.value,
            "created_at": created,
            "closed_at": resolved,
            "deadlines": {
                "first_contact": created + timedelta(hours=24),
                "resolution": created + timedelta(hours=72),
            },
            "met": {"first_contact": contact, "resolution": resolved},
            "description": text,
            "description_language": language,
            "history": [{"action": "accepted the resolution"}] if self._rng.random() < 0.7 else [],
        }

    def suggestion(self, day: date, language: str) -> dict[str, Any]:
        _, text, language = self._line(language, praise=self._rng.random() < 0.4)
        return {
            "_id": self._id("f"),
            "kind": "suggestion",
            "text": text,
            "language": language,
            "received_at": self._moment(day),
        }
