"""Consent → survey → thanks through python-telegram-bot, the fake Bot API and the embedded MongoDB."""

from __future__ import annotations

import hashlib
from pathlib import Path
from typing import Any

import pytest
from pymongo.asynchronous.database import AsyncDatabase

from core.questionnaire import BUILTIN_DIR, QuestionnaireError, load_file
from tests.answers import answers_so_far
from tests.handlers.telegram_harness import BotRunner, Customer

DEFAULT = load_file(BUILTIN_DIR / "default.yaml")
RATINGS = [q.id for q in DEFAULT.questions if q.type == "rating5"]


async def _complete_survey(customer: Customer, *, rating: int = 4) -> None:
    for _ in RATINGS:
        await customer.answer_current(rating)
    if "what_went_wrong" in customer.last.text or rating <= 2:
        await customer.say("The box was crushed")
    await customer.answer_current(9)  # recommendation 0–10
    await customer.say("Thanks, all good")  # optional comment


async def test_full_path_in_english(polling: BotRunner, db: AsyncDatabase[dict[str, Any]]) -> None:
    await polling.start()
    customer = Customer(polling, chat_id=501, language="en")
    await customer.say("/start")
    consent = customer.last
    assert "Acme Shop" in consent.text and "https://shop.example/privacy" in consent.text
    assert "/stop" in consent.text and f"about {DEFAULT.estimated_minutes()} min" in consent.text
    assert customer.payloads() == ["consent:yes", "consent:no", "language", "complain"]
    assert await db["responses"].count_documents({}) == 0, "nothing is collected before consent"

    await customer.press("Agree")
    assert customer.messages[0].text.endswith("✓ Agree") and customer.messages[0].buttons == []
    assert customer.last.text.startswith("Question 1 of 10")

    question = customer.last
    await customer.answer_current(4)  # the question's message becomes the answer and question 2
    assert customer.last.message_id == question.message_id
    assert customer.last.text.startswith("✓ Your answer: 4 · Satisfied\n\nQuestion 2 of 10")
    for _ in RATINGS[1:]:
        await customer.answer_current(4)
    await customer.answer_current(9)
    await customer.say("Fast delivery, thank you")
    assert "Thank you" in customer.last.text

    response = await db["responses"].find_one({})
    assert response is not None
    assert response["status"] == "complete" and response["language"] == "en"
    assert response["duration_seconds"] >= 0
    assert {qid: a["value"] for qid, a in response["answers"].items()} == {
        **dict.fromkeys(RATINGS, 4),
        "recommend": 9,
        "comments": "Fast delivery, thank you",
    }
    ledger = await db["consents"].find({}).to_list()
    assert [e["decision"] for e in ledger] == ["granted"]
    shown = consent.text
    assert ledger[0]["text_version"] == hashlib.sha256(shown.encode()).hexdigest()[:16]
    assert ledger[0]["language"] == "en" and ledger[0]["channel"] == "telegram"
    assert ledger[0]["customer_id"] == response["customer_id"]
    identity = await db["identities"].find_one({"user_key": "501"})
    assert identity is not None and identity["customer_id"] == response["customer_id"]
    assert "501" not in str(response), "answers must not carry the platform user id"


async def test_full_path_in_spanish_with_typed_answers(
    polling: BotRunner, db: AsyncDatabase[dict[str, Any]]
) -> None:
    await polling.start()
    customer = Customer(polling, chat_id=502, language="es")
    await customer.say("/start")
    assert "¿" in customer.last.text  # the consent text is in Spanish
    agree = customer.last.buttons[0][0][0]
    await customer.press(agree)
    assert customer.last.text.startswith("Pregunta 1")
    await customer.say("cuatro")
    await customer.say("5")
    for _ in RATINGS[2:]:
        await customer.answer_current(3)
    await customer.say("diez")
    await customer.say("Todo bien")
    response = await db["responses"].find_one({})
    assert response is not None and response["status"] == "complete" and response["language"] == "es"
    answers = {qid: a["value"] for qid, a in response["answers"].items()}
    assert answers["product_quality"] == 4 and answers["product_match"] == 5 and answers["recommend"] == 10


