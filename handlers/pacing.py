"""Outgoing-message pacing: token buckets per chat (short bursts allowed) under one global bucket."""

from __future__ import annotations

import asyncio
import time
from collections import OrderedDict
from collections.abc import Callable

from core.token_bucket import Sleep, TokenBucket


class Pacer:
    def __init__(
        self,
        *,
        global_rate: float,
        chat_rate: float,
        chat_burst: int,
        max_chats: int = 10_000,
        clock: Callable[[], float] = time.monotonic,
        sleep: Sleep = asyncio.sleep,
    ) -> None:
        self._clock = clock
        self._sleep = sleep
        # No burst overall: Telegram counts messages in any one second, so a burst on top of the
        # rate (30 at once, then 30 a second) would break the limit in the first second.
        self._global = TokenBucket(rate=global_rate, burst=1.0, clock=clock, sleep=sleep)
        self._chat_rate = chat_rate
        self._chat_burst = chat_burst
        self._chats: OrderedDict[str, TokenBucket] = OrderedDict()
        self._max_chats = max_chats
        self._queued = 0  # callers of `wait` waiting for the global limit
        self._none_queued = asyncio.Event()
        self._none_queued.set()
        self._spare = asyncio.Lock()

    def _bucket(self, chat: str) -> TokenBucket:
        bucket = self._chats.get(chat)
        if bucket is None:
            bucket = TokenBucket(
                rate=self._chat_rate, burst=self._chat_burst, clock=self._clock, sleep=self._sleep
            )
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
        self._queued += 1
        self._none_queued.clear()
        try:
            await self._global.take()
        finally:
            self._queued -= 1
            if not self._queued:
                self._none_queued.set()

    async def wait_spare(self, chat: str) -> None:
        """For a message that can wait (tidying): it goes only while no other waits for the global
        limit, one at a time, so at the limit it waits until the rush is over."""
        await self._bucket(chat).take()
        async with self._spare:
            while self._queued:
                await self._none_queued.wait()
            await self._global.take()

    def retry_after(self, chat: str, seconds: float) -> None:
        self._bucket(chat).pause(seconds)
