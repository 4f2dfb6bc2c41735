"""Long polling confirms an update to Telegram only after it has been stored."""

from __future__ import annotations

import asyncio
import contextlib

from core.events import EventKind, InboundEvent
from handlers.telegram import TelegramPoller, make_bot, to_event
from tests.fakes.telegram_api import FakeTelegram


async def test_update_is_not_confirmed_until_stored(telegram: FakeTelegram) -> None:
    stored: list[InboundEvent] = []
    failures = 1

    async def submit(event: InboundEvent) -> bool:
        nonlocal failures
        if failures:
            failures -= 1
            raise ConnectionError("database unavailable")
        stored.append(event)
        return True

    bot = make_bot(token=telegram.token, base_url=telegram.base_url, poll_timeout=1)
    await bot.initialize()
    poller = TelegramPoller(bot=bot, submit=submit, timeout=1)
    task = asyncio.create_task(poller.run())
    try:
        update = telegram.text_update(chat_id=700, text="hello", language_code="pt-br")
        telegram.queue_update(update)
        await telegram.wait_for(lambda: len(stored) == 1, timeout=15)
        await telegram.wait_for(lambda: telegram.confirmed_offset > update["update_id"])
        assert [e.event_id for e in stored] == [str(update["update_id"])]
        event = stored[0]
        assert event.kind is EventKind.TEXT and event.text == "hello"
        assert event.chat_key == "700" and event.language_hint == "pt-br"
    finally:
        task.cancel()
        with contextlib.suppress(asyncio.CancelledError):
            await task
        await bot.shutdown()


async def test_translation_of_updates(telegram: FakeTelegram) -> None:
    from telegram import Update

    bot = make_bot(token=telegram.token, base_url=telegram.base_url)

    def event(update: dict[str, object]) -> InboundEvent | None:
        return to_event(Update.de_json(update, bot))

    command = event(telegram.text_update(chat_id=701, text="/start@feedback_test_bot q-default"))
    assert command is not None and command.kind is EventKind.COMMAND
    assert (command.command, command.text) == ("start", "q-default")
    photo = event(telegram.photo_update(chat_id=701))
    assert photo is not None and photo.kind is EventKind.MEDIA
    assert photo.attachment is not None and photo.attachment.ref
    sticker = event(telegram.sticker_update(chat_id=701))
    assert sticker is not None and sticker.kind is EventKind.UNSUPPORTED and sticker.text == "sticker"
    assert event(telegram.edited_message_update(chat_id=701, text="x")) is None
    assert event(telegram.text_update(chat_id=-5, text="hi", user_id=9, chat_type="group")) is None
    press = event(telegram.callback_update(chat_id=701, message_id=3, data="consent:yes"))
    assert press is not None and press.kind is EventKind.BUTTON and press.message_ref == "3"
    assert press.ack_ref


async def test_a_batch_is_stored_at_once_in_order_and_confirmed_up_to_its_first_failure(
    telegram: FakeTelegram,
) -> None:
    stored: list[str] = []
    refuse = {"3"}  # the third update's store fails once
    started: list[str] = []

    async def submit(event: InboundEvent) -> bool:
        started.append(event.text)
        await asyncio.sleep(0)  # all of a batch's submits are under way together
        if event.text in refuse:
            refuse.discard(event.text)
            raise ConnectionError("database unavailable")
        stored.append(event.text)
        return True

    updates = [telegram.text_update(chat_id=702, text=str(n)) for n in range(1, 6)]
    for update in updates:
        telegram.queue_update(update)
    bot = make_bot(token=telegram.token, base_url=telegram.base_url, poll_timeout=1)
    await bot.initialize()
    poller = TelegramPoller(bot=bot, submit=submit, timeout=1)
    task = asyncio.create_task(poller.run())
    try:
        await telegram.wait_for(lambda: telegram.confirmed_offset > updates[-1]["update_id"], timeout=15)
        # The first batch: submitted in order, all at once; 1 and 2 confirmed, 3 to 5 served again.
        assert started[:5] == ["1", "2", "3", "4", "5"]
        assert started[5:] == ["3", "4", "5"]
        assert stored == ["1", "2", "4", "5", "3", "4", "5"]  # 4 and 5 again: the inbox knows them
    finally:
        task.cancel()
        with contextlib.suppress(asyncio.CancelledError):
            await task
        await bot.shutdown()