async def test_refusal_stores_only_the_refusal(polling: BotRunner, db: AsyncDatabase[dict[str, Any]]) -> None:
    await polling.start()
    customer = Customer(polling, chat_id=503)
    await customer.say("/start")
    await customer.press("No thanks")
    assert "nothing has been collected" in customer.last.text
    assert await db["responses"].count_documents({}) == 0
    ledger = await db["consents"].find({}).to_list()
    assert [e["decision"] for e in ledger] == ["refused"] and ledger[0]["text_version"]
    await customer.say("hello?")
    assert "is it…" in customer.last.text  # a free message is offered for classification
    await customer.press("Cancel")
    assert "/start" in customer.last.text
    assert await db["responses"].count_documents({}) == 0
    assert await db["feedback"].count_documents({}) == 0


async def test_conditional_question_only_after_low_rating(
    polling: BotRunner, db: AsyncDatabase[dict[str, Any]]
) -> None:
    await polling.start()
    happy, unhappy = Customer(polling, chat_id=504), Customer(polling, chat_id=505)
    for customer in (happy, unhappy):
        await customer.join()
    for _ in RATINGS:
        await happy.answer_current(4)
    assert "What went wrong" not in happy.last.text and "recommend" in happy.last.text
    await unhappy.answer_current(2)
    for _ in RATINGS[1:]:
        await unhappy.answer_current(4)
    assert "What went wrong" in unhappy.last.text
    await unhappy.say("The product broke after one day")
    assert "recommend" in unhappy.last.text
    # Still in progress: the answers so far are in the conversation.
    doc = await db["conversations"].find_one({"answers.what_went_wrong": {"$exists": True}})
    assert doc is not None and doc["answers"]["what_went_wrong"]["value"] == "The product broke after one day"


async def test_invalid_answers_are_re_asked_with_a_hint(
    polling: BotRunner, db: AsyncDatabase[dict[str, Any]]
) -> None:
    await polling.start()
    customer = Customer(polling, chat_id=506)
    await customer.join()
    for bad in ("banana", "7", "0", '{"$gt": ""}'):
        await customer.say(bad)
        assert customer.last.text.startswith("Please tap one of the buttons"), bad
        assert "Question 1 of 10" in customer.last.text and len(customer.last.buttons) == 5
    response = await db["responses"].find_one({})
    assert response is not None and response["answers"] == {}
    await customer.press_payload("a:product_quality:99")  # a forged button
    await customer.press_payload("nonsense")
    assert (await db["responses"].find_one({}) or {})["answers"] == {}
    notices = [c.params.get("text") for c in customer.telegram.calls_to("answerCallbackQuery")]
    assert notices[-2:] == ["That button is no longer active."] * 2


async def test_back_and_skip(polling: BotRunner, db: AsyncDatabase[dict[str, Any]]) -> None:
    await polling.start()
    customer = Customer(polling, chat_id=507)
    await customer.join()
    for _ in range(4):
        await customer.answer_current(3)
    assert "(optional)" in customer.last.text and "after-sales" in customer.last.text
    await customer.press("Back")
    assert "condition of the parcel" in customer.last.text
    await customer.answer_current(5)
    await customer.press("Skip")
    assert "easy our shop is to use" in customer.last.text
    response = await db["responses"].find_one({})
    assert response is not None
    assert (await answers_so_far(db, response))["parcel_condition"]["value"] == 5
    assert (await answers_so_far(db, response))["after_sales"]["skipped"] is True


async def test_resume_after_restart_on_the_same_data(
    polling: BotRunner, db: AsyncDatabase[dict[str, Any]]
) -> None:
    await polling.start()
    customer = Customer(polling, chat_id=508)
    await customer.join()
    for _ in range(3):
        await customer.answer_current(4)
    await polling.stop()

    await polling.start()
    await customer.say("/start")
    assert "question 4 of" in customer.last.text
    await customer.press("Continue")
    assert "condition of the parcel" in customer.last.text
    await customer.answer_current(2)
    await polling.stop()

    await polling.start()
    await customer.say("3")  # just writing carries on where they were
    assert "easy our shop is to use" in customer.last.text or "Question 6" in customer.last.text
    response = await db["responses"].find_one({})
    assert response is not None and response["status"] == "in_progress"
    assert len(await answers_so_far(db, response)) == 5
    assert await db["responses"].count_documents({}) == 1


