"""The Translator with small in-test providers: caching, deadlines, breaker, rate limit, tokens."""

from __future__ import annotations

import asyncio
import logging
import threading
import time

import pytest

from handlers.translator import NoneProvider, ProtectedTokens, TranslationService, UnsupportedLanguage


class MemoryCache:
    def __init__(self) -> None:
        self.entries: dict[tuple[str, str, str, str], str] = {}

    async def get(self, *, text_hash: str, source: str, target: str, provider: str) -> str | None:
        return self.entries.get((provider, source, target, text_hash))

    async def put(
        self, *, text_hash: str, source: str, target: str, provider: str, translated_text: str
    ) -> None:
        self.entries[(provider, source, target, text_hash)] = translated_text


class Upper:
    """Translates by upper-casing; records what it was sent and when."""

    name = "upper"

    def __init__(self) -> None:
        self.sent: list[str] = []
        self.times: list[float] = []

    def translate(self, text: str, *, source: str, target: str) -> str:
        self.sent.append(text)
        self.times.append(time.monotonic())
        return text.upper()


class ReorderUpper(Upper):
    """Reverses word order, upper-cases, and writes placeholders full-width with spaces (as CJK MT may)."""

    def translate(self, text: str, *, source: str, target: str) -> str:
        self.sent.append(text)
        words = " ".join(reversed(text.split())).upper()
        return words.replace("{", "｛ ").replace("}", " ｝").replace("0", "０")


class DropsPlaceholders(Upper):
    def translate(self, text: str, *, source: str, target: str) -> str:
        self.sent.append(text)
        return text.replace("{1}", "").upper()


class Duplicates(Upper):
    def translate(self, text: str, *, source: str, target: str) -> str:
        self.sent.append(text)
        return (text + " {0}").upper()


class Hangs:
    name = "hangs"

    def __init__(self) -> None:
        self.release = threading.Event()
        self.calls = 0

    def translate(self, text: str, *, source: str, target: str) -> str:
        self.calls += 1
        self.release.wait(30)
        return text


class Flaky:
    name = "flaky"

    def __init__(self) -> None:
        self.failing = True
        self.calls = 0

    def translate(self, text: str, *, source: str, target: str) -> str:
        self.calls += 1
        if self.failing:
            raise RuntimeError(f"boom on {text}")  # the text in an error must not reach the logs
        return f"ok: {text}"


class NoJapanese(Upper):
    def translate(self, text: str, *, source: str, target: str) -> str:
        if target == "ja":
            raise UnsupportedLanguage(target)
        return super().translate(text, source=source, target=target)


async def test_translates_and_cache_hit_avoids_second_call() -> None:
    provider, cache = Upper(), MemoryCache()
    translator = TranslationService(provider, cache, rate_per_second=None)
    first = await translator.translate("bonjour", source="fr", target="en")
    second = await translator.translate("bonjour", source="fr", target="en")
    assert first.text == second.text == "BONJOUR"
    assert first.translated and second.translated and second.note is None
    assert (first.provider, first.original, first.source, first.target) == ("upper", "bonjour", "fr", "en")
    assert provider.sent == ["bonjour"]
    await translator.translate("bonjour", source="fr", target="de")  # another pair is another entry
    assert len(provider.sent) == 2


async def test_same_language_and_empty_text_are_untouched() -> None:
    provider = Upper()
    translator = TranslationService(provider, MemoryCache())
    same = await translator.translate("hello", source="en", target="en")
    empty = await translator.translate("  ", source="fr", target="en")
    assert (same.text, same.translated, same.note) == ("hello", False, None)
    assert (empty.text, empty.translated) == ("  ", False)
    assert provider.sent == []


async def test_text_of_only_protected_tokens_is_not_sent() -> None:
    provider = Upper()
    result = await TranslationService(provider, None).translate(
        "https://shop.example/o/1 A1234-XY", source="fr", target="en"
    )
    assert (result.text, result.translated) == ("https://shop.example/o/1 A1234-XY", False)
    assert provider.sent == []


