"""UI text from the gettext catalogs in this folder, one `.po` file per language."""

from __future__ import annotations

from functools import cache
from io import BytesIO
from pathlib import Path

from babel.messages.catalog import Catalog
from babel.messages.mofile import write_mo
from babel.messages.pofile import read_po
from babel.support import Translations

CATALOG_DIR = Path(__file__).parent
SOURCE_LANGUAGE = "en"
RTL_LANGUAGES = frozenset({"ar", "fa", "he", "ur"})
PLURAL_SUFFIX = ".plural"  # a counted message is msgid KEY, msgid_plural KEY.plural


class Catalogs:
    """Every shipped catalog, read once; lookups fall back to English, then to the key."""

    def __init__(self, directory: Path = CATALOG_DIR) -> None:
        self._messages: dict[str, dict[str, str]] = {}
        self._counted: dict[str, frozenset[str]] = {}
        self._translations: dict[str, Translations] = {}
        for path in sorted(directory.glob("*.po")):
            with path.open("rb") as handle:
                catalog = read_po(handle, locale=None)
            self._messages[path.stem] = {
                str(message.id): str(message.string)
                for message in catalog
                if message.id and message.string and not message.pluralizable
            }
            self._counted[path.stem] = frozenset(
                str(message.id[0])
                for message in catalog
                if message.pluralizable and all(message.string or "")
            )
            self._translations[path.stem] = _translations(catalog)
        if SOURCE_LANGUAGE not in self._messages:
            raise RuntimeError(f"the source catalog {SOURCE_LANGUAGE}.po is missing in {directory}")

    @property
    def languages(self) -> tuple[str, ...]:
        return tuple(self._messages)

    def has(self, language: str) -> bool:
        return language in self._messages

    def text(self, language: str, key: str, /, **values: object) -> str:
        template = self._messages.get(language, {}).get(key)
        if template is None:
            template = self._messages[SOURCE_LANGUAGE].get(key, key)
        return template.format(**values) if values else template

    def count(self, language: str, key: str, n: int, /) -> str:
        """`n` with the counted words of `key` in the form the language's `Plural-Forms` picks for it."""
        if key not in self._counted.get(language, frozenset()):
            language = SOURCE_LANGUAGE
        template = self._translations[language].ngettext(key, key + PLURAL_SUFFIX, n)
        return template.format(n=n)

    def words(self, language: str, key: str) -> list[list[str]]:
        """A `|`-separated word list whose entries may hold `/`-separated alternatives."""
        return [
            [word.strip().casefold() for word in entry.split("/") if word.strip()]
            for entry in self.text(language, key).split("|")
        ]


def _translations(catalog: Catalog) -> Translations:
    # gettext's own plural machinery reads compiled catalogs: compile in memory rather than ship .mo files.
    compiled = BytesIO()
    write_mo(compiled, catalog)
    compiled.seek(0)
    return Translations(compiled)


def is_rtl(language: str) -> bool:
    return language in RTL_LANGUAGES


@cache
def catalogs() -> Catalogs:
    return Catalogs()