async def test_restart_abandons_the_old_response(
    polling: BotRunner, db: AsyncDatabase[dict[str, Any]]
) -> None:
    await polling.start()
    customer = Customer(polling, chat_id=509)
    await customer.join()
    await customer.answer_current(4)
    await customer.say("/start")
    await customer.press("Start again")
    assert customer.last.text.startswith("Question 1 of")
    statuses = sorted([d["status"] async for d in db["responses"].find({})])
    assert statuses == ["abandoned", "in_progress"]


async def test_deep_link_payload_and_fallback(polling: BotRunner, db: AsyncDatabase[dict[str, Any]]) -> None:
    await polling.start()
    linked, broken = Customer(polling, chat_id=510), Customer(polling, chat_id=511)
    await linked.say("/start q-default__o-A1234")
    await linked.press("Agree")
    await broken.say("/start q-unknown_survey")
    await broken.press("Agree")
    orders = {d["order_ref"] async for d in db["responses"].find({})}
    assert orders == {"A1234", None}
    assert {d["questionnaire_id"] async for d in db["responses"].find({})} == {"default"}


async def test_language_button_switches_the_consent_text(
    polling: BotRunner, db: AsyncDatabase[dict[str, Any]]
) -> None:
    await polling.start()
    customer = Customer(polling, chat_id=512, language=None)
    await customer.say("/start")
    await customer.press("Language")
    await customer.press("Deutsch")
    assert "Deutsch" in customer.messages[-2].text
    assert "/stop" in customer.last.text and "Acme Shop" in customer.last.text
    assert customer.payloads() == ["consent:yes", "consent:no", "language", "complain"]
    assert customer.last.buttons[0][0][0] == "Einverstanden"
    agree = customer.last.buttons[0][0][0]
    await customer.press(agree)
    ledger = await db["consents"].find_one({})
    assert ledger is not None and ledger["language"] == "de"
    await customer.say("/language")
    await customer.press("العربية")
    assert "؟" in customer.last.text or "ال" in customer.last.text


async def test_the_language_menu_offers_every_shipped_language(polling: BotRunner) -> None:
    from locales.catalog import catalogs

    shipped = catalogs().languages
    assert len(shipped) >= 24
    await polling.start()
    customer = Customer(polling, chat_id=513, language=None)
    await customer.say("/start")
    await customer.press("Language")
    assert customer.payloads() == [f"lang:{code}" for code in shipped]
    assert max(len(row) for row in customer.last.buttons) <= 3  # legible on a phone
    await customer.press("Čeština")
    assert "Dobrý den!" in customer.last.text and "10 krátkých otázek" in customer.last.text
    assert customer.last.buttons[0][0][0] == "Souhlasím"
    await customer.say("/language")
    await customer.press("עברית")
    assert "10 שאלות קצרות" in customer.last.text and customer.last.buttons[0][0][0] == "מסכים/ה"


CUSTOM = """
id: delivery-check
version: 2
languages: [en, fr]
title: {en: "your delivery", fr: "votre livraison"}
questions:
  - id: arrived
    type: yesno
    text: {en: "Did your parcel arrive?", fr: "Votre colis est-il arrivé ?"}
  - id: carrier
    type: choice
    show_if: {question: arrived, in: [true]}
    options:
      - {value: post, text: {en: "National post", fr: "La Poste"}}
      - {value: courier, text: {en: "Courier", fr: "Coursier"}}
    text: {en: "Who delivered it?", fr: "Qui l'a livré ?"}
  - id: speed
    type: rating5
    required: false
    text: {en: "How satisfied are you with the delivery time?", fr: "Délai de livraison ?"}
"""


async def test_custom_questionnaire_with_choice_and_yes_no(
    polling: BotRunner, db: AsyncDatabase[dict[str, Any]], tmp_path: Path
) -> None:
    folder = tmp_path / "questionnaires"
    folder.mkdir()
    (folder / "delivery.yaml").write_text(CUSTOM, encoding="utf-8")
    await polling.start(QUESTIONNAIRES_DIR=str(folder))
    customer = Customer(polling, chat_id=520, language="fr")
    await customer.say("/start q-delivery-check__o-FR-77")
    assert "votre livraison" in customer.last.text
    await customer.press(customer.last.buttons[0][0][0])
    assert "Votre colis est-il arrivé" in customer.last.text
    await customer.say("oui")
    assert customer.payloads()[:2] == ["a:carrier:post", "a:carrier:courier"]
    await customer.say("coursier")
    await customer.answer_current(5)
    response = await db["responses"].find_one({})
    assert response is not None and response["questionnaire_id"] == "delivery-check"
    assert response["questionnaire_version"] == 2 and response["order_ref"] == "FR-77"
    assert response["answers"]["arrived"]["value"] is True
    assert response["answers"]["carrier"]["value"] == "courier"
    assert response["status"] == "complete"