async def test_none_provider_is_disabled() -> None:
    service = TranslationService(NoneProvider(), MemoryCache())
    result = await service.translate("hola", source="es", target="en")
    assert (result.text, result.translated, result.note, result.provider) == (
        "hola",
        False,
        "translation disabled",
        "none",
    )


async def test_hung_provider_returns_original_in_time_without_blocking_the_loop(
    caplog: pytest.LogCaptureFixture,
) -> None:
    provider = Hangs()
    translator = TranslationService(provider, MemoryCache(), timeout=0.3, rate_per_second=None)
    ticks = 0
    stop = asyncio.Event()

    async def ticker() -> None:
        nonlocal ticks
        while not stop.is_set():
            ticks += 1
            await asyncio.sleep(0.01)

    ticking = asyncio.create_task(ticker())
    try:
        with caplog.at_level(logging.DEBUG):
            started = time.monotonic()
            result = await translator.translate("secret complaint text", source="fr", target="en")
            elapsed = time.monotonic() - started
        stop.set()
        await ticking
        assert (result.text, result.translated) == ("secret complaint text", False)
        assert result.note == "translation unavailable: timeout"
        assert 0.29 <= elapsed < 0.5
        assert ticks >= 15  # the other coroutine ran all along
        assert "secret" not in caplog.text and "timeout" in caplog.text
    finally:
        provider.release.set()


async def test_hung_calls_keep_their_slot_so_further_calls_fail_fast_as_busy() -> None:
    provider = Hangs()
    translator = TranslationService(
        provider, None, timeout=0.2, rate_per_second=None, max_concurrent_calls=1, failure_threshold=10
    )
    try:
        first = await translator.translate("un", source="fr", target="en")
        second = await translator.translate("deux", source="fr", target="en")
        assert first.note == "translation unavailable: timeout"
        assert second.note == "translation unavailable: busy"
        assert provider.calls == 1  # no second thread was started
    finally:
        provider.release.set()
    await asyncio.sleep(0.05)  # the thread ends and gives its slot back
    provider.release.set()
    third = await translator.translate("trois", source="fr", target="en")
    assert third.translated and provider.calls == 2


async def test_circuit_opens_after_failures_then_half_opens(caplog: pytest.LogCaptureFixture) -> None:
    provider = Flaky()
    translator = TranslationService(
        provider, None, rate_per_second=None, failure_threshold=3, open_seconds=0.2
    )
    with caplog.at_level(logging.DEBUG):
        for _ in range(3):
            failed = await translator.translate("texte privé", source="fr", target="en")
            assert failed.note == "translation unavailable: provider error (RuntimeError)"
    assert "privé" not in caplog.text
    assert translator.breaker.state == "open"
    skipped = await translator.translate("texte", source="fr", target="en")
    assert skipped.note == "translation unavailable: circuit open"
    assert provider.calls == 3

    await asyncio.sleep(0.25)  # cool-down over: one trial, which fails and re-opens at once
    assert translator.breaker.state == "half-open"
    await translator.translate("texte", source="fr", target="en")
    assert provider.calls == 4 and translator.breaker.state == "open"
    await translator.translate("texte", source="fr", target="en")
    assert provider.calls == 4

    await asyncio.sleep(0.25)
    provider.failing = False
    recovered = await translator.translate("texte", source="fr", target="en")
    assert recovered.text == "ok: texte" and translator.breaker.state == "closed"


async def test_half_open_lets_only_one_trial_through() -> None:
    provider = Hangs()
    translator = TranslationService(
        provider, None, timeout=0.3, rate_per_second=None, failure_threshold=1, open_seconds=0.1
    )
    try:
        await translator.translate("a", source="fr", target="en")  # times out: open
        await asyncio.sleep(0.15)
        trial, other = await asyncio.gather(
            translator.translate("b", source="fr", target="en"),
            translator.translate("c", source="fr", target="en"),
        )
        assert trial.note == "translation unavailable: timeout"
        assert other.note == "translation unavailable: circuit open"
        assert provider.calls == 2
    finally:
        provider.release.set()


