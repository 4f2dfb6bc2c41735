"""The fake Bot API server, exercised with the real python-telegram-bot client."""

from __future__ import annotations

import asyncio
import datetime as dtm
import json
from collections.abc import AsyncIterator
from typing import Any

import pytest
from aiohttp import web
from telegram import (
    Bot,
    BotCommand,
    BotCommandScopeChat,
    InlineKeyboardButton,
    InlineKeyboardMarkup,
    InputFile,
    Message,
    MessageEntity,
    Update,
)
from telegram.constants import ChatAction
from telegram.error import (
    BadRequest,
    Conflict,
    EndPointNotFound,
    Forbidden,
    InvalidToken,
    RetryAfter,
)
from telegram.ext import ApplicationBuilder, CommandHandler, ContextTypes

from tests.fakes.telegram_api import FakeTelegram, SentMessage

CHAT = 4242


@pytest.fixture
async def fake() -> AsyncIterator[FakeTelegram]:
    async with FakeTelegram() as server:
        yield server


@pytest.fixture
async def bot(fake: FakeTelegram) -> AsyncIterator[Bot]:
    async with Bot(fake.token, base_url=fake.base_url) as client:  # initialize() calls getMe
        yield client


def rating_keyboard() -> InlineKeyboardMarkup:
    return InlineKeyboardMarkup(
        [
            [InlineKeyboardButton("👍", callback_data="rate:5")],
            [InlineKeyboardButton("👎", callback_data="rate:1")],
        ]
    )


async def test_base_url_and_get_me(fake: FakeTelegram, bot: Bot) -> None:
    assert fake.base_url.startswith("http://127.0.0.1:")
    assert fake.base_url.endswith("/bot")
    me = await bot.get_me()
    assert (me.id, me.username, me.is_bot) == (123456, "feedback_test_bot", True)
    assert [c.method for c in fake.calls] == ["getMe", "getMe"]
    assert fake.calls[-1].status == 200


async def test_send_then_edit_is_reflected_in_chat(fake: FakeTelegram, bot: Bot) -> None:
    sent = await bot.send_message(CHAT, "How was it?", reply_markup=rating_keyboard())
    assert isinstance(sent, Message)
    assert sent.chat.id == CHAT and sent.chat.type == "private"
    assert sent.from_user is not None and sent.from_user.username == "feedback_test_bot"
    assert sent.reply_markup == rating_keyboard()
    assert fake.chat(CHAT) == [
        SentMessage(
            message_id=sent.message_id,
            text="How was it?",
            buttons=[[("👍", "rate:5")], [("👎", "rate:1")]],
            edits=0,
            reply_markup=rating_keyboard().to_dict(),
        )
    ]
    params = fake.calls_to("sendMessage")[0].params
    assert params["chat_id"] == CHAT  # JSON-decoded, not "4242"

    second = await bot.send_message(CHAT, "42")
    assert second.message_id == sent.message_id + 1
    assert fake.calls_to("sendMessage")[1].params["text"] == "42"  # strings stay strings

    edited = await bot.edit_message_text("Thanks!", chat_id=CHAT, message_id=sent.message_id)
    assert isinstance(edited, Message)
    assert edited.text == "Thanks!" and edited.edit_date is not None
    first = fake.chat(CHAT)[0]
    # As in Telegram, editing without reply_markup removes the inline keyboard.
    assert (first.text, first.buttons, first.edits) == ("Thanks!", [], 1)

    with pytest.raises(BadRequest, match=r"(?i)message is not modified"):
        await bot.edit_message_text("Thanks!", chat_id=CHAT, message_id=sent.message_id)
    with pytest.raises(BadRequest, match=r"(?i)message to edit not found"):
        await bot.edit_message_text("x", chat_id=CHAT, message_id=999)

    await bot.edit_message_reply_markup(CHAT, sent.message_id, reply_markup=rating_keyboard())
    assert fake.chat(CHAT)[0].buttons == [[("👍", "rate:5")], [("👎", "rate:1")]]
    assert fake.chat(CHAT)[0].edits == 2
    with pytest.raises(BadRequest, match=r"(?i)not modified"):
        await bot.edit_message_reply_markup(CHAT, sent.message_id, reply_markup=rating_keyboard())


