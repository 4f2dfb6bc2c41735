"""Every shipped gettext catalog and the default questionnaire are complete translations."""

from __future__ import annotations

import gettext
import re
import string
from pathlib import Path
from typing import Any

import pytest
import yaml
from babel.messages.catalog import Catalog
from babel.messages.pofile import read_po

from locales.catalog import is_rtl

ROOT = Path(__file__).resolve().parents[2]
LOCALE_DIR = ROOT / "locales"
QUESTIONNAIRE = ROOT / "core" / "questionnaires" / "default.yaml"

SOURCE = "en"
# The first twelve, then issue 18's twelve as each catalog lands.
ADDED_LANGUAGES: set[str] = {"it", "nl", "pl", "uk", "vi", "th", "ms", "hi", "he", "fa", "sv", "cs"}
FIRST_LANGUAGES = {"en", "zh", "es", "fr", "de", "ru", "pt", "ar", "ja", "ko", "tr", "id"}
REQUIRED_LANGUAGES = FIRST_LANGUAGES | ADDED_LANGUAGES
RTL_SHIPPED = ("ar", "he", "fa")
# The gettext rule per language (the GNU gettext manual's table; Arabic and the Slavic languages need
# more than two forms, the languages without grammatical number one).
ONE_FORM = "nplurals=1; plural=0;"
NOT_ONE = "nplurals=2; plural=(n != 1);"
ABOVE_ONE = "nplurals=2; plural=(n > 1);"
WEST_SLAVIC_PL = "nplurals=3; plural=(n==1 ? 0 : n%10>=2 && n%10<=4 && (n%100<10 || n%100>=20) ? 1 : 2);"
WEST_SLAVIC_CS = "nplurals=3; plural=((n==1) ? 0 : (n>=2 && n<=4) ? 1 : 2);"
EAST_SLAVIC = (
    "nplurals=3; plural=(n%10==1 && n%100!=11 ? 0 : n%10>=2 && n%10<=4 && (n%100<10 || n%100>=20) ? 1 : 2);"
)
PLURAL_FORMS = {
    "en": NOT_ONE, "de": NOT_ONE, "es": NOT_ONE, "tr": NOT_ONE, "it": NOT_ONE, "nl": NOT_ONE, "sv": NOT_ONE,
    "he": NOT_ONE,
    "fr": ABOVE_ONE, "pt": ABOVE_ONE, "hi": ABOVE_ONE, "fa": ABOVE_ONE,
    "zh": ONE_FORM, "ja": ONE_FORM, "ko": ONE_FORM, "id": ONE_FORM, "vi": ONE_FORM, "th": ONE_FORM,
    "ms": ONE_FORM,
    "ru": EAST_SLAVIC, "uk": EAST_SLAVIC, "pl": WEST_SLAVIC_PL, "cs": WEST_SLAVIC_CS,
    "ar": "nplurals=6; plural=(n==0 ? 0 : n==1 ? 1 : n==2 ? 2 : n%100>=3 && n%100<=10 ? 3 : n%100>=11 ? 4 : 5);",  # noqa: E501
}  # fmt: skip
COMMANDS = ("/start", "/complain", "/stop", "/mydata", "/delete", "/help", "/language")
COMMAND_RE = re.compile(r"/[a-z]+\b")
LOCALISED_KEYS = ("title", "text")

CATALOG_PATHS = sorted(LOCALE_DIR.glob("*.po"))


def _read(path: Path) -> Catalog:
    with path.open("rb") as handle:
        return read_po(handle)


def _messages(catalog: Catalog) -> dict[str, str]:
    return {
        str(message.id): str(message.string) for message in catalog if message.id and not message.pluralizable
    }


def _plurals(catalog: Catalog) -> dict[str, tuple[str, ...]]:
    """Counted messages: msgid → the forms in Plural-Forms order."""
    return {str(message.id[0]): tuple(message.string or ()) for message in catalog if message.pluralizable}


def _placeholders(text: str) -> set[str]:
    return {field for _, field, _, _ in string.Formatter().parse(text) if field is not None}


@pytest.fixture(scope="module")
def source() -> dict[str, str]:
    return _messages(_read(LOCALE_DIR / f"{SOURCE}.po"))


def test_required_languages_are_shipped() -> None:
    shipped = {path.stem for path in CATALOG_PATHS}
    assert REQUIRED_LANGUAGES <= shipped, REQUIRED_LANGUAGES - shipped


@pytest.mark.parametrize("language", RTL_SHIPPED)
def test_right_to_left_catalogs_are_shipped_and_marked(language: str) -> None:
    path = LOCALE_DIR / f"{language}.po"
    assert path.is_file()
    assert _messages(_read(path))
    assert is_rtl(language)


