"""The dialogue engine driven directly with InboundEvents, checked against Reply and MongoDB."""

from __future__ import annotations

import asyncio
import itertools
import logging
from typing import Any

import pytest

from conversations.dialogues.dialogue import State
from conversations.engine import Engine
from conversations.rendering import Branding
from conversations.turn import EngineConfig, Reply
from core.events import EventKind, InboundEvent, Outbound
from core.questionnaire import BUILTIN_DIR, Questionnaire, QuestionType, load_file
from locales.catalog import Catalogs, catalogs
from storage.inbox import event_key
from storage.store import Store
from storage.types import Database

CHANNEL = "test"
CONFIG = EngineConfig(
    branding=Branding(
        company="Acme Shop",
        privacy_url="https://acme.example/privacy",
        retention_days=90,
        ticket_retention_days=500,
    ),
    default_language="en",
    default_questionnaire="default",
)
_ids = itertools.count(1)


def ui() -> Catalogs:
    return catalogs()


def t(key: str, **values: object) -> str:
    return ui().text("en", key, **values)


def payloads(message: Outbound) -> list[str]:
    return [choice.payload for row in message.choices for choice in row]


@pytest.fixture(scope="module")
def default_questionnaire() -> Questionnaire:
    return load_file(BUILTIN_DIR / "default.yaml")


async def open_store(db: Database, questionnaire: Questionnaire) -> Store:
    store = await Store.open(db)
    await store.questionnaires.install(questionnaire, source="test")
    return store


@pytest.fixture
def engine(store: Store) -> Engine:
    return Engine(store=store, catalogs=ui(), config=CONFIG)


class Chat:
    """One customer's chat: builds events with fresh ids and hands them to an engine."""

    def __init__(self, engine: Engine, db: Database, *, chat_key: str = "chat-1", user_key: str = "user-1"):
        self.engine = engine
        self.db = db
        self.chat_key = chat_key
        self.user_key = user_key

    def event(
        self, kind: EventKind, text: str = "", *, command: str = "", message_ref: str | None = None
    ) -> InboundEvent:
        return InboundEvent(
            kind=kind,
            channel=CHANNEL,
            chat_key=self.chat_key,
            user_key=self.user_key,
            event_id=f"ev-{next(_ids)}",
            text=text,
            command=command,
            message_ref=message_ref,
            language_hint="en-US",
        )

    def command(self, name: str, argument: str = "") -> InboundEvent:
        return self.event(EventKind.COMMAND, argument, command=name)

    def button(self, payload: str) -> InboundEvent:
        return self.event(EventKind.BUTTON, payload, message_ref=f"msg-{next(_ids)}")

    def text(self, text: str) -> InboundEvent:
        return self.event(EventKind.TEXT, text)

    async def send(self, event: InboundEvent, engine: Engine | None = None) -> Reply:
        return await (engine or self.engine).handle(event)

    async def conversation(self) -> dict[str, Any] | None:
        return await self.db["conversations"].find_one({"_id": f"{CHANNEL}:{self.chat_key}"})

    async def existing(self) -> dict[str, Any]:
        conversation = await self.conversation()
        assert conversation is not None
        return conversation

    async def response(self) -> dict[str, Any]:
        conversation = await self.conversation()
        assert conversation is not None and conversation["response_id"]
        doc = await self.db["responses"].find_one({"_id": conversation["response_id"]})
        assert doc is not None
        return doc

    async def answers(self) -> dict[str, Any]:
        """The answers so far of the survey in progress: kept in the conversation until it ends."""
        return dict((await self.existing()).get("answers") or {})

    async def agree(self) -> Reply:
        await self.send(self.command("start"))
        return await self.send(self.button("consent:yes"))


# --- the whole survey ------------------------------------------------------------------------


