"""UI text from the gettext catalogs in this folder, one `.po` file per language."""

from __future__ import annotations

from functools import cache
from pathlib import Path

from babel.messages.pofile import read_po

CATALOG_DIR = Path(__file__).parent
SOURCE_LANGUAGE = "en"
RTL_LANGUAGES = frozenset({"ar", "fa", "he", "ur"})


class Catalogs:
    """Every shipped catalog, read once; lookups fall back to English, then to the key."""

    def __init__(self, directory: Path = CATALOG_DIR) -> None:
        self._messages: dict[str, dict[str, str]] = {}
        for path in sorted(directory.glob("*.po")):
            with path.open("rb") as handle:
                catalog = read_po(handle, locale=None)
            self._messages[path.stem] = {
                str(message.id): str(message.string) for message in catalog if message.id and message.string
            }
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

    def words(self, language: str, key: str) -> list[list[str]]:
        """A `|`-separated word list whose entries may hold `/`-separated alternatives."""
        return [
            [word.strip().casefold() for word in entry.split("/") if word.strip()]
            for entry in self.text(language, key).split("|")
        ]


def is_rtl(language: str) -> bool:
    return language in RTL_LANGUAGES


@cache
def catalogs() -> Catalogs:
    return Catalogs()
