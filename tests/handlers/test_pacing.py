"""Outgoing pacing: per-chat token buckets with bursts, under a global bucket; retry_after pauses."""

from __future__ import annotations

import asyncio
import time
from collections.abc import Awaitable

from core.token_bucket import TokenBucket
from handlers.pacing import Pacer

# Generous slack: these tests assert ordering and lower bounds, never tight upper bounds.
INSTANT = 0.1


async def _timed(awaitable: Awaitable[None]) -> float:
    started = time.monotonic()
    await awaitable
    return time.monotonic() - started


async def test_burst_goes_out_at_once_then_the_rate_applies() -> None:
    pacer = Pacer(global_rate=1000, chat_rate=5, chat_burst=3)
    started = time.monotonic()
    for _ in range(3):
        await pacer.wait("chat-a")
    burst = time.monotonic() - started
    assert burst < INSTANT

    waited = await _timed(pacer.wait("chat-a"))
    assert waited >= 0.9 * (1 / 5)  # about 1/rate once the burst is spent
    assert waited < 1.0


async def test_bucket_refills_after_a_pause() -> None:
    pacer = Pacer(global_rate=1000, chat_rate=10, chat_burst=2)
    await pacer.wait("c")
    await pacer.wait("c")
    await asyncio.sleep(0.25)  # 2.5 tokens' worth of time, capped at the burst of 2
    assert await _timed(pacer.wait("c")) < INSTANT
    assert await _timed(pacer.wait("c")) < INSTANT
    assert await _timed(pacer.wait("c")) >= 0.9 * 0.1


async def test_different_chats_do_not_wait_on_each_other() -> None:
    pacer = Pacer(global_rate=1000, chat_rate=2, chat_burst=1)
    await pacer.wait("busy")
    finished: list[str] = []

    async def send(chat: str) -> None:
        await pacer.wait(chat)
        finished.append(chat)

    started = time.monotonic()
    busy = asyncio.create_task(send("busy"))  # must wait ~0.5 s for its chat's next token
    await asyncio.sleep(0)  # let it take the chat's lock and start sleeping
    assert await _timed(send("quiet")) < INSTANT
    await busy
    assert finished == ["quiet", "busy"]
    assert time.monotonic() - started >= 0.9 * 0.5


async def test_messages_of_one_chat_keep_their_order() -> None:
    pacer = Pacer(global_rate=1000, chat_rate=20, chat_burst=1)
    order: list[int] = []

    async def send(n: int) -> None:
        await pacer.wait("c")
        order.append(n)

    await asyncio.gather(*(send(n) for n in range(5)))
    assert order == [0, 1, 2, 3, 4]


async def test_global_rate_limits_all_chats_together() -> None:
    pacer = Pacer(global_rate=4, chat_rate=100, chat_burst=10)
    started = time.monotonic()
    for n in range(5):  # the global burst is 4; the fifth waits ~1/4 s whatever its chat
        await pacer.wait(f"chat-{n}")
    assert time.monotonic() - started >= 0.9 * 0.25


async def test_retry_after_pauses_that_chat_only() -> None:
    pacer = Pacer(global_rate=1000, chat_rate=10, chat_burst=5)
    await pacer.wait("limited")
    pacer.retry_after("limited", 0.5)
    assert await _timed(pacer.wait("other")) < INSTANT
    assert await _timed(pacer.wait("limited")) >= 0.5


async def test_token_bucket_pause_empties_a_full_bucket() -> None:
    bucket = TokenBucket(rate=10, burst=3)
    assert bucket.idle
    bucket.pause(0.3)
    assert not bucket.idle
    assert await _timed(bucket.take()) >= 0.3


async def test_idle_chats_are_forgotten_beyond_max_chats() -> None:
    pacer = Pacer(global_rate=1000, chat_rate=1000, chat_burst=1, max_chats=2)
    for chat in ("a", "b", "c"):
        await pacer.wait(chat)
    await asyncio.sleep(0.01)  # every bucket refills (1000/s), so all are idle
    await pacer.wait("d")
    assert len(pacer._chats) <= 2  # memory stays bounded by max_chats
    assert "d" in pacer._chats


async def test_spare_messages_wait_while_others_wait_for_the_global_limit() -> None:
    """Tidying (old buttons off) takes only capacity nobody else is waiting for."""
    pacer = Pacer(global_rate=20, chat_rate=1000, chat_burst=100)
    order: list[str] = []

    async def send(name: str, *, spare: bool = False) -> None:
        await (pacer.wait_spare if spare else pacer.wait)(name)
        order.append(name)

    await pacer.wait("first")  # the global bucket (burst 1) is empty now: the next ones queue
    tasks = [asyncio.create_task(send(f"reply-{i}")) for i in range(3)]
    await asyncio.sleep(0)
    tidy = asyncio.create_task(send("tidy", spare=True))
    await asyncio.sleep(0)
    tasks += [asyncio.create_task(send(f"reply-{i}")) for i in range(3, 5)]
    await asyncio.gather(*tasks, tidy)
    assert order == [f"reply-{i}" for i in range(5)] + ["tidy"]


async def test_a_spare_message_goes_at_once_when_nothing_waits() -> None:
    pacer = Pacer(global_rate=1000, chat_rate=1000, chat_burst=10)
    assert await _timed(pacer.wait_spare("quiet")) < INSTANT