async def test_invalid_questionnaire_file_stops_the_start(polling: BotRunner, tmp_path: Path) -> None:
    folder = tmp_path / "bad"
    folder.mkdir()
    (folder / "broken.yaml").write_text(CUSTOM.replace("type: choice", "type: dropdown"), encoding="utf-8")
    with pytest.raises(QuestionnaireError, match=r"broken\.yaml.*question 'carrier'.*type"):
        await polling.start(QUESTIONNAIRES_DIR=str(folder))


async def test_each_chat_in_order_chats_concurrently(
    polling: BotRunner, db: AsyncDatabase[dict[str, Any]]
) -> None:
    await polling.start()
    customers = [Customer(polling, chat_id=530 + i) for i in range(3)]
    for customer in customers:
        await customer.join()
    telegram = polling.telegram
    # One getUpdates batch holding several answers per chat, interleaved across chats.
    updates = [
        telegram.text_update(chat_id=customer.chat_id, text=str(value))
        for value in (3, 5, 4)
        for customer in customers
    ]
    for update in updates:
        telegram.queue_update(update)
    await telegram.wait_for(lambda: telegram.confirmed_offset > updates[-1]["update_id"])
    assert polling.current is not None
    await polling.current.dispatcher.wait_idle()
    async for response in db["responses"].find({}):
        values = {qid: a["value"] for qid, a in (await answers_so_far(db, response)).items()}
        assert values == {"product_quality": 3, "product_match": 5, "delivery_speed": 4}
    assert await db["responses"].count_documents({}) == 3
    for customer in customers:
        # A typed choice is confirmed as read ("4" → "4 · Satisfied"), in the next question's message.
        assert customer.last.text.startswith("✓ Your answer: 4 · Satisfied\n\nQuestion 4 of 10")


async def test_language_detected_from_text_when_telegram_gives_no_hint(
    polling: BotRunner, db: AsyncDatabase[dict[str, Any]]
) -> None:
    await polling.start()
    customer = Customer(polling, chat_id=540, language=None)
    await customer.say("Hola, mi paquete todavía no ha llegado")
    assert customer.last.buttons[0][0] == ("Acepto", "consent:yes")
    await customer.press(customer.last.buttons[0][0][0])
    for _ in RATINGS:
        await customer.answer_current(2)
    await customer.say("La caja llegó rota y faltaba una pieza")
    response = await db["responses"].find_one({})
    assert response is not None and response["language"] == "es"
    assert (await answers_so_far(db, response))["what_went_wrong"]["language"] == "es"
    customer_doc = await db["customers"].find_one({})
    assert customer_doc is not None and customer_doc["language"] == "es"
    assert customer_doc["language_explicit"] is False


async def test_without_a_company_name_the_shop_is_named_in_the_customers_language(polling: BotRunner) -> None:
    await polling.start(COMPANY_NAME=None)
    german = Customer(polling, chat_id=531, language="de")
    await german.say("/start")
    assert "Kundenfeedback-Assistent von unserem Shop" in german.last.text
    assert "our shop" not in german.last.text
    spanish = Customer(polling, chat_id=532, language="es")
    await spanish.say("/complain")
    assert "atención al cliente de nuestra tienda" in spanish.last.text
    english = Customer(polling, chat_id=533, language="en")
    await english.say("/start")
    assert "assistant of our shop" in english.last.text


async def test_no_to_the_offer_after_a_low_rating_gets_an_answer(polling: BotRunner) -> None:
    await polling.start()
    customer = Customer(polling, chat_id=534, language="en")
    await customer.join()
    await _complete_survey(customer, rating=2)
    offer = customer.last
    assert offer.text == "We are sorry to hear that. Would you like us to look into it?"
    await customer.press_payload("complain:no")
    answered = next(m for m in customer.messages if m.message_id == offer.message_id)
    assert answered.text.endswith("✓ No") and answered.buttons == []
    assert customer.last.text == "All right, nothing was collected. If you change your mind, send /complain."
