"""Runs the real bot (python-telegram-bot over HTTP) against the fake Bot API and the embedded MongoDB."""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass, field
from datetime import UTC, datetime
from pathlib import Path
from typing import Any

from bot.app import FeedbackBot
from bot.settings import load_settings
from tests.fakes.telegram_api import FakeTelegram, SentMessage

WEBHOOK_SECRET = "s3cret-token_for-tests"


@dataclass
class BotRunner:
    """Starts and stops FeedbackBot instances on one database, as successive processes would."""

    telegram: FakeTelegram
    mongo_uri: str
    database: str
    data_dir: Path
    webhook: bool = False
    current: FeedbackBot | None = None
    clock: Callable[[], datetime] = field(default=lambda: datetime.now(UTC))

    def settings_values(self) -> dict[str, Any]:
        values: dict[str, Any] = {
            "TELEGRAM_BOT_TOKEN": self.telegram.token,
            "TELEGRAM_API_BASE_URL": self.telegram.base_url,
            "TELEGRAM_API_FILE_URL": self.telegram.file_base_url,
            "MONGODB_URI": self.mongo_uri,
            "MONGODB_DATABASE": self.database,
            "FEEDBACK_BOT_DATA_DIR": str(self.data_dir),
            "FEEDBACK_BOT_PORT": 0,
            "TELEGRAM_POLL_TIMEOUT": 1,
            "COMPANY_NAME": "Acme Shop",
            "PRIVACY_NOTICE_URL": "https://shop.example/privacy",
            # Tests answer quickly; pacing itself is covered by its own tests.
            "TELEGRAM_CHAT_RATE": 50,
            "TELEGRAM_CHAT_BURST": 50,
        }
        if self.webhook:
            values["PUBLIC_URL"] = "http://127.0.0.1:1"
            values["TELEGRAM_WEBHOOK_SECRET"] = WEBHOOK_SECRET
        return values

    async def start(self, **overrides: Any) -> FeedbackBot:
        assert self.current is None, "stop the running bot first"
        bot = FeedbackBot(load_settings(**{**self.settings_values(), **overrides}), clock=self.clock)
        await bot.start()
        self.current = bot
        return bot

    async def stop(self) -> None:
        if self.current is not None:
            bot, self.current = self.current, None
            await bot.stop()

    @property
    def webhook_url(self) -> str:
        assert self.current is not None and self.current.server is not None
        return f"http://127.0.0.1:{self.current.server.port}/webhooks/telegram"

    async def deliver(self, update: dict[str, Any]) -> None:
        """Hand an update to the bot the way the configured mode does, then wait until it is handled."""
        assert self.current is not None
        if self.webhook:
            status = await self.telegram.post_webhook(self.webhook_url, update, secret=WEBHOOK_SECRET)
            assert status == 200, status
        else:
            self.telegram.queue_update(update)
            update_id = update["update_id"]
            await self.telegram.wait_for(lambda: self.telegram.confirmed_offset > update_id)
        await self.current.dispatcher.wait_idle()
        if self.current.telegram is not None:
            await self.current.telegram.settled()  # old buttons taken off after the reply


@dataclass
class Customer:
    """One Telegram user in a private chat with the bot."""

    runner: BotRunner
    chat_id: int
    language: str | None = "en"

    @property
    def telegram(self) -> FakeTelegram:
        return self.runner.telegram

    async def say(self, text: str) -> None:
        await self.runner.deliver(
            self.telegram.text_update(chat_id=self.chat_id, text=text, language_code=self.language)
        )

    async def join(self) -> None:
        """Open the bot and agree to take part (English)."""
        await self.say("/start")
        await self.press("Agree")

    async def press(self, label: str) -> None:
        await self.runner.deliver(
            self.telegram.button_update(chat_id=self.chat_id, label=label, language_code=self.language)
        )

    async def press_payload(self, data: str, *, message_id: int | None = None) -> None:
        target = message_id if message_id is not None else self.last.message_id
        await self.runner.deliver(
            self.telegram.callback_update(
                chat_id=self.chat_id, message_id=target, data=data, language_code=self.language
            )
        )

    @property
    def messages(self) -> list[SentMessage]:
        return self.telegram.chat(self.chat_id)

    @property
    def last(self) -> SentMessage:
        return self.telegram.last_message(self.chat_id)

    def payloads(self) -> list[str]:
        return [data for row in self.last.buttons for _, data in row]

    async def answer_current(self, value: int | str) -> None:
        """Press the answer button for `value` on the current question."""
        for row in self.last.buttons:
            for _, data in row:
                if data.startswith("a:") and data.rsplit(":", 1)[1] == str(value):
                    await self.press_payload(data)
                    return
        raise AssertionError(f"no answer button {value!r} on {self.last}")
