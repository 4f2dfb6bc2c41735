"""Counted messages take the form the language's gettext plural rule picks."""

from __future__ import annotations

import pytest

from locales.catalog import Catalogs, catalogs, is_rtl


@pytest.fixture(scope="module")
def ui() -> Catalogs:
    return catalogs()


@pytest.mark.parametrize(
    ("language", "expected"),
    [
        ("en", ["1 day", "2 days", "5 days", "21 days", "22 days", "11 days"]),
        ("ru", ["1 день", "2 дня", "5 дней", "21 день", "22 дня", "11 дней"]),
        ("ar", ["يوم واحد", "يومين", "5 أيام", "21 يومًا", "22 يومًا", "11 يومًا"]),
        ("ja", ["1日間", "2日間", "5日間", "21日間", "22日間", "11日間"]),
        ("uk", ["1 день", "2 дні", "5 днів", "21 день", "22 дні", "11 днів"]),
    ],
)
def test_days_take_the_languages_plural_form(ui: Catalogs, language: str, expected: list[str]) -> None:
    assert [ui.count(language, "count.days", n) for n in (1, 2, 5, 21, 22, 11)] == expected


def test_french_and_portuguese_count_zero_as_singular(ui: Catalogs) -> None:
    assert ui.count("fr", "count.minutes", 0) == "0 minute"
    assert ui.count("pt", "count.minutes", 0) == "0 minuto"
    assert ui.count("es", "count.minutes", 0) == "0 minutos"


def test_arabic_hundreds_take_the_singular_noun(ui: Catalogs) -> None:
    assert [ui.count("ar", "count.days", n) for n in (100, 103, 111)] == ["100 يوم", "103 أيام", "111 يومًا"]


def test_unknown_language_or_key_falls_back_to_english(ui: Catalogs) -> None:
    assert ui.count("xx", "count.questions", 3) == "3 short questions"


def test_consent_text_counts_in_the_customers_language(ui: Catalogs) -> None:
    text = ui.text(
        "ru",
        "consent.text",
        company="Acme",
        questions=ui.count("ru", "count.questions", 2),
        title="заказ",
        duration=ui.count("ru", "count.minutes", 3),
        retention=ui.count("ru", "count.days", 365),
        privacy_url="https://acme.example/privacy",
    )
    assert "2 коротких вопроса" in text and "3 минуты" in text and "365 дней" in text


@pytest.mark.parametrize(
    ("language", "expected"),
    [
        (
            "pl",
            [
                "1 krótkie pytanie",
                "2 krótkie pytania",
                "5 krótkich pytań",
                "12 krótkich pytań",
                "22 krótkie pytania",
            ],
        ),
        (
            "cs",
            [
                "1 krátkou otázku",
                "2 krátké otázky",
                "5 krátkých otázek",
                "12 krátkých otázek",
                "22 krátkých otázek",
            ],
        ),
        (
            "uk",
            [
                "1 коротке запитання",
                "2 короткі запитання",
                "5 коротких запитань",
                "12 коротких запитань",
                "22 короткі запитання",
            ],
        ),
    ],
)
def test_questions_take_the_languages_plural_form(ui: Catalogs, language: str, expected: list[str]) -> None:
    assert [ui.count(language, "count.questions", n) for n in (1, 2, 5, 12, 22)] == expected


def test_only_arabic_hebrew_and_persian_read_right_to_left(ui: Catalogs) -> None:
    assert {code for code in ui.languages if is_rtl(code)} == {"ar", "he", "fa"}