async def test_send_validation(fake: FakeTelegram, bot: Bot) -> None:
    too_long = InlineKeyboardMarkup([[InlineKeyboardButton("x", callback_data="d" * 65)]])
    with pytest.raises(BadRequest, match=r"(?i)button_data_invalid"):
        await bot.send_message(CHAT, "hi", reply_markup=too_long)
    with pytest.raises(BadRequest, match=r"(?i)message is too long"):
        await bot.send_message(CHAT, "x" * 4097)
    fake.block_chat(CHAT)
    with pytest.raises(Forbidden, match="blocked"):
        await bot.send_message(CHAT, "hi")
    assert fake.chat(CHAT) == []


async def test_get_updates_offset_and_long_poll(fake: FakeTelegram, bot: Bot) -> None:
    first = fake.text_update(chat_id=CHAT, text="/start campaign-7", language_code="de")
    second = fake.text_update(chat_id=CHAT, text="hello")
    fake.queue_update(first)
    fake.queue_update(second)

    updates = await bot.get_updates(timeout=0)
    assert [u.update_id for u in updates] == [first["update_id"], second["update_id"]]
    start = updates[0].message
    assert start is not None and start.text == "/start campaign-7"
    assert start.entities == (MessageEntity(MessageEntity.BOT_COMMAND, 0, 6),)
    assert start.from_user is not None and start.from_user.language_code == "de"
    assert start.chat.type == "private"

    # Not confirmed yet: delivered again. An offset confirms everything below it.
    assert len(await bot.get_updates(timeout=0)) == 2
    assert len(await bot.get_updates(offset=second["update_id"], timeout=0)) == 1
    assert [u["update_id"] for u in fake.pending_updates()] == [second["update_id"]]
    assert await bot.get_updates(offset=second["update_id"] + 1, timeout=0) == ()
    assert fake.pending_updates() == []
    assert fake.confirmed_offset == second["update_id"] + 1

    # A long poll returns as soon as an update is queued...
    loop = asyncio.get_running_loop()
    began = loop.time()
    poll = asyncio.create_task(bot.get_updates(offset=fake.confirmed_offset, timeout=5))
    await asyncio.sleep(0.2)
    assert not poll.done()
    third = fake.text_update(chat_id=CHAT, text="late")
    fake.queue_update(third)
    assert [u.update_id for u in await poll] == [third["update_id"]]
    assert loop.time() - began < 2

    # ...and comes back empty once its timeout elapsed.
    began = loop.time()
    assert await bot.get_updates(offset=third["update_id"] + 1, timeout=1) == ()
    assert 0.9 <= loop.time() - began < 3
    assert fake.calls[-1].params == {"offset": third["update_id"] + 1, "timeout": 1}


async def test_newer_get_updates_terminates_older(fake: FakeTelegram, bot: Bot) -> None:
    poll = asyncio.create_task(bot.get_updates(timeout=5))
    await fake.wait_for(lambda: len(fake.calls_to("getUpdates")) == 1)
    async with Bot(fake.token, base_url=fake.base_url) as other:
        assert await other.get_updates(timeout=0) == ()
    with pytest.raises(Conflict, match="terminated by other getUpdates"):
        await poll


async def test_allowed_updates_filter(fake: FakeTelegram, bot: Bot) -> None:
    fake.queue_update(fake.text_update(chat_id=CHAT, text="hi"))
    fake.queue_update(fake.callback_update(chat_id=CHAT, message_id=1, data="x"))
    updates = await bot.get_updates(timeout=0, allowed_updates=["callback_query"])
    assert [u.callback_query is not None for u in updates] == [True]


