"""The benchmark's peer: a throwaway python-telegram-bot survey bot, written the usual quick way.

Run by ``benchmarks.peer_load`` as a child process (never part of the product)::

    python -m benchmarks.peer_bot --token T --base-url URL --data-dir DIR

One ``ConversationHandler`` (consent -> questions -> free text) with ``PicklePersistence`` (its default
60 s flush: nothing is durable when an update is confirmed), no pacing, updates handled concurrently.
Updates of different chats are handled concurrently, those of one chat one after the other
(``OneChatAtATime``): with plain ``concurrent_updates(True)`` the ConversationHandler records a
handler's new state only once the handler has returned, i.e. after it has sent the next question, so a
customer who answers at once can find the conversation still in the previous state and the update is
dropped without a reply (a press of the first answer button while the state is still CONSENT, or
``consent:yes`` while no conversation is recorded yet). Feedback Bot also processes one chat's events in
order, so this is the like-for-like peer.
It asks the same questions as Feedback Bot's default questionnaire (English texts, the same ``show_if``
rules) with the same buttons and callback data (``consent:yes``, ``a:<question>:<value>``, ``back:`` /
``skip:`` under a free-text question), and answers a button the same way: ``answerCallbackQuery``, the
question edited to show the choice, the next question as a new message. So the benchmark's customers
drive both bots with one script.
"""

from __future__ import annotations

import argparse
import asyncio
import logging
import sys
from collections.abc import Awaitable
from pathlib import Path
from typing import Any

from telegram import InlineKeyboardButton, InlineKeyboardMarkup, Update
from telegram.ext import (
    Application,
    BaseUpdateProcessor,
    CallbackQueryHandler,
    CommandHandler,
    ContextTypes,
    ConversationHandler,
    MessageHandler,
    PicklePersistence,
    filters,
)

from core.questionnaire import Question, QuestionType, load_file

QUESTIONNAIRE = Path(__file__).resolve().parent.parent / "core" / "questionnaires" / "default.yaml"
CONSENT, ANSWERING = range(2)
MAX_CONCURRENT_UPDATES = 256  # python-telegram-bot's default for concurrent_updates(True)
CONSENT_TEXT = (
    "Hello! We would like to ask you a few questions about your recent order (about 2 minutes). "
    "Your answers are kept for 365 days. Do you agree?"
)


class OneChatAtATime(BaseUpdateProcessor):
    """Concurrent across chats, in order within a chat: an update waits for its chat's previous ones."""

    def __init__(self, max_concurrent_updates: int) -> None:
        super().__init__(max_concurrent_updates)
        # chat -> (its lock, updates holding or awaiting it)
        self._locks: dict[int, tuple[asyncio.Lock, int]] = {}

    async def do_process_update(self, update: object, coroutine: Awaitable[Any]) -> None:
        chat = update.effective_chat if isinstance(update, Update) else None
        if chat is None:
            await coroutine
            return
        lock, users = self._locks.get(chat.id, (asyncio.Lock(), 0))
        self._locks[chat.id] = (lock, users + 1)
        try:
            async with lock:
                await coroutine
        finally:
            lock, users = self._locks[chat.id]
            if users == 1:
                del self._locks[chat.id]  # idle chats hold no lock
            else:
                self._locks[chat.id] = (lock, users - 1)

    async def initialize(self) -> None:
        pass

    async def shutdown(self) -> None:
        pass


def _keyboard(question: Question) -> InlineKeyboardMarkup:
    if question.type is QuestionType.RATING5:
        values = range(1, 6)
    elif question.type is QuestionType.SCALE10:
        values = range(11)
    else:
        return InlineKeyboardMarkup(
            [
                [
                    InlineKeyboardButton("Back", callback_data=f"back:{question.id}"),
                    InlineKeyboardButton("Skip", callback_data=f"skip:{question.id}"),
                ]
            ]
        )
    row = [InlineKeyboardButton(str(v), callback_data=f"a:{question.id}:{v}") for v in values]
    return InlineKeyboardMarkup([row[:6], row[6:]] if len(row) > 6 else [row])


