"""Two workers on one MongoDB, two webhook apps, conflicting taps at the same instant.

For every customer, what the chat shows must be what is stored: the answer, the consent ledger,
the report counters, the reminder job and the response; and no question may be sent twice, also
while a second worker is starting and replays the inbox.
"""

from __future__ import annotations

import asyncio
import re
from pathlib import Path
from typing import Any

import pytest_asyncio
from pymongo.asynchronous.database import AsyncDatabase

from bot.app import FeedbackBot
from bot.settings import load_settings
from conversations.dialogues.survey import STARTED_AND_CONSENTED
from storage.embedded import EmbeddedMongo
from tests.fakes.telegram_api import FakeTelegram, SentMessage
from tests.handlers.telegram_harness import WEBHOOK_SECRET, BotRunner

Db = AsyncDatabase[dict[str, Any]]
CUSTOMERS = 100
FIRST_CHAT = 700_000


class Worker:
    def __init__(self, telegram: FakeTelegram, bot: FeedbackBot) -> None:
        self.telegram, self.bot = telegram, bot

    @property
    def url(self) -> str:
        assert self.bot.server is not None
        return f"http://127.0.0.1:{self.bot.server.port}/webhooks/telegram"

    async def post(self, update: dict[str, Any]) -> None:
        status = await self.telegram.post_webhook(self.url, update, secret=WEBHOOK_SECRET)
        assert status == 200, status


async def start_worker(telegram: FakeTelegram, mongo: EmbeddedMongo, db: Db, data_dir: Path) -> Worker:
    values = BotRunner(
        telegram=telegram, mongo_uri=mongo.uri, database=db.name, data_dir=data_dir, webhook=True
    ).settings_values()
    bot = FeedbackBot(load_settings(**values))
    await bot.start()
    return Worker(telegram, bot)


@pytest_asyncio.fixture
async def telegram() -> Any:
    async with FakeTelegram() as fake:
        yield fake


async def idle(*workers: Worker) -> None:
    for _ in range(3):  # an event one worker finishes can wake the other's retry of it
        for worker in workers:
            await worker.bot.dispatcher.wait_idle()
            if worker.bot.telegram is not None:
                await worker.bot.telegram.settled()  # the consent's "✓ Agree" goes after the reply
        await asyncio.sleep(0.05)


def answer_buttons(message: SentMessage) -> dict[str, tuple[str, str]]:
    """value → (label, payload) of the answer buttons on a question."""
    found: dict[str, tuple[str, str]] = {}
    for row in message.buttons:
        for label, data in row:
            if data.startswith("a:"):
                found[data.rsplit(":", 1)[1]] = (label, data)
    return found


async def join(worker: Worker, telegram: FakeTelegram, chat_id: int, *, agree: bool = True) -> None:
    await worker.post(telegram.text_update(chat_id=chat_id, text="/start", language_code="en"))
    await worker.bot.dispatcher.wait_idle()
    if agree:
        await worker.post(telegram.button_update(chat_id=chat_id, label="Agree", language_code="en"))
        await worker.bot.dispatcher.wait_idle()


