"""What a button answer costs in Bot API calls and what the customer then sees, for each
`TELEGRAM_ANSWERED_QUESTION` (python-telegram-bot, the fake Bot API, the embedded MongoDB)."""

from __future__ import annotations

import socket
from collections import Counter
from typing import Any

from pymongo.asynchronous.database import AsyncDatabase

from tests.handlers.telegram_harness import BotRunner, Customer

MESSAGE_CALLS = {"sendMessage", "editMessageText", "editMessageReplyMarkup"}
REPLY_CALLS = MESSAGE_CALLS | {"answerCallbackQuery"}


async def _answer(customer: Customer, value: int | str) -> Counter[str]:
    """Press `value` on the current question; the Bot API calls that press cost."""
    before = len(customer.telegram.calls)
    await customer.answer_current(value)
    return Counter(c.method for c in customer.telegram.calls[before:] if c.method in REPLY_CALLS)


async def test_edit_turns_the_answered_question_into_the_answer_and_the_next_question(
    polling: BotRunner,
) -> None:
    await polling.start(TELEGRAM_ANSWERED_QUESTION="edit")
    customer = Customer(polling, chat_id=701)
    await customer.join()
    question = customer.last
    count = len(customer.messages)
    calls = await _answer(customer, 4)
    assert calls == Counter({"answerCallbackQuery": 1, "editMessageText": 1})
    assert len(customer.messages) == count, "no new message"
    shown = customer.last
    assert shown.message_id == question.message_id
    assert shown.text.startswith("✓ Your answer: 4 · Satisfied\n\nQuestion 2 of 10")
    assert any(data.startswith("a:") for row in shown.buttons for _, data in row)
    # A second tap on the answer (its buttons were replaced) is answered, and changes nothing.
    before = len(customer.telegram.calls)
    await customer.press_payload(question.buttons[3][0][1], message_id=question.message_id)
    notes = [a["text"] for a in customer.telegram.callback_answers.values() if a.get("text")]
    assert notes == ["You have already answered this question."]
    assert not MESSAGE_CALLS & {c.method for c in customer.telegram.calls[before:]}
    assert customer.last.text == shown.text


async def test_edit_ends_with_the_thanks_in_the_same_message_after_a_skipped_comment(
    polling: BotRunner,
) -> None:
    await polling.start(TELEGRAM_ANSWERED_QUESTION="edit")
    customer = Customer(polling, chat_id=702)
    await customer.join()
    while any(data.startswith("a:") for row in customer.last.buttons for _, data in row):
        assert await _answer(customer, 4 if "recommend" not in customer.payloads()[0] else 9) == Counter(
            {"answerCallbackQuery": 1, "editMessageText": 1}
        )
    comment = customer.last
    assert customer.payloads()[-1].startswith("skip:")
    await customer.press("Skip")
    assert customer.last.message_id == comment.message_id
    assert customer.last.text.startswith("✓ Your answer: Skipped\n\n") and "Thank you" in customer.last.text
    assert [m for m in customer.messages if m.buttons] == []
    # Consent text, its decision, then one message that went from question 1 to the thanks.
    assert len(customer.messages) == 2


async def test_new_sends_the_answer_with_the_next_question_and_leaves_the_old_buttons(
    polling: BotRunner,
) -> None:
    await polling.start(TELEGRAM_ANSWERED_QUESTION="new")
    customer = Customer(polling, chat_id=703)
    await customer.join()
    question = customer.last
    calls = await _answer(customer, 4)
    assert calls == Counter({"answerCallbackQuery": 1, "sendMessage": 1})
    assert customer.last.message_id != question.message_id
    assert customer.last.text.startswith("✓ Your answer: 4 · Satisfied\n\nQuestion 2 of 10")
    old = next(m for m in customer.messages if m.message_id == question.message_id)
    assert old.text == question.text and old.buttons == question.buttons
    # A tap on the old buttons is answered by the dialogue; the survey stays on question 2.
    await customer.press_payload(question.buttons[0][0][1], message_id=question.message_id)
    notes = [a["text"] for a in customer.telegram.callback_answers.values() if a.get("text")]
    assert notes == ["You have already answered this question."]
    assert customer.last.text.startswith("✓ Your answer: 4 · Satisfied\n\nQuestion 2 of 10")
    await customer.answer_current(5)
    assert customer.last.text.startswith("✓ Your answer: 5 · Very satisfied\n\nQuestion 3 of 10")


async def test_separate_edits_the_question_and_sends_the_next(polling: BotRunner) -> None:
    await polling.start(TELEGRAM_ANSWERED_QUESTION="separate")
    customer = Customer(polling, chat_id=704)
    await customer.join()
    question = customer.last
    calls = await _answer(customer, 4)
    assert calls == Counter({"answerCallbackQuery": 1, "editMessageText": 1, "sendMessage": 1})
    answered = next(m for m in customer.messages if m.message_id == question.message_id)
    assert answered.text.startswith("Question 1 of 10")
    assert answered.text.endswith("✓ Your answer: 4 · Satisfied")
    assert answered.buttons == [] and customer.last.text.startswith("Question 2 of 10")


async def test_a_button_answer_replayed_after_a_crash_is_not_shown_again(
    polling: BotRunner, db: AsyncDatabase[dict[str, Any]]
) -> None:
    await polling.start(TELEGRAM_ANSWERED_QUESTION="edit")
    customer = Customer(polling, chat_id=705)
    await customer.join()
    await customer.answer_current(4)
    before = [(m.message_id, m.text, m.buttons) for m in customer.messages]
    # The worker sent the reply and died before marking the event done: it is pending again, held
    # by a worker of this machine whose process is gone.
    answer = customer.telegram.calls_to("answerCallbackQuery")[-1]
    entry = await db["inbox"].find_one({"event.ack_ref": answer.params["callback_query_id"]})
    assert entry is not None and entry["status"] == "done"
    dead = f"{socket.gethostname()}:{2**22 + 12345}:0dead"
    await db["inbox"].update_one({"_id": entry["_id"]}, {"$set": {"status": "pending", "owner": dead}})
    await polling.stop()
    calls = len(customer.telegram.calls)
    await polling.start()
    await customer.telegram.wait_for(
        lambda: any(c.method == "editMessageText" for c in customer.telegram.calls[calls:])
    )
    assert polling.current is not None
    await polling.current.dispatcher.wait_idle()
    replayed = [(c.method, c.status) for c in customer.telegram.calls[calls:] if c.method in MESSAGE_CALLS]
    assert replayed == [("editMessageText", 400)], "the same edit again: Telegram says not modified"
    assert [(m.message_id, m.text, m.buttons) for m in customer.messages] == before
    entry = await db["inbox"].find_one({"_id": entry["_id"]})
    assert entry is not None and entry["status"] == "done", "not modified counts as delivered"


async def test_agreeing_sends_the_first_question_before_the_consent_is_tidied(polling: BotRunner) -> None:
    """The consent keeps its text with "✓ Agree" under it, but that edit only restates the decision:
    it goes after the first question, in capacity no reply is waiting for."""
    await polling.start()
    customer = Customer(polling, chat_id=707)
    await customer.say("/start")
    consent = customer.last
    before = len(customer.telegram.calls)
    await customer.press("Agree")
    calls = [c for c in customer.telegram.calls[before:] if c.method in MESSAGE_CALLS]
    assert [c.method for c in calls] == ["sendMessage", "editMessageText"]
    shown = next(m for m in customer.messages if m.message_id == consent.message_id)
    assert shown.text.endswith("✓ Agree") and shown.buttons == []
    assert customer.last.text.startswith("Question 1 of 10")
