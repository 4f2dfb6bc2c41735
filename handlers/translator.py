"""The translation service: one translator that never blocks a conversation.

It implements `conversations.translation.Translator`. `TranslationService.translate` returns a
`Translation` in every case: the provider's translation when it worked, otherwise the original
text with a note for agents ("translation unavailable: timeout"). Providers are blocking
callables (deep-translator uses `requests`) run in a worker thread under a deadline; a cache, a
token-bucket rate limit, a circuit breaker and a bound on concurrent worker threads sit in front
of them. Nothing here imports a vendor library: providers live in `handlers/translation.py`.

Protected tokens. Order numbers, ticket ids, product codes, long digit runs, URLs and e-mail
addresses must reach the agent exactly as the customer wrote them, so they are replaced before
sending by numbered placeholders `{0}`, `{1}`… and put back afterwards. That format is the one
machine-translation engines are built to pass through untouched (it is what translation toolkits
themselves substitute for markup); it holds no letters, so a provider that changes case, adds
spaces ("{ 0 }") or writes full-width brackets and digits for CJK targets ("｛０｝") still returns
something we recognise. A translation is used only if every placeholder came back exactly once and
no unknown one appeared; otherwise the original is returned with a note. Literal `{n}` written by
the customer are protected too, so they cannot be confused with ours.
"""

from __future__ import annotations

import asyncio
import logging
import re
import time
from collections.abc import Callable
from typing import Protocol

from conversations.translation import Translation, text_hash
from core.token_bucket import TokenBucket

log = logging.getLogger("handlers.translator")

# Order numbers, ticket ids, product codes ("A1234-XY", "TCK-20931") and digit runs of 5 or more.
DEFAULT_PROTECTED_PATTERN = r"\b[A-Z]{1,4}-?\d{3,}[A-Z0-9-]*\b|\b\d{5,}\b"

_URL = r"(?:https?://|www\.)[^\s<>\"']*[^\s<>\"'.,;:!?)\]}»]"
_EMAIL = r"[\w.+-]+@[\w-]+(?:\.[\w-]+)+"
# Our own placeholder syntax, so that a customer's literal "{3}" is protected like any token.
_LITERAL_PLACEHOLDER = r"\{\d+\}"
# What we accept back: ASCII or full-width braces, any spacing, any Unicode decimal digits.
_RETURNED_PLACEHOLDER = re.compile(r"[{｛]\s*(\d+)\s*[}｝]")


class UnsupportedLanguage(Exception):
    """A provider cannot translate this language pair (not a provider failure)."""


class TranslationDisabled(Exception):
    """Raised by the "none" provider."""


class TranslationProvider(Protocol):
    name: str

    def translate(self, text: str, *, source: str, target: str) -> str:
        """Blocking; called in a worker thread. Raise on failure."""
        ...


class TranslationCacheRepository(Protocol):
    async def get(self, *, text_hash: str, source: str, target: str, provider: str) -> str | None: ...

    async def put(
        self, *, text_hash: str, source: str, target: str, provider: str, translated_text: str
    ) -> None: ...


class NoneProvider:
    """Translation switched off: agents see originals with "translation disabled"."""

    name = "none"

    def translate(self, text: str, *, source: str, target: str) -> str:
        raise TranslationDisabled


# --- protected tokens -----------------------------------------------------------------------


class ProtectedTokens:
    """Replaces tokens that must not be translated with `{n}` placeholders and restores them."""

    def __init__(self, pattern: str | None = DEFAULT_PROTECTED_PATTERN) -> None:
        parts = [_URL, _EMAIL, _LITERAL_PLACEHOLDER]
        if pattern:
            parts.append(f"(?:{pattern})")
        self._pattern = re.compile("|".join(parts))

    def protect(self, text: str) -> tuple[str, list[str]]:
        tokens: list[str] = []

        def substitute(match: re.Match[str]) -> str:
            tokens.append(match.group(0))
            return "{" + str(len(tokens) - 1) + "}"

        return self._pattern.sub(substitute, text), tokens

    @staticmethod
    def restore(translated: str, tokens: list[str]) -> str | None:
        """The translation with tokens put back, or None if any placeholder was lost or mangled."""
        found = [int(match.group(1)) for match in _RETURNED_PLACEHOLDER.finditer(translated)]
        if sorted(found) != list(range(len(tokens))):
            return None
        return _RETURNED_PLACEHOLDER.sub(lambda match: tokens[int(match.group(1))], translated)


