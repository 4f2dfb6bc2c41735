"""Reminders for unfinished surveys: once, never after completion or /stop, never at night."""

from __future__ import annotations

import asyncio
import dataclasses
from datetime import UTC, datetime, timedelta

from bot.dispatch import Dispatcher
from bot.metrics import Metrics
from bot.outreach import OutreachJobs
from bot.scheduler import JobRunner
from conversations.dialogues.invitations import InvitationRequest, invite
from conversations.engine import Engine
from conversations.quiet_hours import QuietHours
from core.events import InboundEvent, Outbound
from core.questionnaire import BUILTIN_DIR, load_file
from handlers.pacing import Pacer
from storage.store import Store
from storage.types import Database
from tests.clock import Clock
from tests.conversations.test_engine import CHANNEL, CONFIG, Chat, payloads, ui

NOON = datetime(2026, 11, 23, 12, 0, tzinfo=UTC)


class Outbox:
    """The sending side of a chat channel, recording what it was asked to send."""

    name = CHANNEL

    def __init__(self) -> None:
        self.sent: list[tuple[str, Outbound]] = []

    async def deliver(self, event: InboundEvent, reply: object) -> None:
        raise AssertionError("reminders are sent unprompted, not delivered as replies")

    async def send(self, chat_key: str, messages: list[Outbound]) -> None:
        self.sent.extend((chat_key, message) for message in messages)

    async def fetch(self, ref: str) -> bytes | None:
        return None


async def setup(db: Database, *, reminders: int = 1) -> tuple[Clock, Chat, Outbox, JobRunner]:
    store = await Store.open(db)
    await store.questionnaires.install(load_file(BUILTIN_DIR / "default.yaml"), source="test")
    clock = Clock(NOON)
    config = dataclasses.replace(CONFIG, clock=clock, reminder_count=reminders)
    engine = Engine(store=store, catalogs=ui(), config=config)
    chat = Chat(engine, db)
    outbox = Outbox()
    # Due reminders go through the real dispatcher, as in the bot: inbox, the chat's order, engine.
    dispatcher = Dispatcher(engine=engine, inbox=store.inbox, metrics=Metrics(), clock=clock)
    dispatcher.register(outbox)

    async def submit(event: InboundEvent) -> bool:
        accepted = await dispatcher.submit(event)
        await dispatcher.wait_idle()
        return accepted

    jobs = OutreachJobs(
        store=store,
        channel=dispatcher.channel,
        quiet_hours=QuietHours.parse("21:00-09:00"),
        submit=submit,
        clock=clock,
    )
    return clock, chat, outbox, JobRunner(jobs=store.jobs, handlers=jobs.handlers(), clock=clock)


async def test_one_reminder_a_day_later_and_continue_shows_the_question(db: Database) -> None:
    clock, chat, outbox, runner = await setup(db)
    await chat.send(chat.command("start"))
    await chat.send(chat.button("consent:yes"))
    await chat.send(chat.button("a:product_quality:4"))
    clock.now += timedelta(hours=23)
    assert await runner.run_due() == 0
    clock.now += timedelta(hours=1)
    assert await runner.run_due() == 1
    ((chat_key, reminder),) = outbox.sent
    assert chat_key == chat.chat_key and "your recent order" in reminder.text
    assert payloads(reminder) == ["resume:continue"]
    reply = await chat.send(chat.button("resume:continue"))
    assert "Question 2 of" in reply.messages[-1].text
    clock.now += timedelta(days=3)
    assert await runner.run_due() == 0 and len(outbox.sent) == 1  # one reminder only


async def test_no_reminder_after_completion_or_stop(db: Database) -> None:
    clock, chat, outbox, runner = await setup(db)
    await chat.send(chat.command("start"))
    await chat.send(chat.button("consent:yes"))
    await chat.send(chat.command("stop"))
    clock.now += timedelta(days=2)
    assert await runner.run_due() == 1  # the job runs and decides to say nothing
    assert outbox.sent == []


