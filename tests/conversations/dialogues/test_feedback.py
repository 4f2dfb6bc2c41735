"""Free messages after a survey: the customer classifies them with one tap; each kind goes its way."""

from __future__ import annotations

from conversations.dialogues.dialogue import State
from storage.store import Store
from storage.types import Database
from tests.conversations.dialogues.test_complaint import MONDAY_10, engine_at, finish_survey, state
from tests.conversations.test_engine import Chat, payloads, t


async def test_a_suggestion_is_kept_once_and_passed_on(db: Database, store: Store) -> None:
    chat = Chat(engine_at(store, MONDAY_10), db)
    await finish_survey(chat, low=False)
    reply = await chat.send(chat.text("You could offer gift wrapping"))
    assert reply.messages[0].text == t("classify.prompt")
    assert payloads(reply.messages[0]) == ["fb:complaint", "fb:suggestion", "fb:praise", "fb:none"]
    assert await db["feedback"].count_documents({}) == 0  # nothing kept before the tap
    await chat.send(chat.text("and a note card"))
    press = chat.button("fb:suggestion")
    reply = await chat.send(press)
    assert reply.messages[-1].text == t("classify.suggestion.thanks")
    doc = await db["feedback"].find_one({})
    assert doc is not None and doc["kind"] == "suggestion"
    assert doc["text"] == "You could offer gift wrapping\nand a note card" and doc["language"] == "en"
    assert doc["classified_at"] == MONDAY_10
    assert await db["jobs"].count_documents({"kind": "feedback.forward"}) == 1
    ledger = await db["consents"].find_one({"kind": "feedback"})
    assert ledger is not None and ledger["decision"] == "granted"
    assert await state(chat) == State.COMPLETED
    assert (await chat.send(press)).messages == reply.messages  # replayed: the same reply, nothing more
    assert await db["feedback"].count_documents({}) == 1


async def test_a_free_complaint_asks_consent_and_keeps_the_message_as_its_description(
    db: Database,
    store: Store,
) -> None:
    chat = Chat(engine_at(store, MONDAY_10), db)
    await finish_survey(chat, low=False)
    await chat.send(chat.text("My parcel was opened and the charger is missing"))
    reply = await chat.send(chat.button("fb:complaint"))
    assert payloads(reply.messages[-1]) == ["cc:yes", "cc:no"]  # consent first, still
    await chat.send(chat.button("cc:yes"))
    await chat.send(chat.button("cs:no"))
    await chat.send(chat.button("cat:wrong_item"))
    await chat.send(chat.text("A1234"))
    reply = await chat.send(chat.text("Charger"))
    assert reply.messages[0].text == t("complaint.expectation.prompt")  # the description is known
    await chat.send(chat.button("exp:replacement"))
    await chat.send(chat.button("ct:any"))
    await chat.send(chat.button("confirm:submit"))
    ticket = await db["tickets"].find_one({})
    assert ticket is not None and ticket["description"] == "My parcel was opened and the charger is missing"
    assert await db["feedback"].count_documents({}) == 0


async def test_praise_and_stale_buttons(db: Database, store: Store) -> None:
    chat = Chat(engine_at(store, MONDAY_10), db)
    await finish_survey(chat, low=False)
    reply = await chat.send(chat.button("fb:praise"))  # no message waiting: an old button
    assert reply.notice == t("unknown.button")
    await chat.send(chat.text("Fast delivery, thank you!"))
    reply = await chat.send(chat.button("fb:bogus"))
    assert reply.notice == t("unknown.button") and await state(chat) == State.FEEDBACK_CLASSIFY
    reply = await chat.send(chat.button("fb:praise"))
    assert reply.messages[-1].text == t("classify.praise.thanks")
    doc = await db["feedback"].find_one({})
    assert doc is not None and doc["kind"] == "praise"
