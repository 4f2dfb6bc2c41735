"""Typed text and button payloads turned into answer values, with the shipped catalogs."""

from __future__ import annotations

from pathlib import Path

import pytest

from conversations.dialogues.answers import parse_button, parse_typed
from core.questionnaire import Option, Question, QuestionType
from locales.catalog import Catalogs, catalogs

RATING = Question(id="quality", type=QuestionType.RATING5, text={"en": "Rate"})
SCALE = Question(id="recommend", type=QuestionType.SCALE10, text={"en": "0-10"})
YESNO = Question(id="again", type=QuestionType.YESNO, text={"en": "Again?"})
TEXT = Question(id="comments", type=QuestionType.TEXT, required=False, text={"en": "Anything?"})
CHOICE = Question(
    id="channel",
    type=QuestionType.CHOICE,
    text={"en": "Where?", "de": "Wo?"},
    options=(
        Option(value="web", text={"en": "Website", "de": "Webseite"}),
        Option(value="app", text={"en": "Mobile app", "de": "App"}),
    ),
)


@pytest.fixture(scope="module")
def ui() -> Catalogs:
    return catalogs()


def test_catalogs_hold_the_languages_used_below(ui: Catalogs) -> None:
    assert {"en", "es", "de", "zh", "fr", "ja", "ru", "pt", "ar"} <= set(ui.languages)


@pytest.mark.parametrize(
    ("text", "language"),
    [
        ("4", "en"),
        (" 4 ", "en"),
        ("４", "en"),  # full-width digit from a CJK keyboard
        ("4.", "en"),
        ("four", "en"),
        ("Four", "en"),
        ("cuatro", "es"),
        ("四", "zh"),
        ("vier", "de"),
        ("quatre", "fr"),
        ("четыре", "ru"),
        ("٤", "ar"),  # Arabic-Indic digit
        ("quattro", "it"),
        ("vier", "nl"),
        ("cztery", "pl"),
        ("чотири", "uk"),
        ("bốn", "vi"),
        ("สี่", "th"),
        ("empat", "ms"),
        ("चार", "hi"),
        ("४", "hi"),  # Devanagari digit
        ("ארבע", "he"),
        ("چهار", "fa"),
        ("۴", "fa"),  # Persian digit
        ("fyra", "sv"),
        ("čtyři", "cs"),
    ],
)
def test_rating5_accepts_four_in_many_forms(ui: Catalogs, text: str, language: str) -> None:
    assert parse_typed(RATING, text, language=language, catalogs=ui) == 4


@pytest.mark.parametrize("text", ["0", "6", "zero", "six", "10", "-1", "4/5", "great", ""])
def test_rating5_rejects_out_of_range_and_garbage(ui: Catalogs, text: str) -> None:
    assert parse_typed(RATING, text, language="en", catalogs=ui) is None


@pytest.mark.parametrize(
    ("text", "language"),
    [("vier", "en"), ("cuatro", "en"), ("four", "es"), ("четыре", "de"), ("dört", "fr"), ("四", "ar")],
)
def test_number_words_of_every_shipped_language_count(ui: Catalogs, text: str, language: str) -> None:
    assert parse_typed(RATING, text, language=language, catalogs=ui) == 4


def test_a_word_that_means_different_numbers_in_two_languages_is_no_answer(tmp_path: Path) -> None:
    shipped = (("en", "zero|one|two|three|four|five"), ("xx", "a|b|c|d|five|f"), ("yy", "n0|n1|n2|n3|n4|n5"))
    for language, words in shipped:
        header = f'msgid ""\nmsgstr "Language: {language}\\n"\n\n'
        (tmp_path / f"{language}.po").write_text(f'{header}msgid "numbers.words"\nmsgstr "{words}"\n')
    ambiguous = Catalogs(tmp_path)
    assert parse_typed(SCALE, "five", language="xx", catalogs=ambiguous) == 4  # its own language first
    assert parse_typed(SCALE, "d", language="en", catalogs=ambiguous) == 3
    assert parse_typed(SCALE, "five", language="yy", catalogs=ambiguous) is None  # 5 in en, 4 in xx


@pytest.mark.parametrize(
    ("text", "language", "expected"),
    [
        ("Satisfied", "en", 4),
        ("satisfied", "en", 4),
        ("Very dissatisfied", "en", 1),
        ("Very satisfied", "en", 5),
        ("Zufrieden", "de", 4),
        ("Muy insatisfecho", "es", 1),
        ("Zadowolony", "pl", 4),
        ("Velmi spokojený", "cs", 5),
        ("بسیار ناراضی", "fa", 1),
    ],
)
def test_rating_label_typed_out(ui: Catalogs, text: str, language: str, expected: int) -> None:
    assert parse_typed(RATING, text, language=language, catalogs=ui) == expected