async def test_reminders_wait_for_the_morning_and_can_repeat(db: Database) -> None:
    clock, chat, outbox, runner = await setup(db, reminders=2)
    clock.now = datetime(2026, 11, 23, 22, 0, tzinfo=UTC)
    await chat.send(chat.command("start"))
    await chat.send(chat.button("consent:yes"))
    clock.now += timedelta(hours=24)  # 22:00 the next day: quiet
    await runner.run_due()
    assert outbox.sent == []
    job = await db["jobs"].find_one({"kind": "survey.reminder"})
    assert job is not None and job["due_at"] == datetime(2026, 11, 25, 9, 0, tzinfo=UTC)
    clock.now = datetime(2026, 11, 25, 9, 0, tzinfo=UTC)
    await runner.run_due()
    clock.now += timedelta(hours=24)
    await runner.run_due()
    assert len(outbox.sent) == 2


class FakeTime:
    """Monotonic seconds that advance only when the pacer sleeps: pacing measured, not waited for."""

    def __init__(self) -> None:
        self.now = 0.0

    def __call__(self) -> float:
        return self.now

    async def sleep(self, seconds: float) -> None:
        self.now += seconds
        await asyncio.sleep(0)


class PacedOutbox(Outbox):
    """A chat channel paced like the Telegram one (the same Pacer), recording when each message left."""

    def __init__(self, pacer: Pacer, time: FakeTime) -> None:
        super().__init__()
        self._pacer = pacer
        self._time = time
        self.times: list[tuple[float, str]] = []

    async def send(self, chat_key: str, messages: list[Outbound]) -> None:
        for message in messages:
            await self._pacer.wait(chat_key)
            self.times.append((self._time.now, chat_key))
            self.sent.append((chat_key, message))


async def test_a_batch_goes_out_at_telegrams_pace(db: Database) -> None:
    store = await Store.open(db)
    await store.questionnaires.install(load_file(BUILTIN_DIR / "default.yaml"), source="test")
    time = FakeTime()
    outbox = PacedOutbox(Pacer(global_rate=30, chat_rate=1, chat_burst=4, clock=time, sleep=time.sleep), time)
    engine = Engine(store=store, catalogs=ui(), config=dataclasses.replace(CONFIG, clock=lambda: NOON))
    # The invitations go through the real dispatcher, as in the bot: inbox, the chat's order, engine.
    dispatcher = Dispatcher(engine=engine, inbox=store.inbox, metrics=Metrics(), clock=lambda: NOON)
    dispatcher.register(outbox)
    customers = [f"c{n}" for n in range(60)]
    for ref in customers:
        chat = Chat(engine, db, chat_key=ref, user_key=ref)
        await chat.send(chat.command("start"))
        await store.invitations.link(
            channel=CHANNEL, customer_ref=ref, chat_key=ref, customer_id=ref, at=NOON
        )
    orders = [(ref, f"O-{ref}") for ref in customers] + [("c0", f"EXTRA-{n}") for n in range(7)]
    for ref, order in orders:
        # The API only takes "telegram"; the test's chats live on the test channel.
        request = InvitationRequest(customer_ref=ref, order_ref=order, questionnaire="default").model_copy(
            update={"channel": CHANNEL}
        )
        result = await invite(store, request, now=NOON, deep_link=lambda payload: None, source="test")
        assert result.sending
    jobs = OutreachJobs(store=store, channel=dispatcher.channel, submit=dispatcher.submit, clock=lambda: NOON)
    runner = JobRunner(jobs=store.jobs, handlers=jobs.handlers(), clock=lambda: NOON)
    while await runner.run_due():
        pass
    await dispatcher.wait_idle()
    assert len(outbox.times) == len(orders)  # all sent, none failed for going too fast
    # Overall: 30 at once (Telegram's burst), then no more than 30 a second.
    for index, (moment, _) in enumerate(outbox.times):
        assert moment >= (index - 30) / 30 - 1e-9
    # One chat: 4 at once, then one a second.
    own = [moment for moment, chat in outbox.times if chat == "c0"]
    assert len(own) == 8
    for index, moment in enumerate(own):
        assert moment >= own[0] + (index - 3) - 1e-9
    assert outbox.times[-1][0] < 10  # and no slower than the limits require
