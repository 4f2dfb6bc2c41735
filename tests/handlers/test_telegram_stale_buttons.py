"""Superseded and stale inline keyboards are taken off their messages (python-telegram-bot, fake Bot API)."""

from __future__ import annotations

from tests.handlers.telegram_harness import BotRunner, Customer


async def test_a_question_asked_again_takes_the_buttons_off_the_first_copy(polling: BotRunner) -> None:
    await polling.start()
    customer = Customer(polling, chat_id=611, language="en")
    await customer.join()
    first = customer.last
    assert first.buttons
    await customer.say("hmm, not sure")  # not an answer: the question comes again
    again = customer.last
    assert again.message_id != first.message_id and again.buttons
    old = next(m for m in customer.messages if m.message_id == first.message_id)
    assert old.buttons == [] and old.text == first.text  # the words stay, the buttons go
    assert len([m for m in customer.messages if m.buttons]) == 1


async def test_a_tap_on_an_old_question_gets_a_note_and_loses_its_buttons(polling: BotRunner) -> None:
    await polling.start()
    customer = Customer(polling, chat_id=612, language="en")
    await customer.join()
    first = customer.last
    await polling.stop()
    await polling.start()  # a new process does not know which buttons the chat shows
    await customer.say("hmm")  # the question again; the first copy keeps its buttons for now
    assert next(m for m in customer.messages if m.message_id == first.message_id).buttons
    await customer.answer_current(4)
    await customer.press_payload(first.buttons[0][0][1], message_id=first.message_id)
    notes = [a["text"] for a in polling.telegram.callback_answers.values() if a.get("text")]
    assert notes == ["You have already answered this question."]
    old = next(m for m in customer.messages if m.message_id == first.message_id)
    assert old.buttons == [] and old.text == first.text
    assert "Question 2 of 10" in customer.last.text and customer.last.buttons


async def test_after_a_restart_a_stale_tap_still_gets_its_note(polling: BotRunner) -> None:
    await polling.start()
    customer = Customer(polling, chat_id=613, language="en")
    await customer.join()
    first = customer.last
    await customer.answer_current(4)
    await polling.stop()
    await polling.start()  # this process does not know which buttons are current
    await customer.press_payload(first.buttons[0][0][1], message_id=first.message_id)
    notes = [a["text"] for a in polling.telegram.callback_answers.values() if a.get("text")]
    assert notes == ["You have already answered this question."]
    assert "Question 2 of 10" in customer.last.text and customer.last.buttons


async def test_a_typed_last_answer_takes_back_and_skip_off_the_question(polling: BotRunner) -> None:
    await polling.start()
    customer = Customer(polling, chat_id=614, language="en")
    await customer.join()
    while "Question" in customer.last.text and any(
        data.startswith("a:") for row in customer.last.buttons for _, data in row
    ):
        await customer.answer_current(4)
    last_question = customer.last
    assert [data for row in last_question.buttons for _, data in row][-1].startswith("skip:")
    await customer.say("Fast delivery, thank you")  # typed: the question is not edited
    assert "Thank you" in customer.last.text
    shown = next(m for m in customer.messages if m.message_id == last_question.message_id)
    assert shown.text == last_question.text and shown.buttons == []
    assert [m for m in customer.messages if m.buttons] == []


async def test_a_typed_reply_the_bot_cannot_read_keeps_the_question_answerable(polling: BotRunner) -> None:
    await polling.start()
    customer = Customer(polling, chat_id=616, language="en")
    await customer.say("/complain")
    await customer.say("hmm")  # neither yes nor no: the hint comes with the buttons
    assert customer.payloads() == ["cc:yes", "cc:no"]
    assert len([m for m in customer.messages if m.buttons]) == 1
    await customer.press_payload("cc:yes")
    assert customer.payloads() == ["cs:yes", "cs:no"]
