"""Turning a button payload or typed text into an answer value for a question."""

from __future__ import annotations

import re
import unicodedata

from core.questionnaire import Question, QuestionType
from locales.catalog import Catalogs

_DIGITS = re.compile(r"^\s*(\d{1,2})\s*[.!)]?\s*$")


def _normalise(text: str) -> str:
    # NFKC folds full-width digits (５) and compatibility forms customers type on CJK keyboards.
    return unicodedata.normalize("NFKC", text).strip().casefold().rstrip(".!。！")


def _number(text: str, *, language: str, catalogs: Catalogs) -> int | None:
    folded = _normalise(text)
    match = _DIGITS.match(folded)
    if match:
        return int(match.group(1))
    own = _number_word(folded, language, catalogs)
    if own is not None:
        return own
    # Customers write numbers in the language they count in ("cuatro" in an English chat); a word
    # that means different numbers in different languages is no answer.
    meanings = {_number_word(folded, other, catalogs) for other in catalogs.languages if other != language}
    meanings.discard(None)
    return meanings.pop() if len(meanings) == 1 else None


def _number_word(folded: str, language: str, catalogs: Catalogs) -> int | None:
    for value, alternatives in enumerate(catalogs.words(language, "numbers.words")):
        if folded in alternatives:
            return value
    return None


def _yes_no(text: str, *, language: str, catalogs: Catalogs) -> bool | None:
    folded = _normalise(text)
    yes = {w for entry in catalogs.words(language, "yes.words") for w in entry}
    no = {w for entry in catalogs.words(language, "no.words") for w in entry}
    yes.add(_normalise(catalogs.text(language, "button.yes")))
    no.add(_normalise(catalogs.text(language, "button.no")))
    if folded in yes:
        return True
    if folded in no:
        return False
    return None


def typed_navigation(text: str, *, language: str, catalogs: Catalogs) -> str | None:
    """Back or skip, when the message is just that button's label (channels without buttons)."""
    folded = _normalise(text)
    for action in ("back", "skip"):
        if folded in {action, _normalise(catalogs.text(language, f"button.{action}"))}:
            return action
    return None


def parse_typed(
    question: Question, text: str, *, language: str, catalogs: Catalogs
) -> int | str | bool | None:
    """The answer a typed message gives, or None when it is not a valid answer."""
    match question.type:
        case QuestionType.RATING5:
            number = _number(text, language=language, catalogs=catalogs)
            if number is not None:
                return number if 1 <= number <= 5 else None
            labels = {_normalise(catalogs.text(language, f"rating.{v}")): v for v in range(1, 6)}
            return labels.get(_normalise(text))
        case QuestionType.SCALE10:
            number = _number(text, language=language, catalogs=catalogs)
            return number if number is not None and 0 <= number <= 10 else None
        case QuestionType.YESNO:
            return _yes_no(text, language=language, catalogs=catalogs)
        case QuestionType.CHOICE:
            folded = _normalise(text)
            number = _number(text, language=language, catalogs=catalogs)
            for position, option in enumerate(question.options, start=1):
                names = {_normalise(label) for label in option.text.values()}
                if folded in names or folded == option.value or number == position:
                    return option.value
            return None
        case QuestionType.TEXT:
            stripped = text.strip()
            return stripped or None


def parse_button(question: Question, value: str) -> int | str | bool | None:
    """The answer a button payload value encodes, or None if it is not one of the question's."""
    match question.type:
        case QuestionType.RATING5 | QuestionType.SCALE10:
            # isdecimal() alone admits "²" or "٣"; payloads are ours, so only ASCII digits are genuine.
            if not (value.isascii() and value.isdigit()) or len(value) > 2:
                return None
            number = int(value)
            low, high = (1, 5) if question.type is QuestionType.RATING5 else (0, 10)
            return number if low <= number <= high else None
        case QuestionType.YESNO:
            return {"yes": True, "no": False}.get(value)
        case QuestionType.CHOICE:
            return value if any(o.value == value for o in question.options) else None
        case QuestionType.TEXT:
            return None