async def test_consent_then_every_question_then_completion(
    db: Database, engine: Engine, default_questionnaire: Questionnaire
) -> None:
    chat = Chat(engine, db)

    reply = await chat.send(chat.command("start"))
    assert len(reply.messages) == 1
    consent = reply.messages[0]
    assert "Acme Shop" in consent.text
    assert "https://acme.example/privacy" in consent.text
    assert {"consent:yes", "consent:no"} <= set(payloads(consent))
    conversation = await chat.conversation()
    assert conversation is not None
    assert conversation["state"] == State.CONSENT
    # Consent first: nothing collected, nothing recorded before the customer agrees.
    assert await db["responses"].count_documents({}) == 0
    assert await db["consents"].count_documents({}) == 0

    agree = chat.button("consent:yes")
    reply = await chat.send(agree)
    edited, first = reply.messages
    assert edited.edit_ref == agree.message_ref
    assert edited.text.startswith(consent.text)
    assert t("button.agree") in edited.text
    assert first.edit_ref is None
    assert default_questionnaire.questions[0].text["en"] in first.text
    assert payloads(first) == [f"a:product_quality:{v}" for v in range(1, 6)]

    conversation = await chat.conversation()
    assert conversation is not None
    customer_id = conversation["customer_id"]
    ledger = await db["consents"].find({}).to_list()
    assert len(ledger) == 1
    assert ledger[0]["customer_id"] == customer_id
    assert ledger[0]["decision"] == "granted"
    assert ledger[0]["kind"] == "survey"
    assert ledger[0]["text_version"] == conversation["consent_version"]
    assert ledger[0]["language"] == "en"

    # Answer whatever the engine asks: a low first rating opens the follow-up text question.
    asked: list[str] = []
    expected: dict[str, Any] = {}
    events = 2
    while (conversation := await chat.existing())["state"] == State.SURVEY:
        qid = conversation["question_id"]
        asked.append(qid)
        question = default_questionnaire.question(qid)
        assert question is not None
        if question.type is QuestionType.RATING5:
            value = 2 if qid == "product_quality" else 4
            event = chat.button(f"a:{qid}:{value}")
            expected[qid] = value
        elif question.type is QuestionType.SCALE10:
            event = chat.button(f"a:{qid}:9")
            expected[qid] = 9
        elif qid == "what_went_wrong":
            event = chat.text("  The box was crushed.  ")
            expected[qid] = "The box was crushed."
        else:
            event = chat.button(f"skip:{qid}")
            expected[qid] = None
        reply = await chat.send(event)
        events += 1
        assert reply.notice is None
        assert reply.messages
        assert len(asked) <= len(default_questionnaire.questions)

    assert asked == [q.id for q in default_questionnaire.questions]
    # The rating of 2 brings an offer to look into it after the thanks.
    assert [m.text for m in reply.messages[-2:]] == [t("survey.thanks"), t("complaint.offer")]
    assert conversation["state"] == State.COMPLETED
    assert conversation["version"] == events
    assert conversation["question_id"] is None

    response = await chat.response()
    assert response["status"] == "complete"
    assert response["customer_id"] == customer_id
    assert response["questionnaire_id"] == "default"
    assert response["questionnaire_version"] == default_questionnaire.version
    assert response["consent_version"] == conversation["consent_version"]
    assert response["duration_seconds"] >= 0
    assert {qid: a["value"] for qid, a in response["answers"].items()} == expected
    assert response["answers"]["comments"]["skipped"] is True
    assert response["answers"]["recommend"]["skipped"] is False
    # Answers refer to the pseudonymous customer only, never to the platform's ids.
    assert chat.chat_key not in str(response) and chat.user_key not in str(response)
    assert await db["responses"].count_documents({}) == 1

    # A further message after completion is offered for classification; "Cancel" keeps nothing.
    reply = await chat.send(chat.text("hello again"))
    assert [m.text for m in reply.messages] == [t("classify.prompt")]
    reply = await chat.send(chat.button("fb:none"))
    assert [m.text for m in reply.messages][-1] == t("done.already")
    assert await db["feedback"].count_documents({}) == 0
    assert (await chat.response())["answers"] == response["answers"]


