"""A complaint dialogue's details through Telegram (python-telegram-bot, fake Bot API, embedded MongoDB)."""

from __future__ import annotations

import json
from collections.abc import AsyncIterator

import pytest_asyncio

from storage.types import Database
from tests.fakes.libretranslate import FakeLibreTranslate
from tests.fakes.slack_api import FakeSlack
from tests.handlers.telegram_harness import BotRunner, Customer
from tests.handlers.test_complaint_to_slack import desk_settings, file_complaint


@pytest_asyncio.fixture
async def slack() -> AsyncIterator[FakeSlack]:
    async with FakeSlack() as fake:
        yield fake


async def test_the_complaint_consent_states_how_long_tickets_keep_the_words(polling: BotRunner) -> None:
    await polling.start(TICKET_RETENTION_DAYS=400, DATA_RETENTION_DAYS=365)
    customer = Customer(polling, chat_id=701, language="en")
    await customer.say("/complain")
    consent = customer.last.text
    assert "kept for 400 days after your complaint is closed" in consent and "365" not in consent
    german = Customer(polling, chat_id=702, language="de")
    await german.say("/complain")
    assert "noch 400 Tage" in german.last.text


async def test_a_typed_contact_time_is_kept_as_written_and_reaches_the_desk(
    polling: BotRunner, slack: FakeSlack, libre: FakeLibreTranslate, db: Database
) -> None:
    await polling.start(**desk_settings(slack, libre))
    customer = Customer(polling, chat_id=703, language="de")
    await customer.say("/complain")
    for payload in ("cc:yes", "cs:no", "cat:logistics", "order:none"):
        await customer.press_payload(payload)
    await customer.say("Wasserkocher")
    await customer.say("Der Karton kam zerdrückt an.")
    await customer.press_payload("exp:replacement")
    await customer.say("x" * 81)  # too long: asked again, saying what is expected
    assert customer.last.text.startswith("Wählen Sie eine Schaltfläche oder schreiben Sie")
    assert "höchstens 80 Zeichen" in customer.last.text and customer.payloads()[0] == "ct:morning"
    await customer.say("Werktags  nach 18 Uhr")
    assert "Kontakt: Werktags nach 18 Uhr" in customer.last.text  # the summary
    await customer.press_payload("confirm:submit")
    ticket = await db["tickets"].find_one({})
    assert ticket is not None and ticket["contact_time_note"] == "Werktags nach 18 Uhr"
    await slack.wait_for(lambda: len(slack.channel("C-LOGISTICS")) == 1)
    (message,) = slack.channel("C-LOGISTICS")
    assert "*Contact*\\nWerktags nach 18 Uhr · chat only" in json.dumps(message.blocks, ensure_ascii=False)


async def test_a_contact_time_button_shows_its_label_on_the_desk(
    polling: BotRunner, slack: FakeSlack, libre: FakeLibreTranslate
) -> None:
    await polling.start(**desk_settings(slack, libre))
    customer = Customer(polling, chat_id=704, language="es")
    await file_complaint(customer, "La caja llegó aplastada.")
    await slack.wait_for(lambda: len(slack.channel("C-LOGISTICS")) == 1)
    (message,) = slack.channel("C-LOGISTICS")
    assert "*Contact*\\nEvening · chat only" in json.dumps(message.blocks, ensure_ascii=False)


async def _describe(customer: Customer, description: str) -> None:
    await customer.say("/complain")
    for payload in ("cc:yes", "cs:no", "cat:product_quality", "order:none"):
        await customer.press_payload(payload)
    await customer.say("Wasserkocher")
    await customer.say(description)
    for payload in ("exp:refund", "ct:any", "confirm:submit"):
        await customer.press_payload(payload)


async def test_urgent_words_of_the_customers_language_count_without_a_translator(
    polling: BotRunner, db: Database
) -> None:
    await polling.start()  # no translation provider, no desk
    await _describe(
        Customer(polling, chat_id=705, language="de"), "Das Gerät hat gebrannt, mein Anwalt ist informiert."
    )
    ticket = await db["tickets"].find_one({})
    assert ticket is not None and ticket["urgent"] is True
    assert ticket["urgency_reasons"] == ["mentions anwalt"]


