"""The complaint intake dialogue through the engine: consents, questions, corrections, the ticket."""

from __future__ import annotations

import dataclasses
from datetime import UTC, datetime, timedelta
from zoneinfo import ZoneInfo

import pytest
from babel.dates import format_skeleton

from conversations.dialogues.dialogue import State
from conversations.engine import Engine
from conversations.tickets.policy import ComplaintPolicy, Team
from conversations.tickets.working_time import Calendar
from core.events import Attachment, EventKind
from core.questionnaire import BUILTIN_DIR, load_file
from storage.store import Store
from storage.types import Database
from tests.conversations.test_engine import CONFIG, Chat, payloads, t, ui

MONDAY_10 = datetime(2026, 11, 23, 9, 0, tzinfo=UTC)  # 10:00 in Berlin
SATURDAY = datetime(2026, 11, 28, 12, 0, tzinfo=UTC)
BERLIN = Calendar(timezone="Europe/Berlin")
POLICY = ComplaintPolicy(
    teams={"support": Team("support", "C-SUPPORT", BERLIN), "logistics": Team("logistics", "C-LOG", BERLIN)},
    routing={"logistics": "logistics"},
)


def engine_at(store: Store, moment: datetime) -> Engine:
    config = dataclasses.replace(CONFIG, complaints=POLICY, clock=lambda: moment)
    return Engine(store=store, catalogs=ui(), config=config)


async def state(chat: Chat) -> str:
    return str((await chat.existing())["state"])


async def fill(chat: Chat, *, sensitive: bool, order: str = "A1234-5678") -> None:
    """Everything up to the summary, with a delivery problem."""
    await chat.send(chat.command("complain"))
    await chat.send(chat.button("cc:yes"))
    await chat.send(chat.button("cs:yes" if sensitive else "cs:no"))
    await chat.send(chat.button("cat:logistics"))
    await chat.send(chat.text(order))
    await chat.send(chat.text("Blue kettle"))
    await chat.send(chat.text("The box arrived crushed and the kettle is dented."))
    await chat.send(chat.button("exp:replacement"))
    await chat.send(chat.button("ct:evening"))


async def test_full_complaint_becomes_one_ticket_with_deadlines_and_jobs(db: Database, store: Store) -> None:
    chat = Chat(engine_at(store, MONDAY_10), db)
    reply = await chat.send(chat.command("complain"))
    assert "Acme Shop" in reply.messages[0].text and "500 days after" in reply.messages[0].text
    assert payloads(reply.messages[0]) == ["cc:yes", "cc:no"]
    assert await db["consents"].count_documents({}) == 0  # nothing before agreement

    reply = await chat.send(chat.button("cc:yes"))
    assert payloads(reply.messages[0]) == ["cs:yes", "cs:no"]
    reply = await chat.send(chat.button("cs:yes"))
    assert "cat:logistics" in payloads(reply.messages[0])
    await chat.send(chat.button("cat:logistics"))
    reply = await chat.send(chat.text("12"))
    assert reply.messages[0].text.startswith(t("complaint.order.invalid", example="A1234-5678"))
    assert await state(chat) == State.COMPLAINT_ORDER
    await chat.send(chat.text("  A1234-5678 "))
    await chat.send(chat.text("Blue kettle"))
    reply = await chat.send(chat.text("x" * 2001))
    assert t("complaint.text.too_long", max=2000) in reply.messages[0].text
    photo = chat.event(EventKind.MEDIA, "photo")
    photo = dataclasses.replace(photo, attachment=Attachment("photo", "FILE-1"))
    reply = await chat.send(photo)
    assert reply.messages[0].text == t("complaint.photo.received", count=1)
    await chat.send(chat.text("The box arrived crushed and the kettle is dented."))
    await chat.send(chat.button("exp:replacement"))
    reply = await chat.send(chat.button("ct:evening"))
    assert "contact:skip" in payloads(reply.messages[0])
    reply = await chat.send(chat.text("not a phone"))
    assert reply.messages[0].text.startswith(t("complaint.contact.invalid"))
    reply = await chat.send(chat.text("kim@example.org"))
    summary = reply.messages[0].text
    for part in ("A1234-5678", "Blue kettle", "dented", "kim@example.org", t("complaint.category.logistics")):
        assert part in summary
    assert await db["tickets"].count_documents({}) == 0

    submit = chat.button("confirm:submit")
    reply = await chat.send(submit)
    ticket = await db["tickets"].find_one({})
    assert ticket is not None
    assert ticket["_id"] in reply.messages[0].text
    assert ticket["team"] == "logistics" and ticket["status"] == "open" and not ticket["urgent"]
    assert ticket["order_ref"] == "A1234-5678" and ticket["photos"] == [{"kind": "photo", "ref": "FILE-1"}]
    assert ticket["description_language"] == "en" and ticket["has_contact"]
    assert "kim@example.org" not in str(ticket)  # contact details are kept apart
    assert await store.contacts.get(ticket_id=ticket["_id"]) == "kim@example.org"
    # 48 h counted on working days from Monday 10:00 Berlin: Wednesday 10:00.
    assert ticket["deadlines"]["first_contact"] == MONDAY_10 + timedelta(hours=48)
    assert "November 25, 2026" in reply.messages[0].text
    jobs = {doc["_id"]: doc async for doc in db["jobs"].find({})}
    tid = ticket["_id"]
    assert set(jobs) == {
        f"ticket.publish:{tid}",
        f"ticket.reminder:{tid}:first_contact",
        f"ticket.breach:{tid}:first_contact",
        f"ticket.reminder:{tid}:resolution",
        f"ticket.breach:{tid}:resolution",
    }
    assert jobs[f"ticket.reminder:{tid}:first_contact"]["due_at"] == MONDAY_10 + timedelta(hours=36)
    kinds = [doc["kind"] async for doc in db["consents"].find({}).sort("at", 1)]
    assert kinds == ["complaint", "complaint_sensitive"]
    assert (await chat.existing())["detour"] is None

    # The confirming press is replayed (a worker died before the reply left): the same confirmation
    # comes back, and nothing doubles.
    again = await chat.send(submit)
    assert len(again.messages) == 1 and tid in again.messages[0].text
    assert await db["tickets"].count_documents({}) == 1
    assert await db["jobs"].count_documents({}) == 5