@pytest.mark.parametrize("path", CATALOG_PATHS, ids=lambda path: path.stem)
class TestCatalog:
    def test_header_language_matches_file_name(self, path: Path) -> None:
        assert str(_read(path).locale) == path.stem

    def test_same_msgids_as_source(self, path: Path, source: dict[str, str]) -> None:
        messages = _messages(_read(path))
        assert set(messages) - set(source) == set(), "msgids missing from en.po"
        assert set(source) - set(messages) == set(), "untranslated msgids"

    def test_same_counted_msgids_as_source(self, path: Path) -> None:
        assert set(_plurals(_read(path))) == set(_plurals(_read(LOCALE_DIR / f"{SOURCE}.po")))

    def test_plural_forms_header_is_the_languages_rule(self, path: Path) -> None:
        header = _read(path).mime_headers
        assert dict(header)["Plural-Forms"].replace(" ;", ";").strip() == PLURAL_FORMS[path.stem]

    def test_counted_messages_have_every_form_with_the_count(self, path: Path) -> None:
        catalog = _read(path)
        many = gettext.c2py(catalog.plural_expr)(5)  # the form used for "5 …" must show the number
        for key, forms in _plurals(catalog).items():
            assert len(forms) == catalog.num_plurals, key
            assert all(form.strip() for form in forms), key
            assert all(_placeholders(form) <= {"n"} for form in forms), key
            assert "{n}" in forms[many], key

    def test_no_empty_msgstr(self, path: Path) -> None:
        empty = [key for key, text in _messages(_read(path)).items() if not text.strip()]
        assert empty == []

    def test_placeholders_match_source(self, path: Path, source: dict[str, str]) -> None:
        messages = _messages(_read(path))
        wrong = {
            key: (_placeholders(source[key]), _placeholders(text))
            for key, text in messages.items()
            if key in source and _placeholders(text) != _placeholders(source[key])
        }
        assert wrong == {}

    def test_line_structure_and_commands_match_source(self, path: Path, source: dict[str, str]) -> None:
        messages = _messages(_read(path))
        for key, text in messages.items():
            if key not in source:
                continue
            assert text.count("\n") == source[key].count("\n"), key
            expected = sorted(c for c in COMMAND_RE.findall(source[key]) if c in COMMANDS)
            found = sorted(c for c in COMMAND_RE.findall(text) if c in COMMANDS)
            assert found == expected, key

    def test_number_words_cover_zero_to_ten(self, path: Path) -> None:
        entries = _messages(_read(path))["numbers.words"].split("|")
        assert len(entries) == 11
        for entry in entries:
            assert [word for word in entry.split("/") if word.strip()], entries

    def test_yes_and_no_words_are_distinct(self, path: Path) -> None:
        messages = _messages(_read(path))

        def words(key: str) -> set[str]:
            return {word.strip().casefold() for word in messages[key].split("|") if word.strip()}

        yes, no = words("yes.words"), words("no.words")
        assert yes and no
        assert yes & no == set()


def _localised_mappings(node: Any, where: str = "") -> list[tuple[str, Any]]:
    """Every `title`/`text` value, and every option text, with a readable location."""
    found: list[tuple[str, Any]] = []
    if isinstance(node, dict):
        for key, value in node.items():
            here = f"{where}.{key}" if where else str(key)
            if key in LOCALISED_KEYS:
                found.append((here, value))
            elif key == "options" and isinstance(value, list):
                for index, option in enumerate(value):
                    spot = f"{here}[{index}]"
                    if isinstance(option, dict) and SOURCE in option:
                        found.append((spot, option))
                    else:
                        found.extend(_localised_mappings(option, spot))
                continue
            found.extend(_localised_mappings(value, here))
    elif isinstance(node, list):
        for index, item in enumerate(node):
            found.extend(_localised_mappings(item, f"{where}[{index}]"))
    return found


def test_questionnaire_texts_cover_every_listed_language() -> None:
    survey = yaml.safe_load(QUESTIONNAIRE.read_text(encoding="utf-8"))
    languages = survey["languages"]
    assert SOURCE in languages
    assert REQUIRED_LANGUAGES <= set(languages)
    assert len(languages) == len(set(languages))

    mappings = _localised_mappings(survey)
    assert any(where == "title" for where, _ in mappings)
    assert sum(where.endswith(".text") for where, _ in mappings) == len(survey["questions"])
    for where, mapping in mappings:
        assert isinstance(mapping, dict), where
        missing = [lang for lang in languages if not str(mapping.get(lang) or "").strip()]
        assert missing == [], f"{where} lacks {missing}"
        assert set(mapping) <= set(languages), f"{where} has unlisted languages"


def test_questionnaire_languages_have_catalogs() -> None:
    survey = yaml.safe_load(QUESTIONNAIRE.read_text(encoding="utf-8"))
    shipped = {path.stem for path in CATALOG_PATHS}
    assert set(survey["languages"]) <= shipped