async def test_two_workers_agree_with_what_the_customer_was_shown(
    telegram: FakeTelegram, embedded_mongo: EmbeddedMongo, db: Db, tmp_path: Path
) -> None:
    a = await start_worker(telegram, embedded_mongo, db, tmp_path / "a")
    b = await start_worker(telegram, embedded_mongo, db, tmp_path / "b")
    try:
        answering = [FIRST_CHAT + i for i in range(CUSTOMERS)]
        consenting = [FIRST_CHAT + CUSTOMERS + i for i in range(CUSTOMERS)]
        await asyncio.gather(*(join(a, telegram, chat) for chat in answering))
        await asyncio.gather(*(join(a, telegram, chat, agree=False) for chat in consenting))

        # 1. Two different answers to the same question, one on each worker, at the same instant.
        asked: dict[int, tuple[SentMessage, dict[str, tuple[str, str]]]] = {}
        for chat in answering:
            question = telegram.last_message(chat)
            asked[chat] = (question, answer_buttons(question))

        async def race_answers(number: int, chat: int) -> None:
            question, buttons = asked[chat]
            first, second = ("5", "3") if number % 2 else ("3", "5")
            await asyncio.gather(
                a.post(telegram.callback_update(chat_id=chat, message_id=question.message_id,
                                                data=buttons[first][1])),
                b.post(telegram.callback_update(chat_id=chat, message_id=question.message_id,
                                                data=buttons[second][1])),
            )

        await asyncio.gather(*(race_answers(n, chat) for n, chat in enumerate(answering)))
        await idle(a, b)
        # What each customer was shown for that answer (the next answer edits the same message on).
        shown = {chat: _message(telegram, chat, asked[chat][0]).text for chat in answering}

        # 2. "Agree" against "No thanks" on the consent request, one on each worker.
        async def race_consent(number: int, chat: int) -> None:
            consent = telegram.last_message(chat)
            payloads = {label: data for row in consent.buttons for label, data in row}
            first, second = ("Agree", "No thanks") if number % 2 else ("No thanks", "Agree")
            await asyncio.gather(
                a.post(telegram.callback_update(chat_id=chat, message_id=consent.message_id,
                                                data=payloads[first])),
                b.post(telegram.callback_update(chat_id=chat, message_id=consent.message_id,
                                                data=payloads[second])),
            )

        await asyncio.gather(*(race_consent(n, chat) for n, chat in enumerate(consenting)))
        await idle(a, b)

        # 3. A third worker starts (and replays the inbox) while the first is busy with answers.
        await b.bot.stop()
        busy = [a.post(telegram.callback_update(
            chat_id=chat, message_id=telegram.last_message(chat).message_id,
            data=answer_buttons(telegram.last_message(chat))["4"][1],
        )) for chat in answering[: CUSTOMERS // 2]]
        starting = start_worker(telegram, embedded_mongo, db, tmp_path / "c")
        results = await asyncio.gather(starting, *busy)
        c = results[0]
        assert isinstance(c, Worker)
        b = c
        await idle(a, b)

        await check_answers(db, telegram, answering, asked, shown)
        await check_consents(db, telegram, consenting)
    finally:
        await asyncio.gather(a.bot.stop(), b.bot.stop())


def _message(telegram: FakeTelegram, chat: int, sent: SentMessage) -> SentMessage:
    return next(m for m in telegram.chat(chat) if m.message_id == sent.message_id)


def _asks(message: SentMessage) -> str | None:
    """The question a message's answer buttons answer."""
    answers = [data for row in message.buttons for _, data in row if data.startswith("a:")]
    return answers[0].split(":")[1] if answers else None


async def check_answers(
    db: Db, telegram: FakeTelegram, chats: list[int],
    asked: dict[int, tuple[SentMessage, dict[str, tuple[str, str]]]], shown: dict[int, str],
) -> None:
    mismatched, doubled = [], []
    for chat in chats:
        question, buttons = asked[chat]
        marks = re.findall(r"✓ Your answer: (.+)$", shown[chat], re.M)
        labels = {label: value for value, (label, _) in buttons.items()}
        assert len(marks) == 1 and marks[0] in labels, shown[chat]
        conversation = await db["conversations"].find_one({"chat_key": str(chat)})
        assert conversation is not None
        # Mid-survey, the answers so far are kept in the conversation.
        first_question = question.buttons[0][0][1].split(":")[1]
        stored = (conversation.get("answers") or {}).get(first_question, {}).get("value")
        if str(stored) != labels[marks[0]]:
            mismatched.append((chat, marks[0], stored))
        questions = [q for m in telegram.chat(chat) if (q := _asks(m)) is not None]
        if len(questions) != len(set(questions)):
            doubled.append(chat)
    assert not mismatched, f"{len(mismatched)} of {len(chats)} shown another answer: {mismatched[:5]}"
    assert not doubled, f"a question was sent twice to {len(doubled)} customers: {doubled[:5]}"


async def check_consents(db: Db, telegram: FakeTelegram, chats: list[int]) -> None:
    wrong: list[tuple[int, str]] = []
    for chat in chats:
        texts = [m.text for m in telegram.chat(chat)]
        agreed = any(t.endswith("✓ Agree") for t in texts)
        declined = any(t.endswith("✓ No thanks") for t in texts)
        if agreed == declined:
            wrong.append((chat, "shown both or neither decision"))
            continue
        conversation = await db["conversations"].find_one({"chat_key": str(chat)})
        assert conversation is not None
        customer = conversation["customer_id"]
        ledger = [doc["decision"] async for doc in db["consents"].find({"customer_id": customer})]
        if ledger != ["granted" if agreed else "refused"]:
            wrong.append((chat, f"ledger {ledger}"))
        responses = await db["responses"].count_documents({"customer_id": customer})
        if responses != (1 if agreed else 0):
            wrong.append((chat, f"{responses} responses"))
        reminders = await db["jobs"].count_documents(
            {"kind": "survey.reminder", "payload.response": conversation.get("response_id")}
        )
        if reminders != (1 if agreed else 0):
            wrong.append((chat, f"{reminders} reminders"))
    # A decision that starts the survey is counted by one job for both stages.
    both = STARTED_AND_CONSENTED
    started = await db["jobs"].count_documents(
        {"kind": "rollup", "payload.stage": {"$in": ["started", both]}}
    )
    consented = await db["jobs"].count_documents(
        {"kind": "rollup", "payload.stage": {"$in": ["consented", both]}}
    )
    agreed_total = sum(
        1 for chat in chats if any(m.text.endswith("✓ Agree") for m in telegram.chat(chat))
    )
    assert not wrong, f"{len(wrong)} customers' store contradicts their chat: {wrong[:5]}"
    assert started == 2 * len(chats), f"'started' counted {started} times for {2 * len(chats)} customers"
    assert consented == len(chats) + agreed_total, (consented, agreed_total)