async def test_chat_only_keeps_no_photo_and_asks_no_contact(db: Database, store: Store) -> None:
    chat = Chat(engine_at(store, MONDAY_10), db)
    await chat.send(chat.command("complain"))
    await chat.send(chat.button("cc:yes"))
    await chat.send(chat.button("cs:no"))
    await chat.send(chat.button("cat:product_quality"))
    await chat.send(chat.button("order:none"))
    await chat.send(chat.text("Phone case"))
    photo = chat.event(EventKind.MEDIA, "photo")
    photo = dataclasses.replace(photo, attachment=Attachment("photo", "FILE-9"))
    reply = await chat.send(photo)
    assert reply.messages[0].text == t("complaint.photo.not_kept")
    await chat.send(chat.text("It cracked after a day."))
    await chat.send(chat.button("exp:refund"))
    reply = await chat.send(chat.button("ct:any"))
    assert await state(chat) == State.COMPLAINT_CONFIRM  # no contact question without consent
    await chat.send(chat.button("confirm:submit"))
    ticket = await db["tickets"].find_one({})
    assert ticket is not None and ticket["photos"] == [] and ticket["order_ref"] is None
    assert ticket["team"] == "support" and not ticket["sensitive_consent"]
    assert await db["contacts"].count_documents({}) == 0


async def test_declining_collects_nothing(db: Database, store: Store) -> None:
    chat = Chat(engine_at(store, MONDAY_10), db)
    await chat.send(chat.command("complain"))
    reply = await chat.send(chat.button("cc:no"))
    assert reply.messages[0].text == t("complaint.declined")
    assert await db["tickets"].count_documents({}) == 0
    refused = await db["consents"].find_one({})
    assert refused is not None and refused["kind"] == "complaint" and refused["decision"] == "refused"


async def test_correcting_one_field_returns_to_the_summary(db: Database, store: Store) -> None:
    chat = Chat(engine_at(store, MONDAY_10), db)
    await fill(chat, sensitive=False)
    reply = await chat.send(chat.button("confirm:correct"))
    assert payloads(reply.messages[0]) == [
        f"fix:{f}" for f in ("category", "order", "product", "description", "expectation", "contact_time")
    ]
    await chat.send(chat.button("fix:order"))
    reply = await chat.send(chat.text("B9999-0001"))
    assert "B9999-0001" in reply.messages[0].text and await state(chat) == State.COMPLAINT_CONFIRM
    await chat.send(chat.button("confirm:submit"))
    ticket = await db["tickets"].find_one({})
    assert ticket is not None and ticket["order_ref"] == "B9999-0001"