async def test_declining_records_refusal_and_collects_nothing(db: Database, engine: Engine) -> None:
    chat = Chat(engine, db)
    await chat.send(chat.command("start"))
    reply = await chat.send(chat.button("consent:no"))
    assert reply.messages[-1].text == t("consent.declined")
    assert (await chat.conversation() or {})["state"] == State.DECLINED
    assert [e["decision"] for e in await db["consents"].find({}).to_list()] == ["refused"]
    assert await db["responses"].count_documents({}) == 0


# --- de-duplication and concurrency ----------------------------------------------------------


async def test_same_event_twice_is_applied_once(db: Database, engine: Engine) -> None:
    chat = Chat(engine, db)
    await chat.agree()
    answer = chat.button("a:product_quality:3")
    first = await chat.send(answer)
    assert first.messages
    conversation = await chat.conversation()
    response = await chat.response()

    second = await chat.send(answer)
    assert second == first  # the reply again (it may never have left), the state untouched
    assert await chat.conversation() == conversation
    assert await chat.response() == response
    assert await db["consents"].count_documents({}) == 1


async def test_redelivered_consent_adds_no_second_ledger_entry(db: Database, engine: Engine) -> None:
    chat = Chat(engine, db)
    await chat.send(chat.command("start"))
    agree = chat.button("consent:yes")
    first = await chat.send(agree)
    assert await chat.send(agree) == first
    assert await db["consents"].count_documents({}) == 1
    assert await db["responses"].count_documents({}) == 1


async def test_two_engines_on_one_chat_apply_both_events_once(
    db: Database, default_questionnaire: Questionnaire, caplog: pytest.LogCaptureFixture
) -> None:
    caplog.set_level(logging.INFO, logger="conversations.engine")
    engine_a = Engine(store=await open_store(db, default_questionnaire), catalogs=ui(), config=CONFIG)
    engine_b = Engine(store=await open_store(db, default_questionnaire), catalogs=ui(), config=CONFIG)

    # A brand-new chat: both workers create the conversation (and identify the customer) at once.
    for n in range(3):
        chat = Chat(engine_a, db, chat_key=f"race-{n}", user_key=f"racer-{n}")
        start, helping = chat.command("start"), chat.command("help")
        start_reply, help_reply = await asyncio.gather(
            chat.send(start, engine_a), chat.send(helping, engine_b)
        )
        assert [m.text for m in help_reply.messages] == [t("help.text")]
        assert "Acme Shop" in start_reply.messages[0].text
        conversation = await chat.conversation()
        assert conversation is not None
        assert conversation["version"] == 2
        assert set(conversation["recent_events"]) == {start.event_id, helping.event_id}
        assert conversation["state"] == State.CONSENT
        assert await db["identities"].count_documents({"user_key": chat.user_key}) == 1
        assert await db["customers"].count_documents({"_id": conversation["customer_id"]}) == 1

    # Mid-survey: an answer and a command race on the same conversation.
    chat = Chat(engine_a, db, chat_key="race-survey", user_key="racer-survey")
    await chat.agree()
    before = await chat.conversation()
    assert before is not None
    answer, helping = chat.button("a:product_quality:5"), chat.command("help")
    answer_reply, help_reply = await asyncio.gather(chat.send(answer, engine_a), chat.send(helping, engine_b))
    assert [m.text for m in help_reply.messages] == [t("help.text")]
    assert any("a:product_match:1" in payloads(m) for m in answer_reply.messages)
    after = await chat.conversation()
    assert after is not None
    assert after["version"] == before["version"] + 2
    assert {answer.event_id, helping.event_id} <= set(after["recent_events"])
    assert after["question_id"] == "product_match"
    assert after["history"] == ["product_quality"]
    answers = await chat.answers()
    assert {qid: a["value"] for qid, a in answers.items()} == {"product_quality": 5}

    # The optimistic-concurrency path was really exercised, not just sequential luck.
    assert any("changed concurrently" in r.getMessage() for r in caplog.records)