@pytest.mark.parametrize(
    ("text", "language", "expected"),
    [("10", "en", 10), ("0", "en", 0), ("diez", "es", 10), ("zero", "en", 0), ("十", "zh", 10)],
)
def test_scale10_range(ui: Catalogs, text: str, language: str, expected: int) -> None:
    assert parse_typed(SCALE, text, language=language, catalogs=ui) == expected


@pytest.mark.parametrize("text", ["11", "99", "-1", "eleven", "Satisfied"])
def test_scale10_rejects_outside_0_to_10(ui: Catalogs, text: str) -> None:
    assert parse_typed(SCALE, text, language="en", catalogs=ui) is None


@pytest.mark.parametrize(
    ("text", "language", "expected"),
    [
        ("yes", "en", True),
        ("Yes!", "en", True),
        ("no", "en", False),
        ("sí", "es", True),
        ("Sí", "es", True),
        ("no", "es", False),
        ("ja", "de", True),
        ("Nein", "de", False),
        ("oui", "fr", True),
        ("non", "fr", False),
        ("是", "zh", True),
        ("不", "zh", False),
        ("да", "ru", True),
        ("нет", "ru", False),
        ("sim", "pt", True),
        ("não", "pt", False),
        ("نعم", "ar", True),
        ("لا", "ar", False),
        ("はい", "ja", True),
        ("いいえ", "ja", False),
        ("sì", "it", True),
        ("nee", "nl", False),
        ("tak", "pl", True),
        ("ні", "uk", False),
        ("vâng", "vi", True),
        ("ไม่ใช่", "th", False),
        ("tidak", "ms", False),
        ("हाँ", "hi", True),
        ("כן", "he", True),
        ("نه", "fa", False),
        ("nej", "sv", False),
        ("ano", "cs", True),
    ],
)
def test_yes_no_words_per_language(ui: Catalogs, text: str, language: str, expected: bool) -> None:
    assert parse_typed(YESNO, text, language=language, catalogs=ui) is expected


@pytest.mark.parametrize("text", ["maybe", "", "4", "oui"])
def test_yes_no_rejects_other_text(ui: Catalogs, text: str) -> None:
    assert parse_typed(YESNO, text, language="en", catalogs=ui) is None


@pytest.mark.parametrize(
    ("text", "language", "expected"),
    [("Website", "en", "web"), ("app", "en", "app"), ("2", "en", "app"), ("Webseite", "de", "web")],
)
def test_choice_by_label_value_or_position(ui: Catalogs, text: str, language: str, expected: str) -> None:
    assert parse_typed(CHOICE, text, language=language, catalogs=ui) == expected


@pytest.mark.parametrize("text", ["3", "shop", ""])
def test_choice_rejects_unknown(ui: Catalogs, text: str) -> None:
    assert parse_typed(CHOICE, text, language="en", catalogs=ui) is None


def test_free_text_is_stripped(ui: Catalogs) -> None:
    assert parse_typed(TEXT, "  The box was crushed.  \n", language="en", catalogs=ui) == (
        "The box was crushed."
    )


@pytest.mark.parametrize("text", ["", "   ", "\n\t "])
def test_empty_free_text_is_no_answer(ui: Catalogs, text: str) -> None:
    assert parse_typed(TEXT, text, language="en", catalogs=ui) is None


def test_text_looking_like_a_mongo_operator_stays_plain_text(ui: Catalogs) -> None:
    value = parse_typed(TEXT, '{"$gt": ""}', language="en", catalogs=ui)
    assert value == '{"$gt": ""}'
    assert isinstance(value, str)


# --- buttons ---------------------------------------------------------------------------------


@pytest.mark.parametrize(("value", "expected"), [("1", 1), ("5", 5)])
def test_button_rating(value: str, expected: int) -> None:
    assert parse_button(RATING, value) == expected


@pytest.mark.parametrize(("value", "expected"), [("0", 0), ("10", 10)])
def test_button_scale(value: str, expected: int) -> None:
    assert parse_button(SCALE, value) == expected


def test_button_yes_no_and_choice() -> None:
    assert parse_button(YESNO, "yes") is True
    assert parse_button(YESNO, "no") is False
    assert parse_button(CHOICE, "web") == "web"


@pytest.mark.parametrize(
    ("question", "value"),
    [
        (RATING, "a:q:99"),
        (RATING, "x"),
        (RATING, ""),
        (RATING, "0"),
        (RATING, "6"),
        (RATING, "99"),
        (RATING, "-1"),
        (RATING, " 4"),
        (SCALE, "11"),
        (SCALE, "a:recommend:10"),
        (YESNO, "true"),
        (YESNO, "Yes"),
        (YESNO, ""),
        (CHOICE, "shop"),
        (CHOICE, "Website"),
        (CHOICE, ""),
        (TEXT, "anything"),
        (TEXT, ""),
    ],
)
def test_button_rejects_forged_values(question: Question, value: str) -> None:
    assert parse_button(question, value) is None


@pytest.mark.parametrize("value", ["²", "①"])
def test_button_rejects_digit_like_characters_without_crashing(value: str) -> None:
    assert parse_button(RATING, value) is None