async def test_cancel_and_stale_buttons(db: Database, store: Store) -> None:
    chat = Chat(engine_at(store, MONDAY_10), db)
    await fill(chat, sensitive=False)
    reply = await chat.send(chat.button("cat:payment"))  # a button from an earlier message
    assert reply.notice == t("unknown.button") and await state(chat) == State.COMPLAINT_CONFIRM
    reply = await chat.send(chat.button("confirm:cancel"))
    assert reply.messages[0].text == t("complaint.cancelled")
    assert await db["tickets"].count_documents({}) == 0
    assert (await chat.existing())["detour"] is None


async def test_operator_looking_text_is_stored_literally(db: Database, store: Store) -> None:
    chat = Chat(engine_at(store, MONDAY_10), db)
    await chat.send(chat.command("complain"))
    await chat.send(chat.button("cc:yes"))
    await chat.send(chat.button("cs:no"))
    await chat.send(chat.button("cat:other"))
    await chat.send(chat.text("A1234"))
    await chat.send(chat.text('{"$gt": ""}'))
    await chat.send(chat.text("$where: sleep(1000)"))
    await chat.send(chat.button("exp:other"))
    await chat.send(chat.button("ct:any"))
    await chat.send(chat.button("confirm:submit"))
    ticket = await db["tickets"].find_one({})
    assert ticket is not None
    assert ticket["product"] == '{"$gt": ""}' and ticket["description"] == "$where: sleep(1000)"


async def test_urgent_words_and_repeat_orders_mark_tickets_urgent(db: Database, store: Store) -> None:
    first = Chat(engine_at(store, MONDAY_10), db, chat_key="c1", user_key="u1")
    await fill(first, sensitive=False, order="Z7777")
    await first.send(first.button("confirm:submit"))
    second = Chat(engine_at(store, MONDAY_10), db, chat_key="c2", user_key="u2")
    await second.send(second.command("complain"))
    for step in ("cc:yes", "cs:no", "cat:product_quality"):
        await second.send(second.button(step))
    await second.send(second.text("Z7777"))
    await second.send(second.text("Charger"))
    await second.send(second.text("It caught fire and my son was injured"))
    await second.send(second.button("exp:refund"))
    await second.send(second.button("ct:any"))
    await second.send(second.button("confirm:submit"))
    tickets = [doc async for doc in db["tickets"].find({}).sort("created_at", 1)]
    assert [doc["urgent"] for doc in tickets] == [False, True]
    reasons = tickets[1]["urgency_reasons"]
    assert "repeat complaint on this order" in reasons
    assert any("fire" in reason and "injured" in reason for reason in reasons)


async def test_outside_working_time_the_customer_learns_when_the_team_is_back(
    db: Database, store: Store
) -> None:
    chat = Chat(engine_at(store, SATURDAY), db)
    await fill(chat, sensitive=False)
    reply = await chat.send(chat.button("confirm:submit"))
    text = reply.messages[0].text
    # Expected text from the same Babel call: CLDR data (and so the wording) changes between releases.
    back = datetime(2026, 11, 30, 9, 0, tzinfo=ZoneInfo("Europe/Berlin"))
    day = format_skeleton("MMMMEEEEd", back, locale="en")
    assert "Europe/Berlin" in text and day in text and "09:00" in text
    assert "30" in day and format_skeleton("EEE", back, locale="en") in day


async def test_language_switch_mid_complaint_asks_the_same_question_again(db: Database, store: Store) -> None:
    chat = Chat(engine_at(store, MONDAY_10), db)
    await chat.send(chat.command("complain"))
    await chat.send(chat.button("cc:yes"))
    await chat.send(chat.button("cs:no"))
    reply = await chat.send(chat.button("lang:de"))
    assert reply.messages[-1].text == ui().text("de", "complaint.category.prompt")
    assert await state(chat) == State.COMPLAINT_CATEGORY


