"""Tickets on the agents' desk: the real slack_sdk client against a fake Slack Web API on 127.0.0.1.

Jobs run through the real JobRunner with an injectable clock; translation goes through the real
Translator with a fake provider (the customer's words, tagged with the target language).
"""

from __future__ import annotations

import dataclasses
from collections.abc import AsyncIterator
from datetime import UTC, datetime, timedelta

import pytest

from bot.scheduler import JobRunner
from bot.ticket_jobs import TicketJobs
from conversations.engine import Engine
from conversations.tickets.desk import Escalation
from conversations.tickets.policy import ComplaintPolicy, Team
from conversations.tickets.working_time import Calendar, Counting
from core.events import Attachment, EventKind, InboundEvent, Outbound
from core.questionnaire import BUILTIN_DIR, load_file
from handlers.slack import SlackDesk, make_client
from handlers.translator import TranslationService
from storage.store import Store
from storage.types import Database
from tests.clock import Clock
from tests.conversations.test_engine import CONFIG, Chat, ui
from tests.fakes.slack_api import FakeSlack

MONDAY_10 = datetime(2026, 11, 23, 9, 0, tzinfo=UTC)
POLICY = ComplaintPolicy(
    teams={
        "support": Team("support", "C-SUPPORT", Calendar(timezone="Europe/Madrid")),
        "logistics": Team("logistics", "C-LOGISTICS", Calendar(timezone="Europe/Madrid")),
    },
    routing={"logistics": "logistics"},
    counting=Counting.CALENDAR,
)
SPANISH = {
    "La caja llegó aplastada y la tetera está abollada.": "The box arrived crushed and the kettle is dented.",
    # No shipped language's urgent words are in it (Italian "incendi…" would catch "se incendió").
    "El cargador echó chispas y chamuscó la mesa.": "The charger caught fire and burned the table.",
}


class FakeProvider:
    """Translates the test's Spanish sentences; anything else comes back tagged with the target."""

    name = "fake"

    def translate(self, text: str, *, source: str, target: str) -> str:
        return SPANISH.get(text, f"[{target}] {text}")


class PhotoSource:
    """The customer's chat as far as the desk needs it: the files they sent."""

    name = "test"

    async def deliver(self, event: object, reply: object) -> None:
        raise AssertionError("not used by the desk")

    async def send(self, chat_key: str, messages: list[Outbound]) -> None:
        raise AssertionError("not used by the desk")

    async def fetch(self, ref: str) -> bytes | None:
        return b"photo " + ref.encode()


@pytest.fixture
async def slack() -> AsyncIterator[FakeSlack]:
    async with FakeSlack() as fake:
        yield fake


@pytest.fixture
async def store(db: Database) -> Store:
    store = await Store.open(db)
    await store.questionnaires.install(load_file(BUILTIN_DIR / "default.yaml"), source="test")
    return store


class Desk:
    """The engine for customers plus the job runner and Slack desk for agents, on one clock."""

    def __init__(self, store: Store, slack: FakeSlack, db: Database) -> None:
        self.clock = Clock(MONDAY_10)
        config = dataclasses.replace(CONFIG, complaints=POLICY, clock=self.clock)
        self.escalation_translator = TranslationService(FakeProvider(), None, rate_per_second=None)
        self.engine = Engine(store=store, catalogs=ui(), config=config, translator=self.escalation_translator)
        client = make_client(token=slack.token, base_url=slack.base_url)
        self.desk = SlackDesk(client=client, default_channel="C-DEFAULT", escalation_channel="C-ESCALATE")
        self.escalation = Escalation(
            store=store,
            desk=self.desk,
            translator=self.escalation_translator,
            policy=POLICY,
            agent_language="en",
            suggestions_channel="C-IDEAS",
            clock=self.clock,
        )

        jobs = TicketJobs(
            store=store,
            channel=lambda name: PhotoSource(),
            escalation=self.escalation,
            submit=self.engine.handle,  # a due follow-up is decided by the chat (no channel here)
        )
        self.runner = JobRunner(jobs=store.jobs, handlers=jobs.handlers(), clock=self.clock)
        self.db = db

    async def complain(self, chat_key: str, description: str, *, order: str = "A1234-5678") -> str:
        chat = Chat(self.engine, self.db, chat_key=chat_key, user_key=f"u-{chat_key}")

        async def send(event: InboundEvent) -> None:
            await chat.send(dataclasses.replace(event, language_hint="es"))

        await send(chat.command("complain"))
        for payload in ("cc:yes", "cs:yes", "cat:logistics"):
            await send(chat.button(payload))
        await send(chat.text(order))
        await send(chat.text("Tetera azul"))
        photo = chat.event(EventKind.MEDIA, "photo")
        photo = dataclasses.replace(photo, attachment=Attachment("photo", "PHOTO-1"))
        await send(photo)
        await send(chat.text(description))
        for payload in ("exp:replacement", "ct:evening", "contact:skip", "confirm:submit"):
            await send(chat.button(payload))
        ticket = await self.db["tickets"].find_one({"chat_key": chat_key})
        assert ticket is not None
        return str(ticket["_id"])


