"""A token bucket: a steady rate with short bursts, shared by message pacing and provider limits."""

from __future__ import annotations

import asyncio
import time
from collections.abc import Awaitable, Callable

Sleep = Callable[[float], Awaitable[None]]


class TokenBucket:
    """`rate` tokens per second, holding at most `burst`; `take` waits until one is available."""

    def __init__(
        self,
        *,
        rate: float,
        burst: float,
        clock: Callable[[], float] = time.monotonic,
        sleep: Sleep = asyncio.sleep,
    ) -> None:
        if rate <= 0 or burst < 1:
            raise ValueError("rate must be > 0 and burst >= 1")
        self._rate = rate
        self._burst = float(burst)
        self._tokens = float(burst)
        self._clock = clock
        self._sleep = sleep
        self._stamp = clock()
        self._lock = asyncio.Lock()

    def _refill(self) -> None:
        now = self._clock()
        self._tokens = min(self._burst, self._tokens + (now - self._stamp) * self._rate)
        self._stamp = now

    async def take(self) -> None:
        async with self._lock:
            self._refill()
            # The tolerance keeps float rounding (0.9999999…) from looping on ever smaller sleeps.
            while self._tokens < 1 - 1e-9:
                await self._sleep((1 - self._tokens) / self._rate)
                self._refill()
            self._tokens -= 1

    def pause(self, seconds: float) -> None:
        """Empty the bucket for `seconds` (the platform said: retry after)."""
        self._refill()
        self._tokens = min(self._tokens, 0.0) - seconds * self._rate

    @property
    def idle(self) -> bool:
        self._refill()
        return self._tokens >= self._burst
