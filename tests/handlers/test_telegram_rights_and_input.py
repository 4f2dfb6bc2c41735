"""/stop, /mydata, /delete, duplicates, webhook security and unsupported updates via the real stack."""

from __future__ import annotations

import asyncio
from typing import Any

from pymongo.asynchronous.database import AsyncDatabase

from locales.catalog import catalogs
from storage.inbox import hashed
from tests.answers import answers_so_far
from tests.handlers.telegram_harness import WEBHOOK_SECRET, BotRunner, Customer


async def _consent_and_answer(customer: Customer, answers: int) -> None:
    await customer.join()
    for _ in range(answers):
        await customer.answer_current(4)


async def test_stop_withdraws_consent_and_asks_nothing_more(
    polling: BotRunner, db: AsyncDatabase[dict[str, Any]]
) -> None:
    await polling.start()
    customer = Customer(polling, chat_id=601)
    await _consent_and_answer(customer, 2)
    await customer.say("/stop")
    assert "withdrawn your consent" in customer.last.text
    decisions = [e["decision"] async for e in db["consents"].find({}).sort("at", 1)]
    assert decisions == ["granted", "withdrawn"]
    sent_before = len(customer.messages)
    await customer.say("4")
    assert len(customer.messages) == sent_before + 1
    assert "opted out" in customer.last.text and customer.last.buttons == []
    response = await db["responses"].find_one({})
    assert response is not None and response["status"] == "abandoned" and len(response["answers"]) == 2


async def test_mydata_lists_what_is_stored(polling: BotRunner, db: AsyncDatabase[dict[str, Any]]) -> None:
    await polling.start()
    customer = Customer(polling, chat_id=602)
    await _consent_and_answer(customer, 3)
    await customer.say("/mydata")
    text = customer.last.text
    response = await db["responses"].find_one({})
    assert response is not None
    assert "Taking part in the survey: consent given" in text and "in progress" in text
    assert "quality of the product you received?: 4 · Satisfied" in text
    # No ids: not the pseudonymous customer, not the consent text's hash, not the questionnaire's.
    ledger = await db["consents"].find_one({})
    assert ledger is not None and ledger["text_version"] not in text
    assert response["customer_id"] not in text and "602" not in text
    assert f"{response['questionnaire_id']} v" not in text and "Language: English" in text


async def test_mydata_says_what_each_consent_was_for(polling: BotRunner) -> None:
    await polling.start()
    customer = Customer(polling, chat_id=615, language="en")
    await customer.say("/start")
    await customer.press_payload("consent:no")
    await customer.say("/complain")
    await customer.press_payload("cc:yes")
    await customer.press_payload("cs:no")
    await customer.say("/mydata")
    consents = [line for line in customer.last.text.splitlines() if line.startswith("• ")]
    assert [line.split(" — ", 1)[1] for line in consents] == [
        "Taking part in the survey: consent refused",
        "Handling your complaint: consent given",
        "Keeping photos and contact details for a complaint: consent refused",
    ]


async def test_delete_erases_answers_and_personal_data_after_confirmation(
    polling: BotRunner, db: AsyncDatabase[dict[str, Any]]
) -> None:
    await polling.start()
    customer, other = Customer(polling, chat_id=603), Customer(polling, chat_id=604)
    await _consent_and_answer(customer, 3)
    await _consent_and_answer(other, 1)
    await customer.say("/delete")
    await customer.press("Cancel")
    assert "Nothing was deleted" in customer.messages[-2].text
    assert "Question 4 of 10" in customer.last.text
    assert await db["responses"].count_documents({}) == 2
    await customer.answer_current(4)  # the survey carries on after a cancelled deletion
    await customer.say("/delete")
    await customer.press("Yes, delete")
    assert "erased" in customer.last.text
    remaining = await db["responses"].find({}).to_list()
    assert len(remaining) == 1
    kept_customer = remaining[0]["customer_id"]
    assert await db["identities"].count_documents({"user_key": "603"}) == 0
    assert await db["customers"].count_documents({"_id": {"$ne": kept_customer}}) == 0
    assert await db["conversations"].count_documents({"chat_key": "603"}) == 0
    # The inbox keeps hashed event ids to recognise redeliveries; nothing of the chat.
    assert await db["inbox"].count_documents({"chat_key": "603"}) == 0
    assert await db["inbox"].count_documents({"event.chat_key": "603"}) == 0
    assert await db["inbox"].count_documents({"event.chat_key": "604"}) > 0  # the other chat's stay
    ledger = [
        e["decision"]
        async for e in db["consents"].find({"customer_id": {"$ne": kept_customer}}).sort("at", 1)
    ]
    assert ledger == ["granted", "withdrawn"], "the ledger keeps its (now unlinkable) entries"
    await customer.say("hello")  # a new start: consent again, nothing carried over
    assert customer.payloads() == ["consent:yes", "consent:no", "language", "complain"]


