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
from storage.inbox import Inbox, event_key
from storage.types import Database
from tests.conversations.test_deferred_effects import NEVER, deferring
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
    assert {qid: a["value"] for qid, a in (await chat.answers()).items()} == {
        "product_quality": 5,
        "product_match": 4,
    }
    await dispatcher.close()


async def test_a_new_message_sent_before_a_crash_is_not_sent_again_when_its_event_is_replayed(
    db: Database, default_questionnaire: Questionnaire
) -> None:
    """A new message has no idempotency key: once it is out the inbox notes it, at once, and the
    worker that replays the event (the first died before its batch marked it done) does not send
    it again. One that did not go out is sent by the replay."""
    store = await open_store(db, default_questionnaire)
    engine = await deferring(db, default_questionnaire)
    first = Dispatcher(
        engine=engine,
        inbox=Inbox(db, worker="first"),
        metrics=Metrics(),
        batch_seconds=NEVER,
    )
    sent = Quiet(expected=2)
    first.register(sent)
    start, again = Chat(engine, db).command("start"), Chat(engine, db, chat_key="chat-2").command("start")
    for event in (start, again):
        assert await first.submit(event)
    await sent.answered.wait()
    keys = {event.event_id: event_key(CHANNEL, event.event_id) for event in (start, again)}
    noted = {"_id": {"$in": list(keys.values())}, "delivered_at": {"$exists": True}}
    async with asyncio.timeout(30):  # the note follows the delivery; bounded so a regression fails
        while await db["inbox"].count_documents(noted) < 2:  # noqa: ASYNC110 (a database state)
            await asyncio.sleep(0.01)
    assert await db["inbox"].count_documents({"_id": {"$in": list(keys.values())}, "status": "pending"}) == 2
    # The first worker dies now. Suppose the second chat's message had not gone out after all.
    await db["inbox"].update_one({"_id": keys[again.event_id]}, {"$unset": {"delivered_at": ""}})
    await db["inbox"].update_many({}, {"$set": {"lease_until": None}})

    second = Dispatcher(
        engine=await deferring(db, default_questionnaire),
        inbox=Inbox(db, worker="second"),
        metrics=Metrics(),
        batch_seconds=None,
    )
    resent: list[str] = []

    class Recording(Quiet):
        async def deliver(self, event: InboundEvent, reply: Reply) -> None:
            resent.append(event.event_id)

    second.register(Recording(expected=0))
    assert await second.replay_pending() == 2
    await second.wait_idle()
    assert resent == [again.event_id]
    assert await store.inbox.count_pending() == 0