# --- navigation ------------------------------------------------------------------------------


async def test_back_returns_to_the_previous_question(
    db: Database, engine: Engine, default_questionnaire: Questionnaire
) -> None:
    chat = Chat(engine, db)
    await chat.agree()
    reply = await chat.send(chat.button("a:product_quality:4"))
    assert "back:product_match" in payloads(reply.messages[-1])

    back = chat.button("back:product_match")
    reply = await chat.send(back)
    assert reply.notice is None
    (shown,) = reply.messages
    assert shown.edit_ref == back.message_ref
    assert default_questionnaire.questions[0].text["en"] in shown.text
    assert "a:product_quality:1" in payloads(shown)
    conversation = await chat.conversation()
    assert conversation is not None
    assert conversation["question_id"] == "product_quality"
    assert conversation["history"] == []

    # Answering again replaces the earlier answer and moves on.
    await chat.send(chat.button("a:product_quality:1"))
    conversation = await chat.conversation()
    assert conversation is not None and conversation["question_id"] == "product_match"
    assert (await chat.answers())["product_quality"]["value"] == 1


async def test_back_on_the_first_question_is_refused(db: Database, engine: Engine) -> None:
    chat = Chat(engine, db)
    await chat.agree()
    reply = await chat.send(chat.button("back:product_quality"))
    assert reply.messages == ()
    assert reply.notice == t("unknown.button")
    assert (await chat.conversation() or {})["question_id"] == "product_quality"


async def test_skip_on_a_required_question_is_refused(db: Database, engine: Engine) -> None:
    chat = Chat(engine, db)
    await chat.agree()
    reply = await chat.send(chat.button("skip:product_quality"))
    assert reply.messages == ()
    assert reply.notice == t("survey.required")
    conversation = await chat.conversation()
    assert conversation is not None
    assert conversation["question_id"] == "product_quality"
    assert conversation["state"] == State.SURVEY
    assert await chat.answers() == {}


async def test_skip_on_an_optional_question_records_a_skip(db: Database, engine: Engine) -> None:
    chat = Chat(engine, db)
    await chat.agree()
    for qid in ("product_quality", "product_match", "delivery_speed", "parcel_condition"):
        await chat.send(chat.button(f"a:{qid}:5"))
    assert (await chat.conversation() or {})["question_id"] == "after_sales"
    reply = await chat.send(chat.button("skip:after_sales"))
    assert reply.notice is None
    assert t("survey.skipped") in reply.messages[0].text
    assert (await chat.conversation() or {})["question_id"] == "ease_of_use"
    answer = (await chat.answers())["after_sales"]
    assert answer["skipped"] is True and answer["value"] is None


async def test_stale_button_gives_a_notice_and_changes_nothing(db: Database, engine: Engine) -> None:
    chat = Chat(engine, db)
    await chat.agree()
    await chat.send(chat.button("a:product_quality:4"))
    before = await chat.conversation()
    answers_before = await chat.answers()

    reply = await chat.send(chat.button("a:product_quality:1"))  # a button of the previous question
    assert reply.messages == ()
    assert reply.notice == t("survey.already_answered")
    assert (await chat.send(chat.button("a:recommend:9"))).notice == t("unknown.button")  # not asked yet
    after = await chat.conversation()
    assert after is not None and before is not None
    assert after["question_id"] == before["question_id"] == "product_match"
    assert after["history"] == before["history"]
    assert await chat.answers() == answers_before


async def test_forged_button_value_gives_a_notice(db: Database, engine: Engine) -> None:
    chat = Chat(engine, db)
    await chat.agree()
    for payload in ("a:product_quality:99", "a:product_quality:", "x", "", "a:product_quality:yes"):
        reply = await chat.send(chat.button(payload))
        assert reply.notice == t("unknown.button"), payload
        assert reply.messages == ()
    assert (await chat.conversation() or {})["question_id"] == "product_quality"
    assert await chat.answers() == {}


