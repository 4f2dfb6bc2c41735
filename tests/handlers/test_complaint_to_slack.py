"""A complaint end to end through the real entry points: Telegram (fake Bot API) → MongoDB → Slack.

The bot runs as in production (`FeedbackBot` with its settings); python-telegram-bot, slack_sdk
and deep-translator's LibreTranslate client all talk HTTP to fakes on 127.0.0.1.
"""

from __future__ import annotations

import json
from collections.abc import AsyncIterator

import pytest_asyncio
from bson import json_util

from storage.types import Database
from tests.fakes.libretranslate import FakeLibreTranslate
from tests.fakes.slack_api import FakeSlack
from tests.handlers.telegram_harness import BotRunner, Customer


@pytest_asyncio.fixture
async def slack() -> AsyncIterator[FakeSlack]:
    async with FakeSlack() as fake:
        yield fake


def desk_settings(slack: FakeSlack, libre: FakeLibreTranslate) -> dict[str, object]:
    return {
        "SLACK_BOT_TOKEN": slack.token,
        "SLACK_API_BASE_URL": slack.base_url,
        "SLACK_DEFAULT_CHANNEL": "C-SUPPORT",
        "SLACK_ESCALATION_CHANNEL": "C-ESCALATE",
        "TEAMS": {"support": {"timezone": "Europe/Madrid"}, "logistics": {"channel": "C-LOGISTICS"}},
        "ROUTING": {"logistics": "logistics"},
        "TRANSLATION_PROVIDER": "libretranslate",
        "TRANSLATION_BASE_URL": libre.base_url,
    }


async def file_complaint(customer: Customer, description: str) -> None:
    await customer.say("/complain")
    for payload in ("cc:yes", "cs:yes", "cat:logistics"):
        await customer.press_payload(payload)
    await customer.say("ES-20261123-77")
    await customer.say("Tetera azul")
    photo = customer.telegram.photo_update(chat_id=customer.chat_id, language_code="es")
    await customer.runner.deliver(photo)
    await customer.say(description)
    for payload in ("exp:replacement", "ct:evening", "contact:skip", "confirm:submit"):
        await customer.press_payload(payload)


async def test_spanish_complaint_with_photo_reaches_slack_translated(
    polling: BotRunner, slack: FakeSlack, libre: FakeLibreTranslate, db: Database
) -> None:
    await polling.start(**desk_settings(slack, libre))
    customer = Customer(polling, chat_id=501, language="es")
    await file_complaint(customer, "La caja llegó aplastada y la tetera está abollada.")

    ticket = await db["tickets"].find_one({})
    assert ticket is not None
    assert ticket["language"] == "es" and ticket["description_language"] == "es"
    assert ticket["photos"][0]["kind"] == "photo" and ticket["photos"][0]["ref"]
    confirmation = customer.last.text
    assert ticket["_id"] in confirmation and "ES-20261123-77" not in confirmation

    await slack.wait_for(lambda: len(slack.channel("C-LOGISTICS")) == 1)
    (message,) = slack.channel("C-LOGISTICS")
    shown = json.dumps(message.blocks, ensure_ascii=False)
    assert "La caja llegó aplastada y la tetera está abollada." in shown
    assert "[en] LA CAJA LLEGÓ APLASTADA" in shown and "libretranslate" in shown
    assert "ES-20261123-77" in shown
    assert libre.requests[0]["source"] == "es" and libre.requests[0]["target"] == "en"
    # The customer's photo is copied from Telegram into the ticket's thread, once.
    await slack.wait_for(
        lambda: any("data" in upload and upload.get("channel") for upload in slack.uploads.values())
    )
    (upload,) = slack.uploads.values()
    assert upload["thread_ts"] == message.ts and upload["channel"] == "C-LOGISTICS"
    assert upload["data"] == b"\xff\xd8 fake jpeg " + ticket["photos"][0]["ref"].encode()
    assert upload["title"] == f"{ticket['_id']} — photo 1 from the customer"
    await polling.stop()
    saved = await db["tickets"].find_one({"_id": ticket["_id"]})
    assert saved is not None and saved["desk"]["ref"] == message.ts and saved["photos_attached"] == [1]


async def test_tickets_wait_while_no_desk_is_configured_and_go_out_once_it_is(
    polling: BotRunner, slack: FakeSlack, libre: FakeLibreTranslate, db: Database
) -> None:
    without_desk = {k: v for k, v in desk_settings(slack, libre).items() if k != "SLACK_BOT_TOKEN"}
    await polling.start(**without_desk)
    customer = Customer(polling, chat_id=502, language="es")
    await file_complaint(customer, "No llegó nada.")
    await polling.stop()
    job = await db["jobs"].find_one({"kind": "ticket.publish"})
    assert job is not None and job["status"] == "pending" and job["attempts"] == 0
    assert slack.calls == []

    await polling.start(**desk_settings(slack, libre))
    await slack.wait_for(lambda: len(slack.channel("C-LOGISTICS")) == 1)
    await polling.stop()
    job = await db["jobs"].find_one({"kind": "ticket.publish"})
    assert job is not None and job["status"] == "done"


