"""Invitations sent into customers' chats at Telegram's limits, through the real bot and shop API.

    python -m benchmarks.invitation_rate [--customers 600]

The fake Bot API enforces Telegram's limits as 429 "Too Many Requests": more than 30 messages in
any second overall, or, in one chat, more than a burst of 4 and then 1 a second.
First every customer opens an invitation link (so the bot knows their chat); then the shop invites
them all again at once through `POST /api/v1/invitations`, and the bot sends the invitations into
the chats as durable jobs. Printed: the sending rate overall (first to last), the best and worst
one-second windows, and the number of 429 answers (the target: ≥ 29 messages/s and none).
"""

from __future__ import annotations

import argparse
import asyncio
import collections
import tempfile
import time
from datetime import UTC, datetime, timedelta
from typing import Any

from aiohttp import ClientSession

from bot.app import FeedbackBot
from bot.settings import load_settings
from tests.fakes.telegram_api import ApiError, FakeTelegram, JSONDict

SHOP_KEY = "invitation-rate-benchmark-key"
FIRST_CHAT = 600_001


class LimitedTelegram(FakeTelegram):
    """Answers 429 as Telegram does when the bot sends faster than allowed."""

    def __init__(self) -> None:
        super().__init__()
        self.sent_at: list[float] = []
        self.floods = 0
        self._per_chat: dict[int, collections.deque[float]] = collections.defaultdict(collections.deque)

    async def _send_message(self, params: JSONDict) -> JSONDict:
        now = time.monotonic()
        recent = [t for t in self.sent_at[-40:] if now - t < 1.0]
        chat = self._per_chat[int(params["chat_id"])]
        while chat and now - chat[0] >= 4.0:
            chat.popleft()
        if len(recent) >= 30 or len(chat) >= 4 + int(now - chat[0] if chat else 0):
            self.floods += 1
            raise ApiError(429, "Too Many Requests: retry after 1", retry_after=1)
        self.sent_at.append(now)
        chat.append(now)
        return await super()._send_message(params)


async def invite(
    session: ClientSession, base: str, customer: int, order: str, send_at: datetime | None = None
) -> dict[str, Any]:
    body = {"customer_ref": f"cust-{customer}", "order_ref": order, "questionnaire": "default"}
    if send_at is not None:
        body["send_at"] = send_at.isoformat()
    headers = {"Authorization": f"Bearer {SHOP_KEY}"}
    async with session.post(f"{base}/api/v1/invitations", json=body, headers=headers) as response:
        result: dict[str, Any] = await response.json()
        return result


async def main(customers: int) -> None:
    fake = LimitedTelegram()
    await fake.start()
    with tempfile.TemporaryDirectory() as folder:
        settings = load_settings(
            TELEGRAM_BOT_TOKEN=fake.token,
            TELEGRAM_API_BASE_URL=fake.base_url,
            MONGODB_URI=None,
            FEEDBACK_BOT_DATA_DIR=folder,
            FEEDBACK_BOT_PORT=0,
            SHOP_API_KEY=SHOP_KEY,
            QUIET_HOURS="00:00-00:00",
            TELEGRAM_POLL_TIMEOUT=1,
        )
        bot = FeedbackBot(settings)
        await bot.start()
        assert bot.server is not None
        base = f"http://127.0.0.1:{bot.server.port}"
        async with ClientSession() as session:
            # Round 1: every customer opens a link, which tells the bot their chat.
            for n in range(customers):
                result = await invite(session, base, n, f"first-{n}")
                fake.queue_update(
                    fake.text_update(chat_id=FIRST_CHAT + n, text=f"/start {result['start_payload']}")
                )
            await fake.wait_for(lambda: len(fake.sent_at) >= customers, timeout=600)
            await asyncio.sleep(2)
            floods_before, sent_before = fake.floods, len(fake.sent_at)
            # Round 2: the shop invites everyone again for one moment (a campaign); the bot sends
            # into their chats as soon as it is due.
            send_at = datetime.now(UTC) + timedelta(seconds=5 + customers * 0.06)
            for n in range(customers):
                await invite(session, base, n, f"second-{n}", send_at)
            started = time.monotonic()
            await fake.wait_for(lambda: len(fake.sent_at) >= sent_before + customers, timeout=600)
        times = fake.sent_at[sent_before:]
        seconds = times[-1] - times[0]
        windows = collections.Counter(int(t - times[0]) for t in times)
        full = [count for second, count in windows.items() if second < int(seconds)]
        rate = len(times) / seconds
        print(f"invitations sent into chats: {len(times)} in {seconds:.1f} s → {rate:.1f} messages/s")
        print(f"one-second windows: best {max(full)} , worst full second {min(full)}")
        print(f"all {customers} invitations were created before they fell due ({started - times[0]:+.1f} s)")
        flooded = fake.floods - floods_before
        print(f"429 answers while inviting: {flooded} (while opening links: {floods_before})")
        await bot.stop()
    await fake.stop()


if __name__ == "__main__":
    parser = argparse.ArgumentParser(
        description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter
    )
    parser.add_argument("--customers", type=int, default=600)
    asyncio.run(main(parser.parse_args().customers))
