"""Accepting events: stored before the caller hears yes, together when they come together, each once."""

from __future__ import annotations

import asyncio
from typing import Any

from pymongo import AsyncMongoClient
from pymongo.errors import ServerSelectionTimeoutError

from core.events import EventKind, InboundEvent
from storage.inbox import Inbox
from storage.types import Database


def event(n: int, chat: str = "c1") -> InboundEvent:
    return InboundEvent(
        kind=EventKind.TEXT, channel="telegram", chat_key=chat, user_key=chat, event_id=str(n), text=f"t{n}"
    )


async def test_events_accepted_together_are_stored_once_each(db: Database) -> None:
    inbox = Inbox(db)
    events = [event(n, chat=f"c{n % 3}") for n in range(40)]
    # Each event twice at once (a platform's retry racing the original), across two workers.
    other = Inbox(db)
    outcomes = await asyncio.gather(*(box.accept(e) for e in events for box in (inbox, other)))
    assert sorted(outcomes).count(True) == 40 and sorted(outcomes).count(False) == 40
    assert await db["inbox"].count_documents({}) == 40
    assert await inbox.accept(events[0]) is False  # a later redelivery


async def test_a_caller_hears_yes_only_once_its_event_is_stored(db: Database) -> None:
    inbox = Inbox(db)
    done = asyncio.gather(*(inbox.accept(event(n)) for n in range(5)))
    assert await done == [True] * 5
    stored = {doc["event"]["text"] async for doc in db["inbox"].find({}, {"event.text": 1})}
    assert stored == {f"t{n}" for n in range(5)}


async def test_a_store_that_fails_reaches_every_caller_of_its_batch() -> None:
    # Nothing listens on port 1: no event is stored, and no caller may hear that it was.
    client: AsyncMongoClient[dict[str, Any]] = AsyncMongoClient(
        "mongodb://127.0.0.1:1/?serverSelectionTimeoutMS=300"
    )
    try:
        inbox = Inbox(client["gone"])
        outcomes = await asyncio.gather(*(inbox.accept(event(n)) for n in range(3)), return_exceptions=True)
    finally:
        await client.close()
    assert all(isinstance(outcome, ServerSelectionTimeoutError) for outcome in outcomes)