async def test_typed_answer_that_is_invalid_repeats_the_question_with_a_hint(
    db: Database, engine: Engine
) -> None:
    chat = Chat(engine, db)
    await chat.agree()
    reply = await chat.send(chat.text("banana"))
    (message,) = reply.messages
    assert message.text.startswith(t("survey.hint.rating5"))
    assert "a:product_quality:1" in payloads(message)
    reply = await chat.send(chat.text("seven"))  # a number, but not on a 1–5 scale: still invalid
    assert (await chat.conversation() or {})["question_id"] == "product_quality"
    reply = await chat.send(chat.text("vier"))  # German, understood in an English chat too
    assert (await chat.conversation() or {})["question_id"] == "product_match"
    assert (await chat.answers())["product_quality"]["value"] == 4
    # How the typed word was read opens the next question's message (one message, not two).
    (message,) = reply.messages
    assert message.text.startswith("✓ Your answer: 4 · Satisfied\n\n")
    assert "a:product_match:1" in payloads(message)


# --- erasure ---------------------------------------------------------------------------------


async def test_delete_erases_personal_data_but_keeps_the_consent_ledger(
    db: Database, engine: Engine, store: Store
) -> None:
    chat = Chat(engine, db, chat_key="erase-me", user_key="erase-user")
    other = Chat(engine, db, chat_key="keep-me", user_key="keep-user")
    await chat.agree()
    await chat.send(chat.button("a:product_quality:2"))
    await other.agree()
    await other.send(other.button("a:product_quality:5"))
    inbound = chat.text("my secret complaint")
    assert await store.inbox.accept(inbound)

    conversation = await chat.conversation()
    assert conversation is not None
    customer_id = conversation["customer_id"]
    kept_customer = (await other.conversation() or {})["customer_id"]

    reply = await chat.send(chat.command("delete"))
    (confirm,) = reply.messages
    assert confirm.text == t("delete.confirm")
    assert payloads(confirm) == ["delete:yes", "delete:no"]
    assert (await chat.conversation() or {})["state"] == State.CONFIRM_DELETE
    assert await db["responses"].count_documents({"customer_id": customer_id}) == 1  # not yet

    reply = await chat.send(chat.button("delete:yes"))
    assert reply.messages[-1].text == t("delete.done")

    assert await db["responses"].count_documents({"customer_id": customer_id}) == 0
    assert await db["identities"].count_documents({"customer_id": customer_id}) == 0
    assert await db["identities"].count_documents({"user_key": chat.user_key}) == 0
    assert await db["customers"].count_documents({"_id": customer_id}) == 0
    assert await db["conversations"].count_documents({"customer_id": customer_id}) == 0
    assert await chat.conversation() is None
    # The inbox keeps the hashed event id (a redelivery is still recognised), nothing else of theirs.
    scrubbed = await db["inbox"].find_one({"_id": event_key(CHANNEL, inbound.event_id)})
    assert scrubbed is not None and scrubbed["status"] == "done"
    assert {"event", "chat_key", "owner"}.isdisjoint(scrubbed) and inbound.event_id not in str(scrubbed)
    assert not await store.inbox.accept(inbound)

    ledger = await db["consents"].find({"customer_id": customer_id}).sort("at", 1).to_list()
    assert [e["decision"] for e in ledger] == ["granted", "withdrawn"]

    # The other customer is untouched.
    assert await db["responses"].count_documents({"customer_id": kept_customer}) == 1
    assert await db["customers"].count_documents({"_id": kept_customer}) == 1
    assert await other.conversation() is not None

    # Asked again, the erased customer is told nothing is stored (not a guessed language as if kept).
    reply = await chat.send(chat.command("mydata"))
    assert [message.text for message in reply.messages] == [t("mydata.none")]