async def test_unsupported_language_does_not_trip_the_breaker() -> None:
    translator = TranslationService(NoJapanese(), None, rate_per_second=None, failure_threshold=1)
    result = await translator.translate("hello", source="en", target="ja")
    assert result.note == "translation unavailable: language not supported"
    assert translator.breaker.state == "closed"


async def test_rate_limit_spaces_calls() -> None:
    provider = Upper()
    translator = TranslationService(provider, None, rate_per_second=10, burst=1)
    await asyncio.gather(*(translator.translate(f"mot {i}", source="fr", target="en") for i in range(4)))
    gaps = [b - a for a, b in zip(provider.times, provider.times[1:], strict=False)]
    assert len(gaps) == 3 and min(gaps) >= 0.085


async def test_rate_limit_wait_beyond_deadline_returns_original() -> None:
    provider = Upper()
    translator = TranslationService(provider, None, rate_per_second=1, burst=1, timeout=0.2)
    first, second = await asyncio.gather(
        translator.translate("un", source="fr", target="en"),
        translator.translate("deux", source="fr", target="en"),
    )
    assert first.translated
    assert second.note == "translation unavailable: rate limited"
    assert translator.breaker.state == "closed"


async def test_protected_tokens_survive_reordering_and_case_changes() -> None:
    provider = ReorderUpper()
    text = (
        "Bonjour, ma commande A1234-XY (#99812345) est sur https://shop.example/orders/a1b2?x=y, "
        "écrivez à jane.doe+sav@example.org merci"
    )
    result = await TranslationService(provider, MemoryCache(), rate_per_second=None).translate(
        text, source="fr", target="en"
    )
    assert result.translated, result.note
    for token in (
        "A1234-XY",
        "#99812345",
        "https://shop.example/orders/a1b2?x=y",
        "jane.doe+sav@example.org",
    ):
        assert token in result.text
    assert "MERCI" in result.text
    sent = provider.sent[0]
    assert "@" not in sent and "http" not in sent and "99812345" not in sent and "A1234" not in sent


async def test_customer_literal_placeholders_are_protected_too() -> None:
    provider = Upper()
    result = await TranslationService(provider, None, rate_per_second=None).translate(
        "voir {1} et {0}", source="fr", target="en"
    )
    assert result.text == "VOIR {1} ET {0}" and result.translated


@pytest.mark.parametrize("provider", [DropsPlaceholders(), Duplicates()])
async def test_mangled_placeholder_returns_original(provider: Upper) -> None:
    cache = MemoryCache()
    text = "commande A1234-XY et B5678 pour moi"
    service = TranslationService(provider, cache, rate_per_second=None)
    result = await service.translate(text, source="fr", target="en")
    assert (result.text, result.translated) == (text, False)
    assert result.note == "translation unavailable: protected tokens lost"
    assert cache.entries == {}


def test_placeholder_restore_requires_each_exactly_once() -> None:
    tokens = ProtectedTokens()
    protected, found = tokens.protect("mail a@b.co about 123456")
    assert protected == "mail {0} about {1}" and found == ["a@b.co", "123456"]
    assert tokens.restore("ABOUT { 1 } MAIL ｛０｝", found) == "ABOUT 123456 MAIL a@b.co"
    assert tokens.restore("MAIL {0}", found) is None
    assert tokens.restore("MAIL {0} {1} {1}", found) is None
    assert tokens.restore("MAIL {0} {1} {2}", found) is None


async def test_cache_failure_is_a_miss_not_an_error() -> None:
    class Broken:
        async def get(self, *, text_hash: str, source: str, target: str, provider: str) -> str | None:
            raise ConnectionError("mongo down")

        async def put(
            self, *, text_hash: str, source: str, target: str, provider: str, translated_text: str
        ) -> None:
            await asyncio.sleep(10)

    started = time.monotonic()
    result = await TranslationService(Upper(), Broken(), rate_per_second=None, cache_timeout=0.1).translate(
        "salut", source="fr", target="en"
    )
    assert result.text == "SALUT" and time.monotonic() - started < 0.5