def build(token: str, base_url: str, data_dir: Path) -> Application[Any, Any, Any, Any, Any, Any]:
    questionnaire = load_file(QUESTIONNAIRE)

    def answers_of(context: ContextTypes.DEFAULT_TYPE) -> dict[str, Any]:
        assert context.user_data is not None
        answers: dict[str, Any] = context.user_data.setdefault("answers", {})
        return answers

    async def ask_next(update: Update, context: ContextTypes.DEFAULT_TYPE, after: str | None) -> int:
        assert update.effective_chat is not None
        answers = answers_of(context)
        question = questionnaire.next_question(after, answers)
        if question is None:
            await update.effective_chat.send_message("Thank you for your feedback!")
            return ConversationHandler.END
        assert context.user_data is not None
        context.user_data["current"] = question.id
        await update.effective_chat.send_message(question.text["en"], reply_markup=_keyboard(question))
        return ANSWERING

    async def start(update: Update, context: ContextTypes.DEFAULT_TYPE) -> int:
        assert update.effective_chat is not None
        answers_of(context).clear()
        keyboard = [
            [
                InlineKeyboardButton("Agree", callback_data="consent:yes"),
                InlineKeyboardButton("Decline", callback_data="consent:no"),
            ]
        ]
        await update.effective_chat.send_message(CONSENT_TEXT, reply_markup=InlineKeyboardMarkup(keyboard))
        return CONSENT

    async def consent(update: Update, context: ContextTypes.DEFAULT_TYPE) -> int:
        query = update.callback_query
        assert query is not None
        await query.answer()
        if query.data != "consent:yes":
            await query.edit_message_text("No problem. Goodbye!")
            return ConversationHandler.END
        await query.edit_message_text(CONSENT_TEXT + "\n\n✓ Agree")
        return await ask_next(update, context, None)

    async def button(update: Update, context: ContextTypes.DEFAULT_TYPE) -> int:
        query = update.callback_query
        assert query is not None and query.data is not None
        await query.answer()
        kind, qid, *rest = query.data.split(":")
        question = questionnaire.question(qid)
        if question is None or kind not in ("a", "skip"):
            return ANSWERING
        if kind == "a":
            answers_of(context)[qid] = int(rest[0])
        await query.edit_message_text(f"{question.text['en']}\n\n✓ {rest[0] if rest else 'skipped'}")
        return await ask_next(update, context, qid)

    async def text(update: Update, context: ContextTypes.DEFAULT_TYPE) -> int:
        assert update.message is not None and context.user_data is not None
        qid = context.user_data.get("current")
        question = questionnaire.question(qid) if isinstance(qid, str) else None
        if question is None or question.type is not QuestionType.TEXT:
            return ANSWERING
        answers_of(context)[question.id] = update.message.text
        return await ask_next(update, context, question.id)

    conversation = ConversationHandler(
        entry_points=[CommandHandler("start", start)],
        states={
            CONSENT: [CallbackQueryHandler(consent, pattern=r"^consent:")],
            ANSWERING: [
                CallbackQueryHandler(button),
                MessageHandler(filters.TEXT & ~filters.COMMAND, text),
            ],
        },
        fallbacks=[CommandHandler("start", start)],
        name="survey",
        persistent=True,
    )
    application = (
        Application.builder()
        .token(token)
        .base_url(base_url)
        .persistence(PicklePersistence(data_dir / "peer.pickle"))
        .concurrent_updates(OneChatAtATime(MAX_CONCURRENT_UPDATES))
        .build()
    )
    application.add_handler(conversation)
    return application


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(prog="python -m benchmarks.peer_bot")
    parser.add_argument("--token", required=True)
    parser.add_argument("--base-url", required=True)
    parser.add_argument("--data-dir", type=Path, required=True)
    args = parser.parse_args(argv)
    logging.basicConfig(level=logging.WARNING, format="%(levelname)s %(name)s: %(message)s")
    application = build(args.token, args.base_url, args.data_dir)
    application.run_polling(timeout=10, allowed_updates=Update.ALL_TYPES)
    return 0


if __name__ == "__main__":
    sys.exit(main())
