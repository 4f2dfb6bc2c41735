"""The dispatcher marks finished events done in batches, and only once their effects are applied."""

from __future__ import annotations

import asyncio

from bot.dispatch import Dispatcher
from bot.metrics import Metrics
from conversations.turn import Reply
from core.events import InboundEvent, Outbound
from core.questionnaire import Questionnaire
from storage.inbox import event_key
from storage.types import Database
from tests.conversations.test_deferred_effects import NEVER, deferring
from tests.conversations.test_engine import CHANNEL, Chat, default_questionnaire, open_store

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


async def test_inbox_entries_are_marked_done_together_after_their_effects(
    db: Database, default_questionnaire: Questionnaire
) -> None:
    engine = await deferring(db, default_questionnaire)
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