def _has_words(protected_text: str) -> bool:
    return any(ch.isalpha() for ch in _RETURNED_PLACEHOLDER.sub("", protected_text))


# --- rate limit and circuit breaker ---------------------------------------------------------


class CircuitBreaker:
    """Closed → (N consecutive failures) → open for M seconds → half-open: one trial call."""

    def __init__(
        self, failure_threshold: int, open_seconds: float, clock: Callable[[], float] = time.monotonic
    ) -> None:
        self._threshold = failure_threshold
        self._open_seconds = open_seconds
        self._clock = clock
        self._failures = 0
        self._opened_at: float | None = None
        self._trial_in_flight = False

    @property
    def state(self) -> str:
        if self._opened_at is None:
            return "closed"
        if self._clock() - self._opened_at < self._open_seconds:
            return "open"
        return "half-open"

    def allow(self) -> bool:
        """May a call go out now? In half-open state only one trial at a time."""
        state = self.state
        if state == "closed":
            return True
        if state == "open" or self._trial_in_flight:
            return False
        self._trial_in_flight = True
        return True

    def release(self) -> None:
        """The allowed call ended without telling anything about the provider's health."""
        self._trial_in_flight = False

    def record_success(self) -> None:
        self._failures = 0
        self._opened_at = None
        self._trial_in_flight = False

    def record_failure(self) -> None:
        self._failures += 1
        if self._trial_in_flight or self._failures >= self._threshold:
            self._opened_at = self._clock()
        self._trial_in_flight = False


# --- the translator -------------------------------------------------------------------------


