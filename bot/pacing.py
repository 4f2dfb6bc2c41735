"""Outgoing-message pacing: token buckets per chat (short bursts allowed) under one global bucket."""

from __future__ import annotations

import asyncio
import time
from collections import OrderedDict


class TokenBucket:
    """`rate` tokens per second, holding at most `burst`; `take` waits until one is available."""

    def __init__(self, *, rate: float, burst: float) -> None:
        self._rate = rate
        self._burst = burst
        self._tokens = burst
        self._stamp = time.monotonic()
        self._lock = asyncio.Lock()

    def _refill(self) -> None:
        now = time.monotonic()
        self._tokens = min(self._burst, self._tokens + (now - self._stamp) * self._rate)
        self._stamp = now

    async def take(self) -> None:
        async with self._lock:
            self._refill()
            if self._tokens < 1:
                await asyncio.sleep((1 - self._tokens) / self._rate)
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


class Pacer:
    def __init__(
        self, *, global_rate: float, chat_rate: float, chat_burst: int, max_chats: int = 10_000
    ) -> None:
        self._global = TokenBucket(rate=global_rate, burst=max(1.0, global_rate))
        self._chat_rate = chat_rate
        self._chat_burst = chat_burst
        self._chats: OrderedDict[str, TokenBucket] = OrderedDict()
        self._max_chats = max_chats

    def _bucket(self, chat: str) -> TokenBucket:
        bucket = self._chats.get(chat)
        if bucket is None:
            bucket = TokenBucket(rate=self._chat_rate, burst=self._chat_burst)
            self._chats[chat] = bucket
            self._forget_idle()
        self._chats.move_to_end(chat)
        return bucket

    def _forget_idle(self) -> None:
        # A full bucket carries no information, so dropping it loses nothing.
        while len(self._chats) > self._max_chats:
            chat, bucket = next(iter(self._chats.items()))
            if not bucket.idle:
                break
            del self._chats[chat]

    async def wait(self, chat: str) -> None:
        await self._bucket(chat).take()
        await self._global.take()

    def retry_after(self, chat: str, seconds: float) -> None:
        self._bucket(chat).pause(seconds)
