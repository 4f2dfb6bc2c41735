"""The dispatcher marks finished events done in batches, and only once their effects are applied."""

from __future__ import annotations

import asyncio
import dataclasses

from bot.dispatch import Dispatcher
from bot.metrics import Metrics
from conversations.engine import Engine
from conversations.turn import AnsweredQuestion, Reply
from core.events import InboundEvent, Outbound
from core.questionnaire import Questionnaire
from storage.inbox import event_key
from storage.types import Database
from tests.conversations.test_deferred_effects import NEVER, deferring, values
from tests.conversations.test_engine import CHANNEL, CONFIG, Chat, default_questionnaire, open_store, ui

__all__ = ["default_questionnaire"]  # the fixture, shared with the engine's tests


class Quiet:
    """A channel that accepts every reply; `answered` is set once `expected` replies went out."""

    name = CHANNEL

    def __init__(self, expected: int) -> None:
        self.expected = expected
        self.answered = asyncio.Event()

    async def deliver(self, event: InboundEvent, reply: Reply) -> None:
        self.expected -= 1
        if self.expected == 0:
            self.answered.set()

    async def send(self, chat_key: str, messages: list[Outbound]) -> None:
        pass

    async def fetch(self, ref: str) -> bytes | None:
        return None


async def editing(db: Database, questionnaire: Questionnaire) -> Engine:
    """An engine whose answers edit the answered question into the next one (as on Telegram)."""
    config = dataclasses.replace(CONFIG, answered_question={CHANNEL: AnsweredQuestion.EDIT})
    return Engine(
        store=await open_store(db, questionnaire), catalogs=ui(), config=config, defer_seconds=NEVER
    )


async def test_inbox_entries_are_marked_done_together_after_their_effects(
    db: Database, default_questionnaire: Questionnaire
) -> None:
    engine = await editing(db, default_questionnaire)
    store = await open_store(db, default_questionnaire)
    dispatcher = Dispatcher(engine=engine, inbox=store.inbox, metrics=Metrics(), batch_seconds=NEVER)
    channel = Quiet(expected=2)
    dispatcher.register(channel)
    chat = Chat(engine, db)
    await chat.agree()
    events = [chat.button("a:product_quality:5"), chat.button("a:product_match:4")]
    for event in events:
        assert await dispatcher.submit(event)
    inbox = db["inbox"]
    keys = [event_key(CHANNEL, event.event_id) for event in events]
    # Processed, not yet marked: a crash now replays them (and applies the answers they committed).
    await channel.answered.wait()
    assert await inbox.count_documents({"_id": {"$in": keys}, "status": "pending"}) == 2
    await dispatcher.wait_idle()
    assert await inbox.count_documents({"_id": {"$in": keys}, "status": "done"}) == 2
    assert values(await chat.response()) == {"product_quality": 5, "product_match": 4}
    await dispatcher.close()


async def test_an_event_whose_reply_is_a_new_message_is_marked_done_without_waiting_for_the_batch(
    db: Database, default_questionnaire: Questionnaire
) -> None:
    """A new message cannot be sent twice safely, so its event does not wait for the batch (here:
    never due) to leave the window in which a crash would replay it; an answer edited in place does."""
    engine = await deferring(db, default_questionnaire)
    store = await open_store(db, default_questionnaire)
    dispatcher = Dispatcher(engine=engine, inbox=store.inbox, metrics=Metrics(), batch_seconds=NEVER)
    channel = Quiet(expected=1)
    dispatcher.register(channel)
    chat = Chat(engine, db)
    start = chat.command("start")
    assert await dispatcher.submit(start)
    await channel.answered.wait()
    done = {"_id": event_key(CHANNEL, start.event_id), "status": "done"}
    async with asyncio.timeout(30):  # waits for the mark, bounded so a regression fails, not hangs
        while await db["inbox"].count_documents(done) == 0:  # noqa: ASYNC110 (a database state)
            await asyncio.sleep(0.01)
    await dispatcher.close()
