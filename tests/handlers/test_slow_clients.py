"""Slow and half-sent requests are dropped (issue 16, item 7); what the server reveals (item 9)."""

from __future__ import annotations

import asyncio

from tests.handlers import raw_http
from tests.handlers.telegram_harness import BotRunner

SHOP_KEY = "shop-key-for-slow-clients-01"


async def _trickle(port: int, first: bytes, drip: bytes) -> bytes:
    """Send `first`, then `drip` again and again; what the server answers before closing (b"": nothing).

    The drip never stops on its own, so only the server's timeouts can end this (within the bound).
    """
    reader, writer = await asyncio.open_connection("127.0.0.1", port)
    try:
        writer.write(first)
        async with asyncio.timeout(raw_http.TIMEOUT):
            while True:
                try:
                    writer.write(drip)
                    await writer.drain()
                except ConnectionError:
                    return b""
                try:
                    return await asyncio.wait_for(reader.read(4096), 0.2)
                except TimeoutError:
                    continue
    finally:
        writer.close()


async def test_half_sent_heads_and_bodies_are_dropped(polling: BotRunner) -> None:
    bot = await polling.start(
        SHOP_API_KEY=SHOP_KEY, HTTP_HEADER_TIMEOUT_SECONDS=1, HTTP_BODY_TIMEOUT_SECONDS=1
    )
    assert bot.server is not None
    port = bot.server.port
    head_only = b"POST /api/v1/invitations HTTP/1.1\r\nHost: 127.0.0.1\r\n"
    full_head = (
        b"POST /api/v1/invitations HTTP/1.1\r\nHost: 127.0.0.1\r\nContent-Type: application/json\r\n"
        + f"Authorization: Bearer {SHOP_KEY}\r\nContent-Length: 100000\r\n\r\n".encode()
    )
    heads = [_trickle(port, head_only, b"X-Slow: 1\r\n") for _ in range(30)]
    bodies = [_trickle(port, full_head, b" ") for _ in range(30)]
    answers = await asyncio.gather(*heads, *bodies)
    # A head that never ends: the connection is closed without an answer (nothing to answer to).
    assert all(answer == b"" for answer in answers[:30]), {a[:40] for a in answers[:30]}
    # A body that never ends: 408, then closed.
    assert all(answer.startswith(b"HTTP/1.1 408") for answer in answers[30:]), {a[:40] for a in answers[30:]}
    healthy = await raw_http.request(port, "GET", "/healthz", [])
    assert healthy.status == 200
    metrics = await raw_http.request(port, "GET", "/metrics", [])
    assert b'feedback_bot_http_refused_total{channel="api"} 30' in metrics.body.splitlines()


async def test_no_versions_in_the_server_header_and_metrics_behind_a_token(polling: BotRunner) -> None:
    bot = await polling.start(METRICS_TOKEN="metrics-token-for-tests")
    assert bot.server is not None
    port = bot.server.port
    health = await raw_http.request(port, "GET", "/healthz", [])
    assert health.headers["server"] == "feedback-bot"
    assert (await raw_http.request(port, "GET", "/metrics", [])).status == 401
    wrong = [(b"Authorization", b"Bearer \xff")]
    assert (await raw_http.request(port, "GET", "/metrics", wrong)).status == 401
    right = [(b"Authorization", b"Bearer metrics-token-for-tests")]
    answer = await raw_http.request(port, "GET", "/metrics", right)
    assert answer.status == 200 and answer.headers["server"] == "feedback-bot"
    assert b"feedback_bot_reply_seconds_count" in answer.body