async def test_help_and_unknown_command(polling: BotRunner) -> None:
    await polling.start()
    customer = Customer(polling, chat_id=605)
    await customer.say("/help")
    assert all(c in customer.last.text for c in ("/start", "/stop", "/mydata", "/delete", "/language"))
    await customer.say("/frobnicate")
    assert "/help" in customer.last.text and "don't know" in customer.last.text


async def test_redelivered_update_changes_nothing(
    webhook: BotRunner, db: AsyncDatabase[dict[str, Any]]
) -> None:
    await webhook.start()
    customer = Customer(webhook, chat_id=606)
    await customer.join()
    update = webhook.telegram.callback_update(
        chat_id=606, message_id=customer.last.message_id, data="a:product_quality:5"
    )
    await webhook.deliver(update)
    calls_before = len(webhook.telegram.calls)
    version_before = (await db["conversations"].find_one({}) or {})["version"]
    await webhook.deliver(update)
    await asyncio.gather(*(webhook.deliver(update) for _ in range(3)))
    assert len(webhook.telegram.calls) == calls_before, "a duplicate must not send anything"
    assert (await db["conversations"].find_one({}) or {})["version"] == version_before
    assert await db["inbox"].count_documents({"event_id": hashed(str(update["update_id"]))}) == 1
    response = await db["responses"].find_one({})
    assert response is not None and list(await answers_so_far(db, response)) == ["product_quality"]
    metrics = webhook.current.metrics.render() if webhook.current else ""
    assert 'feedback_bot_events_duplicate_total{channel="telegram"} 4' in metrics


async def test_webhook_rejects_forged_and_malformed_requests(
    webhook: BotRunner, db: AsyncDatabase[dict[str, Any]]
) -> None:
    import aiohttp

    await webhook.start()
    assert webhook.telegram.webhook_url == "http://127.0.0.1:1/webhooks/telegram"
    assert webhook.telegram.webhook_secret == WEBHOOK_SECRET
    update = webhook.telegram.text_update(chat_id=607, text="/start")
    assert await webhook.telegram.post_webhook(webhook.webhook_url, update, secret="wrong") == 403
    assert await webhook.telegram.post_webhook(webhook.webhook_url, update, secret=None) == 403
    async with aiohttp.ClientSession() as session:
        headers = {"X-Telegram-Bot-Api-Secret-Token": WEBHOOK_SECRET, "Content-Type": "application/json"}
        for body in (b"{not json", b"[1, 2]", b'"text"', b'{"update_id": "x", "message": 5}'):
            async with session.post(webhook.webhook_url, data=body, headers=headers) as resp:
                assert resp.status == 400, body
        async with session.get(webhook.webhook_url.replace("/webhooks/telegram", "/healthz")) as resp:
            assert resp.status == 200 and (await resp.json())["status"] == "ok"
    assert await db["inbox"].count_documents({}) == 0
    assert webhook.telegram.chat(607) == []


async def test_unsupported_updates_get_a_polite_answer_or_are_ignored(polling: BotRunner) -> None:
    await polling.start()
    telegram = polling.telegram
    customer = Customer(polling, chat_id=608)
    await polling.deliver(telegram.sticker_update(chat_id=608))
    assert "only read text" in customer.last.text
    await polling.deliver(telegram.voice_update(chat_id=608))
    assert len(customer.messages) == 2
    await polling.deliver(telegram.edited_message_update(chat_id=608, text="/start"))
    await polling.deliver(
        telegram.text_update(chat_id=-100777, text="/start", user_id=608, chat_type="supergroup")
    )
    assert len(customer.messages) == 2 and telegram.chat(-100777) == []
    await customer.say("x" * 4096)  # a giant message outside a survey gets the consent offer, no crash
    assert customer.payloads() == ["consent:yes", "consent:no", "language", "complain"]