async def test_delete_redacts_tickets_and_erases_contacts(db: Database, store: Store) -> None:
    chat = Chat(engine_at(store, MONDAY_10), db)
    await fill(chat, sensitive=True)
    await chat.send(chat.text("+49 30 1234567"))
    await chat.send(chat.button("confirm:submit"))
    ticket = await db["tickets"].find_one({})
    assert ticket is not None and await db["contacts"].count_documents({}) == 1
    # Agents read the description translated; that translation is cached, and must go with it.
    from conversations.translation import text_hash

    for text, target in ((ticket["description"], "de"), ("Someone else's words", "de")):
        await store.translations.put(
            text_hash=text_hash(text),
            source="en",
            target=target,
            provider="libretranslate",
            translated_text="…",
        )
    await chat.send(chat.command("delete"))
    await chat.send(chat.button("delete:yes"))
    redacted = await db["tickets"].find_one({"_id": ticket["_id"]})
    assert redacted is not None
    assert redacted["customer_id"] is None and redacted["order_ref"] is None
    assert "kettle" not in str(redacted) and redacted["category"] == "logistics"
    assert await db["contacts"].count_documents({}) == 0
    assert await db["jobs"].count_documents({"_id": f"ticket.publish:{ticket['_id']}:erased"}) == 1
    remaining = [doc["text_hash"] async for doc in db["translation_cache"].find({})]
    assert remaining == [text_hash("Someone else's words")]


async def finish_survey(chat: Chat, *, low: bool, started: bool = False) -> list[str]:
    """Agree and answer every question (the first rating 1 when `low`); the payloads shown at the end.

    `started`: the consent question is on screen already (the chat was opened by a link)."""
    from core.questionnaire import QuestionType

    questionnaire = load_file(BUILTIN_DIR / "default.yaml")
    if not started:
        await chat.send(chat.command("start"))
    reply = await chat.send(chat.button("consent:yes"))
    while (conversation := await chat.existing())["state"] == State.SURVEY:
        question = questionnaire.question(conversation["question_id"])
        assert question is not None
        if question.type is QuestionType.RATING5:
            value = 1 if low and question.id == "product_quality" else 4
            reply = await chat.send(chat.button(f"a:{question.id}:{value}"))
        elif question.type is QuestionType.SCALE10:
            reply = await chat.send(chat.button(f"a:{question.id}:8"))
        elif question.required:
            reply = await chat.send(chat.text("ok"))
        else:
            reply = await chat.send(chat.button(f"skip:{question.id}"))
    return [p for message in reply.messages for p in payloads(message)]


async def test_a_low_rating_is_followed_by_an_offer_that_starts_a_complaint(
    db: Database, store: Store
) -> None:
    chat = Chat(engine_at(store, MONDAY_10), db)
    assert await finish_survey(chat, low=True) == ["complain:r1", "complain:no"]
    reply = await chat.send(chat.button("complain:r1"))
    assert payloads(reply.messages[0]) == ["cc:yes", "cc:no"]
    await chat.send(chat.button("cc:yes"))
    await chat.send(chat.button("cs:no"))
    await chat.send(chat.button("cat:product_quality"))
    await chat.send(chat.text("A1234"))
    await chat.send(chat.text("Kettle"))
    await chat.send(chat.text("Leaks."))
    await chat.send(chat.button("exp:refund"))
    await chat.send(chat.button("ct:any"))
    await chat.send(chat.button("confirm:submit"))
    ticket = await db["tickets"].find_one({})
    assert ticket is not None and ticket["rating"] == 1 and ticket["urgent"]
    assert "rating 1" in ticket["urgency_reasons"]
    assert await state(chat) == State.COMPLETED


async def test_good_ratings_get_no_offer_and_no_thanks_gets_an_answer(db: Database, store: Store) -> None:
    chat = Chat(engine_at(store, MONDAY_10), db)
    assert await finish_survey(chat, low=False) == []
    other = Chat(engine_at(store, MONDAY_10), db, chat_key="c2", user_key="u2")
    await finish_survey(other, low=True)
    reply = await other.send(other.button("complain:no"))
    assert reply.messages[-1].text == t("complaint.declined")
    assert all(payloads(m) == [] for m in reply.messages) and await db["tickets"].count_documents({}) == 0
    reply = await other.send(other.button("complain:r9"))
    assert reply.notice == t("unknown.button")