async def test_built_updates_parse(fake: FakeTelegram, bot: Bot) -> None:
    group = Update.de_json(
        fake.text_update(chat_id=-100, text="/help@feedback_test_bot", user_id=7, chat_type="group"),
        bot,
    )
    assert group.message is not None and group.message.chat.type == "group"
    assert group.message.from_user is not None and group.message.from_user.id == 7
    assert group.message.entities[0].length == len("/help@feedback_test_bot")

    no_lang = Update.de_json(fake.text_update(chat_id=CHAT, text="hi", language_code=None), bot)
    assert no_lang.effective_user is not None and no_lang.effective_user.language_code is None
    assert no_lang.message is not None and no_lang.message.entities == ()

    emoji_cmd = Update.de_json(fake.text_update(chat_id=CHAT, text="👋 /stop"), bot)
    assert emoji_cmd.message is not None
    assert emoji_cmd.message.parse_entities() == {MessageEntity(MessageEntity.BOT_COMMAND, 3, 5): "/stop"}

    sticker = Update.de_json(fake.sticker_update(chat_id=CHAT), bot)
    assert sticker.message is not None and sticker.message.sticker is not None
    voice = Update.de_json(fake.voice_update(chat_id=CHAT), bot)
    assert voice.message is not None and voice.message.voice is not None
    photo = Update.de_json(fake.photo_update(chat_id=CHAT, caption="look"), bot)
    assert photo.message is not None and len(photo.message.photo) == 3
    assert photo.message.caption == "look"

    edited = Update.de_json(fake.edited_message_update(chat_id=CHAT, text="/start"), bot)
    assert edited.edited_message is not None and edited.message is None
    assert edited.edited_message.message_id == photo.message.message_id
    assert edited.edited_message.text == "/start" and edited.edited_message.edit_date
    assert fake.text_update(chat_id=1, text="a")["update_id"] == edited.update_id + 1


async def test_callback_query_and_answer(fake: FakeTelegram, bot: Bot) -> None:
    sent = await bot.send_message(CHAT, "Rate us", reply_markup=rating_keyboard())
    raw = fake.callback_update(chat_id=CHAT, message_id=sent.message_id, data="rate:5", language_code="fr")
    update = Update.de_json(raw, bot)
    query = update.callback_query
    assert query is not None and query.data == "rate:5"
    assert query.from_user.language_code == "fr"
    assert isinstance(query.message, Message) and query.message.message_id == sent.message_id
    assert query.message.reply_markup == rating_keyboard()

    assert await bot.answer_callback_query(query.id, text="Thanks") is True
    assert fake.callback_answers[query.id]["text"] == "Thanks"
    with pytest.raises(BadRequest, match=r"(?i)query id is invalid"):
        await bot.answer_callback_query(query.id)

    pressed = fake.button_update(chat_id=CHAT, label="👎")
    assert pressed["callback_query"]["data"] == "rate:1"
    with pytest.raises(AssertionError, match="no button"):
        fake.button_update(chat_id=CHAT, label="nope")


async def test_commands_recorded(fake: FakeTelegram, bot: Bot) -> None:
    commands = [BotCommand("start", "Start"), BotCommand("feedback", "Leave feedback")]
    assert await bot.set_my_commands(commands, language_code="de") is True
    assert fake.commands_for(language_code="de") == [
        ("start", "Start"),
        ("feedback", "Leave feedback"),
    ]
    assert fake.commands_for() == []
    assert await bot.get_my_commands(language_code="de") == tuple(commands)

    await bot.set_my_commands(commands[:1], scope=BotCommandScopeChat(CHAT))
    assert fake.commands_for(scope={"type": "chat", "chat_id": CHAT}) == [("start", "Start")]

    with pytest.raises(BadRequest, match=r"(?i)bot_command_invalid"):
        await bot.set_my_commands([BotCommand("Start", "Capitalised")])
    assert await bot.delete_my_commands(language_code="de") is True
    assert fake.commands_for(language_code="de") == []


