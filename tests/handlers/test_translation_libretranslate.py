"""The real deep-translator LibreTranslator against a fake LibreTranslate API on 127.0.0.1.

deep-translator POSTs to `<base>/translate` with q, source, target, format (and api_key when
set) as query parameters and reads `translatedText` from the JSON answer; 403 and other error
statuses raise.
"""

from __future__ import annotations

import time

import pytest

from handlers.translation import LibreTranslateProvider, make_provider
from handlers.translator import TranslationService
from tests.fakes.libretranslate import FakeLibreTranslate


async def test_translates_through_real_deep_translator(libre: FakeLibreTranslate) -> None:
    provider = make_provider("libretranslate", api_key=None, base_url=libre.base_url, region=None)
    translator = TranslationService(provider, None, rate_per_second=None)
    result = await translator.translate("ma commande A1234-XY", source="fr", target="en")
    assert result.translated, result.note
    assert (result.text, result.provider) == ("[en] MA COMMANDE A1234-XY", "libretranslate")
    assert libre.requests == [{"q": "ma commande {0}", "source": "fr", "target": "en", "format": "text"}]


async def test_api_key_is_sent_when_configured(libre: FakeLibreTranslate) -> None:
    provider = LibreTranslateProvider(libre.base_url + "/", "k-123")
    result = await TranslationService(provider, None, rate_per_second=None).translate(
        "bonjour", source="fr", target="de"
    )
    assert result.text == "[de] BONJOUR"
    assert libre.requests[0]["api_key"] == "k-123"


@pytest.mark.parametrize(("status", "error"), [(500, "ServerException"), (403, "AuthorizationException")])
async def test_error_response_returns_original_with_note(
    libre: FakeLibreTranslate, status: int, error: str
) -> None:
    libre.status = status
    translator = TranslationService(
        # With a key: deep-translator builds its 403 message from the key (a TypeError without one).
        make_provider("libretranslate", api_key="k-123", base_url=libre.base_url, region=None),
        None,
        rate_per_second=None,
    )
    result = await translator.translate("bonjour", source="fr", target="en")
    assert (result.text, result.translated) == ("bonjour", False)
    assert result.note == f"translation unavailable: provider error ({error})"


async def test_unsupported_language_is_reported_without_a_request(libre: FakeLibreTranslate) -> None:
    translator = TranslationService(
        make_provider("libretranslate", api_key=None, base_url=libre.base_url, region=None), None
    )
    result = await translator.translate("bonjour", source="fr", target="xx")
    assert result.note == "translation unavailable: language not supported"
    assert libre.requests == []


async def test_hanging_server_hits_the_translator_timeout(libre: FakeLibreTranslate) -> None:
    libre.hang = True
    translator = TranslationService(
        make_provider("libretranslate", api_key=None, base_url=libre.base_url, region=None),
        None,
        timeout=0.3,
        rate_per_second=None,
    )
    started = time.monotonic()
    result = await translator.translate("bonjour", source="fr", target="en")
    assert time.monotonic() - started < 0.6
    assert (result.text, result.note) == ("bonjour", "translation unavailable: timeout")
    assert len(libre.requests) == 1


def test_factory_names_and_required_settings() -> None:
    assert make_provider("none", api_key=None, base_url=None, region=None).name == "none"
    assert make_provider("Google", api_key=None, base_url=None, region=None).name == "google"
    assert make_provider("deepl", api_key="x:fx", base_url=None, region=None).name == "deepl"
    assert make_provider("microsoft", api_key="x", base_url=None, region="westeurope").name == "microsoft"
    for name in ("deepl", "microsoft", "libretranslate", "yandex"):
        with pytest.raises(ValueError):
            make_provider(name, api_key=None, base_url=None, region=None)