async def test_mydata_lists_complaints_contacts_and_feedback(db: Database, store: Store) -> None:
    chat = Chat(engine_at(store, MONDAY_10), db)
    await fill(chat, sensitive=True)
    await chat.send(chat.text("kim@example.org"))
    await chat.send(chat.button("confirm:submit"))
    ticket = await db["tickets"].find_one({})
    assert ticket is not None
    # With a complaint open, a free message goes to it (shown to agents), not to classification.
    reply = await chat.send(chat.text("Any news?"))
    assert reply.messages[0].text == t("complaint.message.forwarded", ticket=ticket["_id"])
    history = (await db["tickets"].find_one({}) or {})["history"]
    assert history[-1]["action"] == "wrote" and history[-1]["text"] == "Any news?"
    await store.feedback.add(
        feedback_id="test:1",
        customer_id=ticket["customer_id"],
        kind="suggestion",
        text="Please add gift wrapping",
        language="en",
        channel="test",
        received_at=MONDAY_10,
        classified_at=MONDAY_10,
    )
    reply = await chat.send(chat.command("mydata"))
    text = reply.messages[0].text
    for part in (
        t("mydata.complaints"),
        ticket["_id"],
        "#A1234-5678",
        "dented",
        t("mydata.contact", value="kim@example.org"),
        t("mydata.feedback"),
        "Please add gift wrapping",
    ):
        assert part in text
    await chat.send(chat.command("delete"))
    await chat.send(chat.button("delete:yes"))
    assert await db["feedback"].count_documents({}) == 0


async def test_the_ledger_records_which_consent_text_was_shown(db: Database, store: Store) -> None:
    from conversations.rendering import text_version

    chat = Chat(engine_at(store, MONDAY_10), db)
    reply = await chat.send(chat.command("complain"))
    shown_consent = reply.messages[0].text
    reply = await chat.send(chat.button("cc:yes"))
    shown_sensitive = reply.messages[0].text
    await chat.send(chat.button("cs:yes"))
    versions = {doc["kind"]: doc["text_version"] async for doc in db["consents"].find({})}
    assert versions == {
        "complaint": text_version(shown_consent),
        "complaint_sensitive": text_version(shown_sensitive),
    }


async def test_buttons_for_another_customers_ticket_are_refused(db: Database, store: Store) -> None:
    from conversations.tickets.lifecycle import TicketLifecycle

    engine = engine_at(store, MONDAY_10)
    owner = Chat(engine, db)
    await fill(owner, sensitive=False)
    await owner.send(owner.button("confirm:submit"))
    ticket = await db["tickets"].find_one({})
    assert ticket is not None
    lifecycle = TicketLifecycle(store=store, policy=POLICY, clock=lambda: MONDAY_10)
    await lifecycle.propose(ticket_id=str(ticket["_id"]), agent="U0AGENT", text="A refund")
    intruder = Chat(engine, db, chat_key="intruder", user_key="intruder")
    await intruder.send(intruder.command("start"))
    for payload in (f"prop:{ticket['_id']}:yes", f"prop:{ticket['_id']}:no", f"fu:{ticket['_id']}:no"):
        reply = await intruder.send(intruder.button(payload))
        assert reply.notice == t("unknown.button") and reply.messages == (), payload
    after = await db["tickets"].find_one({"_id": ticket["_id"]})
    assert (
        after is not None
        and after["status"] == "awaiting_customer"
        and after["version"] == ticket["version"] + 1
    )


async def test_a_follow_up_answer_cannot_reopen_a_ticket_that_is_not_closed(
    db: Database, store: Store
) -> None:
    from conversations.tickets.lifecycle import Refused, TicketLifecycle

    engine = engine_at(store, MONDAY_10)
    owner = Chat(engine, db)
    await fill(owner, sensitive=False)
    await owner.send(owner.button("confirm:submit"))
    ticket = await db["tickets"].find_one({})
    assert ticket is not None and ticket["status"] == "open"
    lifecycle = TicketLifecycle(store=store, policy=POLICY, clock=lambda: MONDAY_10)
    # A stale follow-up button pressed while agents still work on the ticket: refused, unchanged.
    ticket_id, customer_id = str(ticket["_id"]), ticket["customer_id"]
    with pytest.raises(Refused, match="open cannot become reopened"):
        await lifecycle.follow_up_answer(ticket_id=ticket_id, customer_id=customer_id, solved=False)
    reply = await owner.send(owner.button(f"fu:{ticket['_id']}:no"))
    assert reply.notice == t("unknown.button")
    after = await db["tickets"].find_one({"_id": ticket["_id"]})
    assert after is not None and after["status"] == "open" and after["version"] == ticket["version"]
    # Once closed, the follow-up reopens it.
    await lifecycle.resolve(ticket_id=ticket_id, agent="U0AGENT", text="Refunded")
    await lifecycle.follow_up_answer(ticket_id=ticket_id, customer_id=customer_id, solved=False)
    reopened = await db["tickets"].find_one({"_id": ticket["_id"]})
    assert reopened is not None and reopened["status"] == "reopened"