async def test_a_spanish_complaint_reaches_its_team_channel_translated(
    db: Database, store: Store, slack: FakeSlack
) -> None:
    desk = Desk(store, slack, db)
    ticket_id = await desk.complain("c1", "La caja llegó aplastada y la tetera está abollada.")
    assert await desk.runner.run_due() == 2  # the publication, then the customer's photo into its thread

    (message,) = slack.channel("C-LOGISTICS")
    (photo,) = slack.uploads.values()
    assert photo["thread_ts"] == message.ts and photo["data"] == b"photo PHOTO-1"
    shown = json_text(message.blocks)
    assert ticket_id in message.text and "Delivery delay or damage" in message.text
    assert "La caja llegó aplastada" in shown  # the original is always there
    assert "The box arrived crushed and the kettle is dented." in shown
    assert "Translation* (en, fake)" in shown
    assert "A1234-5678" in shown and "es · test" in shown and "1 photo(s)" in shown
    actions = next(block for block in message.blocks if block["type"] == "actions")
    assert [element["action_id"] for element in actions["elements"]] == [
        "ticket_claim",
        "ticket_reply",
        "ticket_propose",
        "ticket_resolve",
        "ticket_reclassify",
        "ticket_escalate",
    ]
    assert all(element["value"] == ticket_id for element in actions["elements"])
    ticket = await db["tickets"].find_one({"_id": ticket_id})
    assert ticket is not None and ticket["desk"] == {"channel": "C-LOGISTICS", "ref": message.ts}
    assert slack.channel("C-ESCALATE") == []  # not urgent
    assert await desk.runner.run_due() == 0  # nothing runs twice


async def test_urgent_words_found_only_in_the_translation_alert_the_escalation_channel(
    db: Database, store: Store, slack: FakeSlack
) -> None:
    desk = Desk(store, slack, db)
    ticket_id = await desk.complain("c1", "El cargador echó chispas y chamuscó la mesa.")
    before = await db["tickets"].find_one({"_id": ticket_id})
    assert before is not None and not before["urgent"]  # no urgent word of any catalog in the Spanish
    await desk.runner.run_due()
    ticket = await db["tickets"].find_one({"_id": ticket_id})
    assert ticket is not None and ticket["urgent"]
    assert ticket["urgency_reasons"] == ["mentions burned, fire (translated)"]
    (alert,) = slack.channel("C-ESCALATE")
    assert ticket_id in alert.text and "fire" in alert.text and "|open>" in alert.text
    (message,) = slack.channel("C-LOGISTICS")
    assert message.text.startswith("🔴 URGENT")


async def test_reminder_at_three_quarters_and_breach_at_the_deadline(
    db: Database, store: Store, slack: FakeSlack
) -> None:
    desk = Desk(store, slack, db)
    ticket_id = await desk.complain("c1", "La caja llegó aplastada y la tetera está abollada.")
    await desk.runner.run_due()
    (message,) = slack.channel("C-LOGISTICS")

    desk.clock.now = MONDAY_10 + timedelta(hours=36)  # 75 % of 48 h
    assert await desk.runner.run_due() == 1
    (reminder,) = slack.thread("C-LOGISTICS", message.ts)
    assert "Reminder: first contact due" in reminder.text

    desk.clock.now = MONDAY_10 + timedelta(hours=48)
    assert await desk.runner.run_due() == 1
    ticket = await db["tickets"].find_one({"_id": ticket_id})
    assert ticket is not None and ticket["breached"] == ["first_contact"]
    assert [entry["action"] for entry in ticket["history"]][-1] == "deadline missed"
    (alert,) = slack.channel("C-ESCALATE")
    assert "first contact deadline missed" in alert.text
    assert message.edits == 1 and "missed" in json_text(message.blocks)