async def test_delete_cancelled_returns_to_the_survey(db: Database, engine: Engine) -> None:
    chat = Chat(engine, db)
    await chat.agree()
    await chat.send(chat.command("delete"))
    reply = await chat.send(chat.button("delete:no"))
    assert reply.messages[0].text == t("delete.cancelled")
    conversation = await chat.conversation()
    assert conversation is not None
    assert conversation["state"] == State.SURVEY
    assert conversation["question_id"] == "product_quality"
    assert await db["responses"].count_documents({}) == 1


async def test_forged_superscript_digit_button_gives_a_notice(db: Database, engine: Engine) -> None:
    chat = Chat(engine, db)
    await chat.agree()
    reply = await chat.send(chat.button("a:product_quality:²"))
    assert reply.notice == t("unknown.button")
    assert await chat.answers() == {}


async def test_a_replayed_event_gets_its_reply_again_and_changes_nothing(
    db: Database, engine: Engine
) -> None:
    """A worker killed after saving the state but before the reply left: the replay re-sends it."""
    chat = Chat(engine, db)
    await chat.agree()
    press = chat.button("a:product_quality:4")
    first = await chat.send(press)
    version = (await chat.conversation() or {})["version"]
    again = await chat.send(press)
    assert again.messages == first.messages and again.messages[0].edit_ref == first.messages[0].edit_ref
    assert (await chat.conversation() or {})["version"] == version  # not applied twice
    later = await chat.send(chat.button("a:product_match:5"))
    assert later.messages != first.messages
    assert (await chat.send(press)).messages == ()  # older than the last event: nothing to repeat


# --- a visitor with nothing stored (the web chat before consent) -----------------------------


async def documents(db: Database) -> dict[str, int]:
    return {name: await db[name].count_documents({}) for name in await db.list_collection_names()}


async def test_the_consent_prompt_is_previewed_without_writing_anything(db: Database, engine: Engine) -> None:
    chat = Chat(engine, db)
    before = await documents(db)
    prompt = await engine.preview(chat.command("start"))
    assert prompt is not None and payloads(prompt.messages[0])[:2] == ["consent:yes", "consent:no"]
    again = await engine.preview(chat.text("hello?"))  # not an answer: the prompt again
    assert again is not None and again.messages[0].text == prompt.messages[0].text
    spanish = await engine.preview(chat.button("lang:es"))
    assert spanish is not None and spanish.messages[-1].language == "es"
    assert payloads(spanish.messages[-1])[:2] == ["consent:yes", "consent:no"]
    # Starting something that must be stored, or answering the prompt, is not previewed.
    assert await engine.preview(chat.command("complain")) is None
    assert await engine.preview(chat.button("consent:yes")) is None
    assert await documents(db) == before


async def test_the_decision_on_a_previewed_prompt_is_the_first_write(db: Database, engine: Engine) -> None:
    chat = Chat(engine, db)
    assert await engine.preview(chat.command("start")) is not None
    reply = await chat.send(chat.button("consent:yes"))  # pressed on the prompt never stored
    assert reply.messages[0].text.endswith("✓ " + t("button.agree")) and reply.messages[0].edit_ref
    assert (await chat.existing())["state"] == State.SURVEY.value
    assert await db["consents"].count_documents({"decision": "granted"}) == 1
    # From now on the chat is stored: nothing more is previewed.
    assert await engine.preview(chat.text("hello?")) is None


async def test_a_late_tap_on_the_consent_buttons_changes_nothing_once_the_survey_runs(
    db: Database, engine: Engine
) -> None:
    """The consent keeps its buttons until its tidying edit goes out (later, at Telegram's limit):
    a tap on "No thanks" meanwhile is answered with a note and neither declines nor withdraws."""
    chat = Chat(engine, db)
    await chat.agree()
    before = await chat.existing()
    reply = await chat.send(chat.button("consent:no"))
    assert reply.notice and not reply.messages
    after = await chat.existing()
    assert after["state"] == before["state"] == "in_survey"
    assert await db["consents"].count_documents({"decision": {"$ne": "granted"}}) == 0
