"""A customer whose language the shop does not serve: a deliberate fallback, a note saying so, a count."""

from __future__ import annotations

from babel import Locale, UnknownLocaleError

from conversations.detection import KNOWN
from conversations.translation import Translator
from locales.catalog import SOURCE_LANGUAGE, Catalogs

# ISO 639 codes that name no language: undetermined, multiple, no linguistic content.
_NOT_A_LANGUAGE = frozenset({"und", "mul", "zxx", "mis"})


def of_hint(hint: str | None, served: tuple[str, ...]) -> str | None:
    """The language a platform hint ("it", "uk-UA") names when it is a real one the shop does not serve."""
    if not hint:
        return None
    base = hint.strip().lower().replace("_", "-").split("-", 1)[0]
    if not base.isascii() or not base.isalpha() or not 2 <= len(base) <= 3 or base in served:
        return None
    if base in KNOWN or (base not in _NOT_A_LANGUAGE and base in Locale.parse(SOURCE_LANGUAGE).languages):
        return base
    return None  # a platform's odd value is no signal


def fallback_for(language: str, *, fallbacks: dict[str, str], default: str, served: tuple[str, ...]) -> str:
    """The shop's chosen neighbour (`FALLBACK_LANGUAGES`) when it is served, else the default language."""
    chosen = fallbacks.get(language)
    return chosen if chosen in served else default


def language_name(code: str, *, in_language: str) -> str:
    """The name of `code` as written in `in_language` ("Italian", "italiano"); the code when unknown."""
    try:
        name = Locale.parse(in_language).languages.get(code)
    except (ValueError, UnknownLocaleError):
        name = None
    return name or code


async def note(
    language: str, fallback: str, *, catalogs: Catalogs, translator: Translator | None
) -> tuple[str, str]:
    """The note and the language it is written in: the customer's own when a provider translates it,
    else the fallback language, naming the customer's language so they see it was understood."""
    if translator is not None and translator.enabled:
        english = catalogs.text(
            SOURCE_LANGUAGE,
            "language.unserved",
            language=language_name(language, in_language=SOURCE_LANGUAGE),
            fallback=language_name(fallback, in_language=SOURCE_LANGUAGE),
        )
        translated = await translator.translate(english, source=SOURCE_LANGUAGE, target=language)
        if translated.translated:
            return translated.text, language
    text = catalogs.text(
        fallback,
        "language.unserved",
        language=language_name(language, in_language=fallback),
        fallback=language_name(fallback, in_language=fallback),
    )
    return text, fallback