async def test_delete_blanks_the_customers_words_and_photos_in_slack(
    polling: BotRunner, slack: FakeSlack, libre: FakeLibreTranslate, db: Database
) -> None:
    from tests.handlers.test_slack_agents import settle

    await polling.start(**desk_settings(slack, libre))
    customer = Customer(polling, chat_id=502, language="es")
    await file_complaint(customer, "La caja llegó aplastada.")
    await settle(polling)
    await customer.say("Mi vecino Juan la recogió")  # reaches the ticket's thread, quoted
    await settle(polling)
    (message,) = slack.channel("C-LOGISTICS")
    thread = slack.thread("C-LOGISTICS", message.ts)
    assert any("Mi vecino Juan" in note.text for note in thread)
    (photo,) = list(slack.uploads)

    await customer.say("/delete")
    await customer.press_payload("delete:yes")
    await settle(polling)
    assert "La caja llegó aplastada" not in json.dumps(message.blocks, ensure_ascii=False)  # redrawn
    shown = [note.text for note in slack.thread("C-LOGISTICS", message.ts)]
    assert not any("Mi vecino Juan" in text or "VECINO" in text for text in shown)
    assert any("erased at the customer's request" in text for text in shown)
    assert slack.deleted_files == [photo] and slack.uploads == {}
    ticket = await db["tickets"].find_one({})
    assert ticket is not None and ticket["desk_notes"] == [] and ticket["desk_files"] == []


async def scan(db: Database, needles: list[str]) -> dict[str, set[str]]:
    """Which needles (case-insensitive) each collection still holds, in any field of any document.

    Every collection the database has, listed when the scan runs: a collection added later is
    scanned without anyone remembering to add it here.
    """
    found: dict[str, set[str]] = {}
    for name in await db.list_collection_names():
        async for doc in db[name].find({}):
            text = json_util.dumps(doc, ensure_ascii=False).lower()
            hits = {needle for needle in needles if needle.lower() in text}
            if hits:
                found.setdefault(name, set()).update(hits)
    return found


async def test_after_delete_no_collection_holds_anything_of_the_customer(
    polling: BotRunner, slack: FakeSlack, libre: FakeLibreTranslate, db: Database
) -> None:
    from tests.handlers.test_slack_agents import AGENT, SECRET, Agents, settle

    slack.members["C-LOGISTICS"] = {AGENT}
    await polling.start(**desk_settings(slack, libre), SLACK_SIGNING_SECRET=SECRET)
    chat_id = 918273645  # the Telegram chat id, and the user id in a private chat
    customer = Customer(polling, chat_id=chat_id, language="es")
    # A complaint with a photo and contact details, through every step.
    await customer.say("/complain")
    for payload in ("cc:yes", "cs:yes", "cat:logistics"):
        await customer.press_payload(payload)
    await customer.say("ES-20261123-91")
    await customer.say("Tetera Esmeralda")
    photo = customer.telegram.photo_update(chat_id=chat_id, language_code="es")
    await customer.runner.deliver(photo)
    sizes = photo["message"]["photo"]
    files = [ref for size in sizes for ref in (size["file_id"], size["file_unique_id"])]
    await customer.say("Mi tetera llegó hecha añicos")
    for payload in ("exp:replacement", "ct:evening"):
        await customer.press_payload(payload)
    await customer.say("lucia.quintana@correo.example")
    await customer.press_payload("confirm:submit")
    await settle(polling)
    # An agent claims and replies; the customer answers in the ticket's thread.
    (message,) = slack.channel("C-LOGISTICS")
    agents = Agents(polling, slack)
    assert await agents.click("ticket_claim", message) == 200
    assert await agents.submit("ticket_reply", message, "Quetzalcoatl will call you tomorrow") == 200
    await settle(polling)
    await customer.say("Mi vecino Ambrosio la recogió")
    await settle(polling)
    # A survey left half way (a reminder waits), and a staff command tried (audited).
    await customer.say("/start")
    await customer.press_payload("consent:yes")
    await customer.answer_current(2)
    await customer.say("/admin list")
    needles = [
        "Tetera Esmeralda",
        "hecha añicos",
        "Ambrosio",
        "ES-20261123-91",
        "lucia.quintana",
        "Quetzalcoatl",  # the agent's words to them: what the customer read
        str(chat_id),
        *files,
    ]
    before = await scan(db, needles)
    # The scan sees what it looks for: every needle is stored somewhere (of the photo, the largest
    # size's file id); jobs refer to tickets and responses by id, so they hold none even now.
    assert set().union(*before.values()) >= set(needles) - set(files) | {sizes[-1]["file_id"]}
    assert {"inbox", "tickets", "conversations", "identities", "audit"} <= set(before)
    assert "jobs" not in before and await db["jobs"].count_documents({"kind": "desk.note"}) >= 3

    await customer.say("/delete")
    await customer.press_payload("delete:yes")
    await settle(polling)
    assert customer.last.text == "Sus datos se han borrado. ¡Adiós!"
    assert await scan(db, needles) == {}
    # What remains still works: the ticket (redacted) is on the desk, redeliveries are recognised.
    assert await db["tickets"].count_documents({"redacted_at": {"$ne": None}}) == 1
    assert await db["inbox"].count_documents({}) > 0
