"""Which language to speak: platform codes normalised, then explicit > stored > hint > default."""

from __future__ import annotations

import pytest

from conversations.language import choose, normalise, parse_fallbacks, served
from locales.catalog import catalogs

SUPPORTED = ("en", "zh", "es", "fr", "de", "ru", "pt", "ar", "ja")


@pytest.mark.parametrize(
    ("code", "expected"),
    [
        ("pt-br", "pt"),
        ("pt-BR", "pt"),
        ("pt_PT", "pt"),
        ("zh-Hans", "zh"),
        ("zh-CN", "zh"),
        ("en_US", "en"),
        ("en-GB", "en"),
        ("EN", "en"),
        (" de ", "de"),
        ("ar", "ar"),
        ("xx", None),
        ("xx-US", None),
        ("", None),
        (None, None),
    ],
)
def test_normalise(code: str | None, expected: str | None) -> None:
    assert normalise(code, SUPPORTED) == expected


@pytest.mark.parametrize(
    ("code", "expected"),
    [("uk-UA", "uk"), ("he-IL", "he"), ("iw", "he"), ("iw-IL", "he"), ("in-ID", "id"), ("fa-IR", "fa")],
)
def test_normalise_the_newer_languages_and_javas_legacy_codes(code: str, expected: str) -> None:
    assert normalise(code, catalogs().languages) == expected


def test_normalise_only_returns_supported_languages() -> None:
    assert normalise("pt-br", ("en", "de")) is None
    assert normalise("zh-Hans", ("en",)) is None
    assert normalise("de-AT", ("en", "de")) == "de"


def test_the_shipped_catalogs_cover_the_supported_set() -> None:
    assert set(SUPPORTED) <= set(catalogs().languages)


def test_explicit_beats_everything() -> None:
    assert choose(explicit="fr", stored="de", hint="es", default="en", supported=SUPPORTED) == "fr"


def test_stored_beats_hint_and_default() -> None:
    assert choose(explicit=None, stored="de", hint="es", default="en", supported=SUPPORTED) == "de"


def test_hint_beats_default_and_is_normalised() -> None:
    assert choose(explicit=None, stored=None, hint="pt-BR", default="en", supported=SUPPORTED) == "pt"
    assert choose(explicit=None, stored=None, hint="zh-Hans", default="en", supported=SUPPORTED) == "zh"


def test_default_when_nothing_is_known() -> None:
    assert choose(explicit=None, stored=None, hint=None, default="en", supported=SUPPORTED) == "en"
    assert choose(explicit=None, stored=None, hint="xx", default="ja", supported=SUPPORTED) == "ja"


def test_unsupported_candidates_are_skipped() -> None:
    assert choose(explicit="kl", stored="de", hint="es", default="en", supported=SUPPORTED) == "de"
    assert choose(explicit="kl", stored="tlh", hint="es-MX", default="en", supported=SUPPORTED) == "es"
    assert choose(explicit="", stored="", hint="", default="en", supported=SUPPORTED) == "en"


def test_served_needs_a_catalog_and_the_questionnaire() -> None:
    assert served(("en", "de", "uk"), ("uk", "en", "it")) == ("en", "uk")
    assert served(("en",), ()) == ()


@pytest.mark.parametrize(
    ("value", "expected"),
    [("", {}), ("uk=ru", {"uk": "ru"}), (" uk = ru , BE=ru,", {"uk": "ru", "be": "ru"})],
)
def test_fallback_languages_are_parsed(value: str, expected: dict[str, str]) -> None:
    assert parse_fallbacks(value) == expected


@pytest.mark.parametrize("value", ["uk", "uk=", "=ru", "uk:ru", "uk=ru,uk=be", "u k=ru", "uk=r1"])
def test_malformed_fallback_languages_are_named(value: str) -> None:
    with pytest.raises(ValueError, match=r"expected LANGUAGE=LANGUAGE|given twice"):
        parse_fallbacks(value)