async def test_met_deadlines_and_closed_tickets_stay_quiet(
    db: Database, store: Store, slack: FakeSlack
) -> None:
    desk = Desk(store, slack, db)
    ticket_id = await desk.complain("c1", "La caja llegó aplastada y la tetera está abollada.")
    await desk.runner.run_due()
    await db["tickets"].update_one({"_id": ticket_id}, {"$set": {"met": {"first_contact": MONDAY_10}}})
    desk.clock.now = MONDAY_10 + timedelta(hours=49)
    assert await desk.runner.run_due() == 2  # the first-contact reminder and breach run, and say nothing
    (message,) = slack.channel("C-LOGISTICS")
    assert slack.thread("C-LOGISTICS", message.ts) == []
    assert slack.channel("C-ESCALATE") == []
    await db["tickets"].update_one({"_id": ticket_id}, {"$set": {"status": "closed"}})
    desk.clock.now = MONDAY_10 + timedelta(hours=80)
    assert await desk.runner.run_due() == 2  # the resolution reminder and breach: closed, so quiet
    assert slack.thread("C-LOGISTICS", message.ts) == [] and slack.channel("C-ESCALATE") == []


async def test_slack_429_is_waited_out_and_an_outage_is_retried_without_doubling(
    db: Database, store: Store, slack: FakeSlack
) -> None:
    desk = Desk(store, slack, db)
    await desk.complain("c1", "La caja llegó aplastada y la tetera está abollada.")
    slack.rate_limit(1, retry_after=1)
    assert await desk.runner.run_due() == 2  # publication and photo
    assert len(slack.channel("C-LOGISTICS")) == 1
    assert [call.status for call in slack.calls_to("chat.postMessage")] == [429, 200]

    await desk.complain("c2", "El cargador echó chispas y chamuscó la mesa.", order="B2222")
    slack.outage(10)
    assert await desk.runner.run_due() == 1  # failed, released for later
    job = await db["jobs"].find_one({"kind": "ticket.publish", "status": "pending"})
    assert job is not None and job["attempts"] == 1 and job["last_error"]
    assert len(slack.channel("C-LOGISTICS")) == 1
    slack._troubles.clear()  # Slack is back
    desk.clock.now += timedelta(seconds=5)
    assert await desk.runner.run_due() == 2
    assert len(slack.channel("C-LOGISTICS")) == 2
    assert len(slack.channel("C-ESCALATE")) == 1
    desk.clock.now += timedelta(minutes=10)
    await desk.runner.run_due()
    assert len(slack.channel("C-LOGISTICS")) == 2


async def test_a_second_worker_finds_nothing_left_to_do(db: Database, store: Store, slack: FakeSlack) -> None:
    first, second = Desk(store, slack, db), Desk(store, slack, db)
    await first.complain("c1", "La caja llegó aplastada y la tetera está abollada.")
    done = await first.runner.run_due() + await second.runner.run_due()
    assert done == 2 and len(slack.channel("C-LOGISTICS")) == 1 and len(slack.uploads) == 1


async def test_suggestions_and_praise_reach_their_channels_translated(
    db: Database, store: Store, slack: FakeSlack
) -> None:
    desk = Desk(store, slack, db)
    now = MONDAY_10
    for number, (kind, text) in enumerate(
        [("suggestion", "Podrían ofrecer envoltorio de regalo"), ("praise", "¡Entrega rapidísima, gracias!")]
    ):
        await store.feedback.add(
            feedback_id=f"test:{number}",
            customer_id="c1",
            kind=kind,
            text=text,
            language="es",
            channel="telegram",
            received_at=now,
            classified_at=now,
        )
        await store.jobs.schedule(
            job_id=f"feedback.forward:test:{number}",
            kind="feedback.forward",
            due_at=now,
            payload={"feedback": f"test:{number}"},
        )
    assert await desk.runner.run_due() == 2
    (idea,) = slack.channel("C-IDEAS")
    assert "suggestion" in idea.text and "Podrían ofrecer envoltorio" in idea.text
    assert "[en] Podrían ofrecer envoltorio de regalo" in idea.text
    (praise,) = slack.channel("C-SUPPORT")  # the default team's channel
    assert "Praise" in praise.text and "rapidísima" in praise.text


def json_text(blocks: list[dict[str, object]]) -> str:
    import json

    return json.dumps(blocks, ensure_ascii=False)