class TranslationService:
    """Never raises for provider trouble, never keeps the caller beyond its deadline.

    The caller waits at most `timeout` for the cache lookup, the rate limit, a free worker slot and
    the provider call together, plus at most `cache_timeout` for storing a fresh translation.
    A provider call that hangs keeps its worker thread (threads cannot be killed) and its slot
    until it returns; `max_concurrent_calls` slots bound how many such threads can pile up, and
    when all are taken callers get the original at once-or-by-deadline with "busy".
    """

    def __init__(
        self,
        provider: TranslationProvider,
        cache: TranslationCacheRepository | None,
        *,
        timeout: float = 5.0,
        rate_per_second: float | None = 5.0,
        burst: int = 1,
        failure_threshold: int = 5,
        open_seconds: float = 60.0,
        max_concurrent_calls: int = 4,
        cache_timeout: float = 0.5,
        protected_pattern: str | None = DEFAULT_PROTECTED_PATTERN,
        clock: Callable[[], float] = time.monotonic,
    ) -> None:
        self.provider = provider
        self.failures = 0  # translations that fell back to the original (exported as a metric)
        self._cache = cache
        self._timeout = timeout
        self._cache_timeout = cache_timeout
        self._bucket = (
            TokenBucket(rate=rate_per_second, burst=burst, clock=clock) if rate_per_second else None
        )
        self.breaker = CircuitBreaker(failure_threshold, open_seconds, clock)
        self._slots = asyncio.Semaphore(max_concurrent_calls)
        self._tokens = ProtectedTokens(protected_pattern)
        self._calls: set[asyncio.Task[str]] = set()

    @property
    def enabled(self) -> bool:
        return not isinstance(self.provider, NoneProvider)

    async def translate(self, text: str, *, source: str, target: str) -> Translation:
        name = self.provider.name

        if not text.strip() or source == target:
            return Translation(text, source, target, name, text, False, None)
        if isinstance(self.provider, NoneProvider):
            return Translation(text, source, target, name, text, False, "translation disabled")
        protected, tokens = self._tokens.protect(text)
        if not _has_words(protected):  # only order numbers, links, addresses: nothing to translate
            return Translation(text, source, target, name, text, False, None)
        key = text_hash(text)
        started = time.monotonic()
        reason = "timeout"  # what a deadline expiring at this point means for the agent
        allowed = False  # the breaker let a call out and has not heard how it went
        try:
            async with asyncio.timeout(self._timeout):
                cached = await self._cache_get(key, source, target)
                if cached is not None:
                    restored = self._tokens.restore(cached, tokens)
                    if restored is not None:
                        return Translation(restored, source, target, name, text, True, None)
                if not self.breaker.allow():
                    return self._unavailable(text, source, target, "circuit open", started)
                allowed = True
                if self._bucket is not None:
                    reason = "rate limited"
                    await self._bucket.take()
                reason = "busy"
                await self._slots.acquire()
                reason = "timeout"
                raw = await self._run_in_thread(protected, source, target)
        except TimeoutError:
            if allowed and reason == "timeout":
                self.breaker.record_failure()
            elif allowed:
                self.breaker.release()
            return self._unavailable(text, source, target, reason, started)
        except asyncio.CancelledError:
            # Cancelled by our caller, not by the deadline: nothing learnt about the provider.
            if allowed:
                self.breaker.release()
            raise
        except (UnsupportedLanguage, TranslationDisabled) as error:
            self.breaker.release()
            why = "language not supported" if isinstance(error, UnsupportedLanguage) else "disabled"
            return self._unavailable(text, source, target, why, started)
        except Exception as error:
            self.breaker.record_failure()
            return self._unavailable(
                text, source, target, f"provider error ({type(error).__name__})", started
            )
        if not isinstance(raw, str) or not raw.strip():
            self.breaker.record_failure()
            return self._unavailable(text, source, target, "empty result", started)
        self.breaker.record_success()
        restored = self._tokens.restore(raw, tokens)
        if restored is None:
            return self._unavailable(text, source, target, "protected tokens lost", started)
        await self._cache_put(key, source, target, raw)
        return Translation(restored, source, target, name, text, True, None)

    async def _run_in_thread(self, text: str, source: str, target: str) -> str:
        """Run the provider in a worker thread; the caller holds a slot, released when the thread ends."""
        call = asyncio.create_task(
            asyncio.to_thread(self.provider.translate, text, source=source, target=target)
        )
        self._calls.add(call)
        call.add_done_callback(self._call_finished)
        # Shielded: the deadline abandons the call but does not cancel the thread's future, so the
        # slot comes back only when the thread really ends (a hung call keeps it).
        return await asyncio.shield(call)

    def _unavailable(self, text: str, source: str, target: str, reason: str, started: float) -> Translation:
        self._log_unavailable(reason, source, target, started)
        note = f"translation unavailable: {reason}"
        return Translation(text, source, target, self.provider.name, text, False, note)

    def _call_finished(self, call: asyncio.Task[str]) -> None:
        self._calls.discard(call)
        self._slots.release()
        if not call.cancelled():
            call.exception()  # retrieved: an abandoned call's error must not be reported as unhandled

    async def _cache_get(self, key: str, source: str, target: str) -> str | None:
        if self._cache is None:
            return None
        try:
            async with asyncio.timeout(self._cache_timeout):
                return await self._cache.get(
                    text_hash=key, source=source, target=target, provider=self.provider.name
                )
        except Exception as error:  # the cache is an optimisation: a miss, never a failure
            log.warning("translation cache read failed: %s", type(error).__name__)
            return None

    async def _cache_put(self, key: str, source: str, target: str, translated: str) -> None:
        if self._cache is None:
            return
        try:
            async with asyncio.timeout(self._cache_timeout):
                await self._cache.put(
                    text_hash=key,
                    source=source,
                    target=target,
                    provider=self.provider.name,
                    translated_text=translated,
                )
        except Exception as error:
            log.warning("translation cache write failed: %s", type(error).__name__)

    def _log_unavailable(self, reason: str, source: str, target: str, started: float) -> None:
        self.failures += 1
        # Never the text: reasons and exception class names only.
        log.warning(
            "translation unavailable provider=%s %s->%s reason=%s after=%.2fs breaker=%s",
            self.provider.name,
            source,
            target,
            reason,
            time.monotonic() - started,
            self.breaker.state,
        )