async def test_fail_next_raises_retry_after(
    fake: FakeTelegram, bot: Bot, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setenv("PTB_TIMEDELTA", "true")  # RetryAfter.retry_after as timedelta, no warning
    fake.fail_next("sendMessage", error_code=429, retry_after=1)
    with pytest.raises(RetryAfter) as caught:
        await bot.send_message(CHAT, "hi")
    assert caught.value.retry_after == dtm.timedelta(seconds=1)
    assert fake.chat(CHAT) == []
    assert fake.calls_to("sendMessage")[0].status == 429

    await bot.send_message(CHAT, "hi")  # only once
    assert [m.text for m in fake.chat(CHAT)] == ["hi"]

    fake.fail_next("sendMessage", error_code=403, description="Forbidden: bot was blocked")
    with pytest.raises(Forbidden):
        await bot.send_message(CHAT, "again")


async def test_wrong_token_and_unknown_method(fake: FakeTelegram, bot: Bot) -> None:
    wrong = Bot("999:WRONG", base_url=fake.base_url)
    with pytest.raises(InvalidToken):
        async with wrong:  # initialize() calls getMe
            pass
    assert fake.calls_to("getMe") == [fake.calls[0]]  # wrong-token calls are not recorded

    # The transport maps every 404 to InvalidToken; do_api_request re-raises it as
    # EndPointNotFound once the bot is initialized.
    with pytest.raises(EndPointNotFound, match="sendPigeon"):
        await bot.do_api_request("sendPigeon", api_kwargs={"chat_id": CHAT})
    assert fake.calls[-1].method == "sendPigeon" and fake.calls[-1].status == 404


async def test_chat_action_document_and_pacing(fake: FakeTelegram, bot: Bot) -> None:
    assert await bot.send_chat_action(CHAT, ChatAction.UPLOAD_DOCUMENT) is True
    sent = await bot.send_document(
        CHAT, InputFile(b"a,b\n1,2\n", filename="export.csv"), caption="Your export"
    )
    assert sent.document is not None and sent.document.file_name == "export.csv"
    assert sent.caption == "Your export"
    stored = fake.last_message(CHAT)
    assert stored.text == "Your export"
    assert stored.document is not None and not isinstance(stored.document, str)
    assert stored.document.data == b"a,b\n1,2\n"

    for i in range(3):
        await bot.send_message(CHAT, f"m{i}")
    times = fake.send_times(CHAT)
    assert len(times) == 4 and times == sorted(times)
    assert fake.send_times(CHAT + 1) == []


async def test_webhook(fake: FakeTelegram, bot: Bot) -> None:
    received: list[tuple[dict[str, Any], str | None]] = []

    async def handle(request: web.Request) -> web.Response:
        secret = request.headers.get("X-Telegram-Bot-Api-Secret-Token")
        received.append((await request.json(), secret))
        return web.Response(status=200 if secret == "s3cret" else 403)

    app = web.Application()
    app.router.add_post("/hook", handle)
    runner = web.AppRunner(app)
    await runner.setup()
    await web.TCPSite(runner, "127.0.0.1", 0).start()
    url = f"http://127.0.0.1:{runner.addresses[0][1]}/hook"
    try:
        assert await bot.set_webhook(url, secret_token="s3cret") is True
        assert (fake.webhook_url, fake.webhook_secret) == (url, "s3cret")
        assert (await bot.get_webhook_info()).url == url
        with pytest.raises(Conflict, match="webhook is active"):
            await bot.get_updates(timeout=0)

        update = fake.text_update(chat_id=CHAT, text="hi")
        assert await fake.post_webhook(url, update, secret="s3cret") == 200
        assert await fake.post_webhook(url, update, secret=None) == 403
        assert received == [(update, "s3cret"), (update, None)]
        assert Update.de_json(json.loads(json.dumps(received[0][0])), bot).message is not None

        with pytest.raises(ValueError, match="non-loopback"):
            await fake.post_webhook("http://example.com/hook", update, secret=None)

        assert await bot.delete_webhook() is True
        assert fake.webhook_url is None
        assert await bot.get_updates(timeout=0) == ()
    finally:
        await runner.cleanup()


async def test_wait_for_timeout_dumps_state(fake: FakeTelegram, bot: Bot) -> None:
    await bot.send_message(CHAT, "visible in the dump")
    with pytest.raises(AssertionError, match="visible in the dump"):
        await fake.wait_for(lambda: False, timeout=0.1)


async def test_application_polling_end_to_end(fake: FakeTelegram) -> None:
    async def start(update: Update, context: ContextTypes.DEFAULT_TYPE) -> None:
        assert update.effective_message is not None
        await update.effective_message.reply_text(f"Welcome! args={context.args}")

    app = ApplicationBuilder().token(fake.token).base_url(fake.base_url).build()
    app.add_handler(CommandHandler("start", start))
    async with app:
        await app.start()
        assert app.updater is not None
        await app.updater.start_polling(timeout=1, allowed_updates=Update.ALL_TYPES)
        update = fake.text_update(chat_id=CHAT, text="/start promo")
        fake.queue_update(update)
        await fake.wait_for(lambda: len(fake.chat(CHAT)) == 1)
        assert fake.chat(CHAT)[0].text == "Welcome! args=['promo']"
        await app.updater.stop()
        await app.stop()
    # The updater's final getUpdates confirmed the processed update.
    assert fake.pending_updates() == []
    assert fake.confirmed_offset == update["update_id"] + 1
    assert fake.calls_to("deleteWebhook")
