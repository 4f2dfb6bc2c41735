"""A complaint dialogue's details through Telegram (python-telegram-bot, fake Bot API, embedded MongoDB)."""

from __future__ import annotations

from tests.handlers.telegram_harness import BotRunner, Customer


async def test_the_complaint_consent_states_how_long_tickets_keep_the_words(polling: BotRunner) -> None:
    await polling.start(TICKET_RETENTION_DAYS=400, DATA_RETENTION_DAYS=365)
    customer = Customer(polling, chat_id=701, language="en")
    await customer.say("/complain")
    consent = customer.last.text
    assert "kept for 400 days after your complaint is closed" in consent and "365" not in consent
    german = Customer(polling, chat_id=702, language="de")
    await german.say("/complain")
    assert "noch 400 Tage" in german.last.text
