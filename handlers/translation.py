"""Translation providers over deep-translator, and the factory that picks one from settings.

Every deep-translator call is blocking (`requests`, without a timeout of its own): the
`handlers.translator.TranslationService` runs these in worker threads under its deadline. A fresh
deep-translator object is made per call where construction is free (Google, DeepL, LibreTranslate
keep per-call state on the object, so sharing one across threads would race); Microsoft's
constructor downloads the language list, so its objects are kept per language pair.
deep-translator (with requests and BeautifulSoup, ~9 MiB) is imported by the first translation, so a
bot without a provider (the default) never loads it.
"""

from __future__ import annotations

import threading
from collections.abc import Callable
from typing import Any

from handlers.translator import NoneProvider, TranslationProvider, UnsupportedLanguage

PROVIDER_NAMES = ("google", "deepl", "microsoft", "libretranslate", "none")

# Our language codes (ISO 639-1, as in locales/) where a provider spells them differently.
GOOGLE_CODES = {"zh": "zh-CN", "he": "iw"}
MICROSOFT_CODES = {"zh": "zh-hans"}  # deep-translator lower-cases Microsoft's codes
DEEPL_CODES: dict[str, str] = {}
LIBRE_CODES: dict[str, str] = {}


def _code(codes: dict[str, str], language: str) -> str:
    return codes.get(language, language)


def _build(factory: Callable[[], Any]) -> Any:
    """Construct a deep-translator object; an unknown language is not a provider failure."""
    from deep_translator.exceptions import (
        InvalidSourceOrTargetLanguage,
        LanguageNotSupportedException,
    )

    try:
        return factory()
    except (LanguageNotSupportedException, InvalidSourceOrTargetLanguage) as error:
        raise UnsupportedLanguage(type(error).__name__) from None


def _result(value: Any) -> str:
    if not isinstance(value, str):  # deep-translator returns None on some unexpected pages
        raise ValueError("provider returned no text")
    return value


class GoogleProvider:
    """Google Translate's free web endpoint (no key; unofficial, may be throttled)."""

    name = "google"

    def translate(self, text: str, *, source: str, target: str) -> str:
        from deep_translator import GoogleTranslator

        translator = _build(
            lambda: GoogleTranslator(source=_code(GOOGLE_CODES, source), target=_code(GOOGLE_CODES, target))
        )
        return _result(translator.translate(text))


class DeeplProvider:
    name = "deepl"

    def __init__(self, api_key: str) -> None:
        self._api_key = api_key
        self._free = api_key.endswith(":fx")  # DeepL API Free keys end in ":fx"

    def translate(self, text: str, *, source: str, target: str) -> str:
        from deep_translator import DeeplTranslator

        translator = _build(
            lambda: DeeplTranslator(
                source=_code(DEEPL_CODES, source),
                target=_code(DEEPL_CODES, target),
                api_key=self._api_key,
                use_free_api=self._free,
            )
        )
        return _result(translator.translate(text))


class MicrosoftProvider:
    name = "microsoft"

    def __init__(self, api_key: str, region: str | None) -> None:
        self._api_key = api_key
        self._region = region
        self._translators: dict[tuple[str, str], Any] = {}
        self._lock = threading.Lock()

    def translate(self, text: str, *, source: str, target: str) -> str:
        pair = (_code(MICROSOFT_CODES, source), _code(MICROSOFT_CODES, target))
        with self._lock:
            translator = self._translators.get(pair)
        if translator is None:
            from deep_translator import MicrosoftTranslator

            translator = _build(
                lambda: MicrosoftTranslator(
                    source=pair[0], target=pair[1], api_key=self._api_key, region=self._region
                )
            )
            with self._lock:
                self._translators.setdefault(pair, translator)
        return _result(translator.translate(text))


class LibreTranslateProvider:
    """A LibreTranslate server (usually self-hosted); the key is optional."""

    name = "libretranslate"

    def __init__(self, base_url: str, api_key: str | None) -> None:
        # deep-translator appends "translate" to the URL as given.
        self._base_url = base_url if base_url.endswith("/") else base_url + "/"
        self._api_key = api_key

    def translate(self, text: str, *, source: str, target: str) -> str:
        from deep_translator import LibreTranslator

        def build() -> Any:
            # deep-translator refuses to construct without a key although it only sends one when
            # set; a keyless server gets a stand-in that is cleared before any request.
            translator = LibreTranslator(
                source=_code(LIBRE_CODES, source),
                target=_code(LIBRE_CODES, target),
                api_key=self._api_key or "unused",
                custom_url=self._base_url,
            )
            translator.api_key = self._api_key
            return translator

        return _result(_build(build).translate(text))


def make_provider(
    name: str, *, api_key: str | None, base_url: str | None, region: str | None
) -> TranslationProvider:
    """The provider named in settings; raises ValueError for an unknown name or missing settings."""
    match name.strip().lower():
        case "google":
            return GoogleProvider()
        case "deepl":
            if not api_key:
                raise ValueError("translation provider deepl needs an API key")
            return DeeplProvider(api_key)
        case "microsoft":
            if not api_key:
                raise ValueError("translation provider microsoft needs an API key")
            return MicrosoftProvider(api_key, region)
        case "libretranslate":
            if not base_url:
                raise ValueError("translation provider libretranslate needs a base URL")
            return LibreTranslateProvider(base_url, api_key)
        case "none" | "":
            return NoneProvider()
    raise ValueError(f"unknown translation provider {name!r}; choose one of {', '.join(PROVIDER_NAMES)}")