async def test_the_operators_own_list_replaces_the_shipped_ones(polling: BotRunner, db: Database) -> None:
    await polling.start(URGENT_WORDS=["Staatsanwalt"])
    await _describe(Customer(polling, chat_id=706, language="de"), "Mein Anwalt ist informiert.")
    ticket = await db["tickets"].find_one({})
    assert ticket is not None and ticket["urgent"] is False and ticket["urgency_reasons"] == []


async def _suggest(customer: Customer) -> None:
    await customer.say("/start")
    await customer.press_payload("consent:no")
    await customer.say("Please offer gift wrapping")
    await customer.press_payload("fb:suggestion")


async def test_without_a_desk_the_bot_does_not_say_it_passed_anything_on(
    polling: BotRunner, db: Database
) -> None:
    await polling.start()  # no Slack desk
    customer = Customer(polling, chat_id=707, language="en")
    await _suggest(customer)
    said = [m.text for m in customer.messages]
    assert "Thank you for your suggestion; we have saved it for the team." in said
    assert not any("passed" in text for text in said)
    assert await db["feedback"].count_documents({"kind": "suggestion"}) == 1
    await _describe(customer, "Der Deckel schließt nicht.")
    await customer.say("Any news?")
    ticket = await db["tickets"].find_one({})
    assert (
        ticket is not None and customer.last.text == f"Thank you, we added your message to {ticket['_id']}."
    )


async def test_with_a_desk_the_bot_says_it_passed_the_suggestion_on(
    polling: BotRunner, slack: FakeSlack, libre: FakeLibreTranslate
) -> None:
    await polling.start(**desk_settings(slack, libre))
    customer = Customer(polling, chat_id=708, language="en")
    await _suggest(customer)
    assert "Thank you for your suggestion; we passed it to the team." in [m.text for m in customer.messages]


async def _to_summary(customer: Customer, *, sensitive: bool) -> None:
    await customer.say("/complain")
    for payload in ("cc:yes", "cs:yes" if sensitive else "cs:no", "cat:logistics", "order:none"):
        await customer.press_payload(payload)
    await customer.say("Kettle")
    await customer.say("The box arrived crushed.")
    await customer.press_payload("exp:refund")
    await customer.press_payload("ct:morning")
    if sensitive:
        await customer.say("+34 600 111 222")


async def test_correct_something_can_correct_the_contact_details(polling: BotRunner, db: Database) -> None:
    await polling.start()
    customer = Customer(polling, chat_id=709, language="en")
    await _to_summary(customer, sensitive=True)
    assert "+34 600 111 222" in customer.last.text
    await customer.press_payload("confirm:correct")
    assert "fix:contact" in customer.payloads()
    await customer.press_payload("fix:contact")
    await customer.say("ana@example.com")
    summary = customer.last.text
    assert "ana@example.com" in summary and "+34 600 111 222" not in summary
    await customer.press_payload("confirm:submit")
    ticket = await db["tickets"].find_one({})
    assert ticket is not None and ticket["has_contact"] is True
    assert await db["contacts"].count_documents({}) == 1
    assert "ana@example.com" not in str(await db["contacts"].find_one({}))  # sealed at rest


async def test_contact_details_are_not_offered_for_correction_in_a_chat_only_complaint(
    polling: BotRunner,
) -> None:
    await polling.start()
    customer = Customer(polling, chat_id=710, language="en")
    await _to_summary(customer, sensitive=False)
    await customer.press_payload("confirm:correct")
    assert "fix:contact" not in customer.payloads() and "fix:contact_time" in customer.payloads()
    await customer.press_payload("fix:contact")  # forged: refused
    notes = [a["text"] for a in polling.telegram.callback_answers.values() if a.get("text")]
    assert notes == ["That button is no longer active."]