async def test_giant_free_text_is_refused_with_a_hint(
    polling: BotRunner, db: AsyncDatabase[dict[str, Any]]
) -> None:
    await polling.start()
    customer = Customer(polling, chat_id=609)
    await _consent_and_answer(customer, 8)
    await customer.answer_current(9)
    assert "anything else" in customer.last.text
    await customer.say("é" * 4000)
    assert "too long" in customer.last.text
    await customer.say('{"$where": "sleep(1000)"}')
    response = await db["responses"].find_one({})
    assert response is not None and response["status"] == "complete"
    assert response["answers"]["comments"]["value"] == '{"$where": "sleep(1000)"}'


async def test_flood_control_is_honoured(polling: BotRunner) -> None:
    await polling.start()
    polling.telegram.fail_next("sendMessage", error_code=429, retry_after=1)
    customer = Customer(polling, chat_id=610)
    await customer.say("/start")
    sends = polling.telegram.calls_to("sendMessage")
    assert [c.status for c in sends] == [429, 200]
    assert sends[1].at - sends[0].at >= 0.9
    assert customer.payloads() == ["consent:yes", "consent:no", "language", "complain"]


async def test_command_menu_failure_does_not_stop_the_bot(polling: BotRunner) -> None:
    for _ in range(3):
        polling.telegram.fail_next("setMyCommands", error_code=500, description="Internal Server Error")
    await polling.start()
    customer = Customer(polling, chat_id=611)
    await customer.say("/start")
    assert customer.payloads() == ["consent:yes", "consent:no", "language", "complain"]


async def test_command_menu_is_registered_per_language(polling: BotRunner) -> None:
    await polling.start()
    shipped = catalogs().languages
    # One call per shipped language (English is the default menu, without a language code).
    await polling.telegram.wait_for(lambda: len(polling.telegram.calls_to("setMyCommands")) >= len(shipped))
    english = dict(polling.telegram.commands_for())
    assert set(english) == {"start", "complain", "language", "help", "stop", "mydata", "delete"}
    assert polling.telegram.commands_for(language_code="ja")[0][0] == "start"
    assert dict(polling.telegram.commands_for(language_code="uk"))["language"] == "Змінити мову"


async def test_stopping_the_bot_finishes_accepted_events_first(
    webhook: BotRunner, db: AsyncDatabase[dict[str, Any]]
) -> None:
    await webhook.start()
    webhook.telegram.fail_next("sendMessage", error_code=429, retry_after=1)  # the reply waits 1 s
    update = webhook.telegram.text_update(chat_id=612, text="/start")
    assert await webhook.telegram.post_webhook(webhook.webhook_url, update, secret=WEBHOOK_SECRET) == 200
    await webhook.stop()  # while the reply is still waiting
    assert [c.status for c in webhook.telegram.calls_to("sendMessage")] == [429, 200]
    assert webhook.telegram.last_message(612).buttons[0][0][1] == "consent:yes"
    stored = await db["inbox"].find_one({"event_id": hashed(str(update["update_id"]))})
    assert stored is not None and stored["status"] == "done"


async def test_events_accepted_before_a_crash_are_replayed_at_start(
    polling: BotRunner, db: AsyncDatabase[dict[str, Any]]
) -> None:
    import socket

    from telegram import Update

    from handlers.telegram import to_event
    from storage.inbox import Inbox

    # The previous process stored the update (and confirmed it to Telegram), then died: a worker
    # of this machine whose pid is gone (its lease has not run out yet).
    update = polling.telegram.text_update(chat_id=613, text="/start")
    event = to_event(Update.de_json(update, None))
    dead = f"{socket.gethostname()}:{2**22 + 12345}:0dead"
    assert event is not None and await Inbox(db, worker=dead).accept(event)
    await polling.start()
    assert polling.current is not None
    await polling.telegram.wait_for(lambda: bool(polling.telegram.chat(613)))
    await polling.current.dispatcher.wait_idle()
    assert Customer(polling, chat_id=613).payloads() == ["consent:yes", "consent:no", "language", "complain"]
    stored = await db["inbox"].find_one({"event_id": hashed(str(update["update_id"]))})
    assert stored is not None and stored["status"] == "done"


async def test_mydata_writes_dates_the_way_the_locale_does(polling: BotRunner) -> None:
    import re

    await polling.start()
    customer = Customer(polling, chat_id=614, language="de")
    await customer.say("/start")
    await customer.press("Einverstanden")
    await customer.say("/mydata")
    assert re.search(r"\b\d{2}\.\d{2}\.\d{4}, \d{2}:\d{2}:\d{2} UTC", customer.last.text)
