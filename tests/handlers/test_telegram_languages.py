"""Customers in languages the shop serves or not, through python-telegram-bot and the fake Bot API."""

from __future__ import annotations

from typing import Any

import pytest
from pymongo.asynchronous.database import AsyncDatabase

from conversations.language import served
from core.questionnaire import BUILTIN_DIR, load_file
from locales.catalog import catalogs
from tests.fakes.libretranslate import FakeLibreTranslate
from tests.handlers.telegram_harness import BotRunner, Customer

SERVED = served(catalogs().languages, load_file(BUILTIN_DIR / "default.yaml").languages)
ROMANIAN_NOTE_EN = "We don't have this survey in Romanian yet; here it is in English."
IRISH_NOTE_EN = "We don't have this survey in Irish yet; here it is in English."


def labels(customer: Customer) -> list[str]:
    return [label for row in customer.last.buttons for label, _ in row]


async def stored_language(db: AsyncDatabase[dict[str, Any]], chat_id: int) -> str | None:
    identity = await db["identities"].find_one({"_id": f"telegram:{chat_id}"})
    assert identity is not None
    customer = await db["customers"].find_one({"_id": identity["customer_id"]})
    assert customer is not None
    return customer.get("language")


async def test_an_irish_writer_gets_english_with_the_note_in_irish(
    polling: BotRunner, libre: FakeLibreTranslate, db: AsyncDatabase[dict[str, Any]]
) -> None:
    await polling.start(TRANSLATION_PROVIDER="libretranslate", TRANSLATION_BASE_URL=libre.base_url)
    # Telegram's app set to a language that tells nothing here; the customer's words do.
    customer = Customer(polling, chat_id=801, language=None)
    await customer.say("Dia duit, níl m'ordú tagtha fós agus tá mé buartha")
    note, consent = customer.messages[0], customer.messages[-1]
    # The fake provider answers "[<target>] <TEXT IN CAPITALS>": the note went en -> ga.
    assert note.text == f"[ga] {IRISH_NOTE_EN.upper()}"
    assert {"source": "en", "target": "ga"}.items() <= libre.requests[0].items()
    assert labels(customer)[:2] == [
        catalogs().text("en", "button.agree"),
        catalogs().text("en", "button.decline"),
    ]
    assert "Acme Shop" in consent.text
    assert await stored_language(db, 801) == "en"
    # Counted once as demand for an Irish catalog, never the customer's words.
    jobs = [job async for job in db["jobs"].find({"payload.stage": "unserved"})]
    assert [job["payload"]["language"] for job in jobs] == ["ga"]

    await customer.say("Go raibh maith agat")
    assert not any("IRISH" in message.text for message in customer.messages[2:])


async def test_a_romanian_telegram_app_without_a_provider_gets_the_note_in_english(
    polling: BotRunner, db: AsyncDatabase[dict[str, Any]]
) -> None:
    await polling.start()
    customer = Customer(polling, chat_id=802, language="ro")
    await customer.say("/start")
    assert customer.messages[0].text == ROMANIAN_NOTE_EN
    assert labels(customer)[0] == catalogs().text("en", "button.agree")
    assert await stored_language(db, 802) == "en"


async def test_a_spanish_writer_gets_spanish_without_a_note(
    polling: BotRunner, db: AsyncDatabase[dict[str, Any]]
) -> None:
    await polling.start()
    customer = Customer(polling, chat_id=805, language=None)
    await customer.say("Hola, mi pedido todavía no ha llegado")
    assert len(customer.messages) == 1  # the consent request itself, no note before it
    assert labels(customer)[0] == catalogs().text("es", "button.agree")
    assert await stored_language(db, 805) == "es"


async def test_a_belarusian_customer_gets_the_shops_chosen_fallback_with_a_note(
    polling: BotRunner, db: AsyncDatabase[dict[str, Any]]
) -> None:
    await polling.start(FALLBACK_LANGUAGES="be=ru")
    customer = Customer(polling, chat_id=803, language="be")
    await customer.say("/start")
    note = "Этого опроса пока нет на языке «белорусский»; вот он на языке «русский»."
    assert customer.messages[0].text == note
    assert labels(customer)[0] == catalogs().text("ru", "button.agree")
    assert await stored_language(db, 803) == "ru"


@pytest.mark.skipif(
    "uk" not in SERVED, reason="no Ukrainian UI catalog and questionnaire texts yet (issue 18 item 3)"
)
@pytest.mark.parametrize("app_language", ["uk", None])
async def test_a_ukrainian_customer_gets_ukrainian(
    polling: BotRunner, db: AsyncDatabase[dict[str, Any]], app_language: str | None
) -> None:
    # Even with the shop's fallback set: it is for when Ukrainian is not served.
    await polling.start(FALLBACK_LANGUAGES="uk=ru")
    customer = Customer(polling, chat_id=804, language=app_language)
    await customer.say("Доброго дня, моє замовлення досі не прийшло")
    assert labels(customer)[0] == catalogs().text("uk", "button.agree")
    assert len(customer.messages) == 1  # the consent request itself, no note before it
    assert await stored_language(db, 804) == "uk"
    assert await db["jobs"].count_documents({"payload.stage": "unserved"}) == 0
