"""A complaint end to end through the real entry points: Telegram (fake Bot API) → MongoDB → Slack.

The bot runs as in production (`FeedbackBot` with its settings); python-telegram-bot, slack_sdk
and deep-translator's LibreTranslate client all talk HTTP to fakes on 127.0.0.1.
"""

from __future__ import annotations

import json
from collections.abc import AsyncIterator

import pytest_asyncio

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
