"""The improvement loop through the real bolt app and the fake Slack Web API: the weekly report is
posted with Approve / Request changes, an approver approves, the suggested action becomes a task in
its team's channel, reminders and the overdue alert come from durable jobs, an agent marks it done,
and 28 days later the effect evaluation is posted."""

from __future__ import annotations

from collections.abc import AsyncIterator
from datetime import UTC, date, datetime, timedelta
from typing import Any

import pytest_asyncio

from conversations.reports import rollups
from storage.types import Database
from tests.clock import Clock
from tests.default_questionnaire import DEFAULT
from tests.fakes.libretranslate import FakeLibreTranslate
from tests.fakes.slack_api import (
    FakeSlack,
    SlackMessage,
    block_action,
    interaction_body,
    post_to_app,
    signed_headers,
    slash_command_body,
    view_submission,
)
from tests.handlers.telegram_harness import BotRunner
from tests.handlers.test_complaint_to_slack import desk_settings
from tests.handlers.test_slack_agents import settle

SECRET = "slack-signing-secret-for-tests"
BOSS, AGENT, OUTSIDER = "U0BOSS", "U0AGENT", "U0OUTSIDER"
SUNDAY_EVENING = datetime(2026, 11, 22, 20, 0, tzinfo=UTC)
MONDAY_POST = datetime(2026, 11, 23, 8, 0, 5, tzinfo=UTC)


@pytest_asyncio.fixture
async def slack() -> AsyncIterator[FakeSlack]:
    async with FakeSlack() as fake:
        fake.members["C-LOGISTICS"] = {AGENT}
        yield fake


class Slack:
    """Signed interactions as Slack posts them to the bot."""

    def __init__(self, runner: BotRunner, fake: FakeSlack) -> None:
        self.runner, self.fake = runner, fake

    @property
    def url(self) -> str:
        assert self.runner.current is not None and self.runner.current.server is not None
        return f"http://127.0.0.1:{self.runner.current.server.port}/slack/events"

    async def post(self, payload: dict[str, Any]) -> int:
        body = interaction_body(payload)
        status, _ = await post_to_app(self.url, body, signed_headers(body, SECRET))
        return status

    def press(
        self, message: SlackMessage, action_id: str, *, user: str, value: str | None = None
    ) -> dict[str, Any]:
        (button,) = [
            element
            for block in message.blocks
            if block["type"] == "actions"
            for element in block["elements"]
            if element["action_id"] == action_id
        ]
        return block_action(
            action_id=action_id,
            value=button["value"] if value is None else value,
            user=user,
            channel=message.channel,
            ts=message.ts,
        )

    async def command(self, text: str, *, user: str) -> str:
        body = slash_command_body(command="/feedback-admin", text=text, user=user)
        status, answer = await post_to_app(self.url, body, signed_headers(body, SECRET))
        assert status == 200
        return answer


async def seed_responses(
    db: Database, *, prefix: str, at: datetime, satisfied: int, unsatisfied: int, excluded: int = 0
) -> None:
    """Completed default-questionnaire responses, one customer each; logistics 5+4 or 2+3."""
    docs = []
    for number in range(satisfied + unsatisfied + excluded):
        good = number < satisfied
        speed, parcel = (5, 4) if good else (2, 3)
        docs.append(
            {
                "_id": f"{prefix}-{number}",
                "customer_id": f"{prefix}-customer-{number}",
                "questionnaire_id": "default",
                "questionnaire_version": DEFAULT.version,
                "language": "es",
                "channel": "telegram",
                "status": "complete",
                "started_at": at - timedelta(minutes=3),
                "completed_at": at,
                "answers": {"delivery_speed": {"value": speed}, "parcel_condition": {"value": parcel}},
                "quality": {"excluded": "speeder" if number >= satisfied + unsatisfied else None},
            }
        )
    await db["responses"].insert_many(docs)


async def test_report_approval_to_task_reminders_done_and_effect(
    polling: BotRunner, slack: FakeSlack, libre: FakeLibreTranslate, db: Database
) -> None:
    clock = polling.clock = Clock(SUNDAY_EVENING)
    settings = desk_settings(slack, libre) | {
        "SLACK_REPORTS_CHANNEL": "C-REPORTS",
        "SLACK_SIGNING_SECRET": SECRET,
        "REPORT_APPROVERS": [BOSS],
        "ADMIN_SLACK_USERS": [BOSS],
        "REPORT_SCHEDULE": ["weekly"],
    }
    bot = await polling.start(**settings)
    # Last week: 20 respondents, delivery rated poorly (CSAT 40 %), products well (90 %).
    counters: rollups.Increments = {
        "kept": 20,
        "rating.n": 20,
        "rating.sum": 70,
        "rating.top2": 12,
        "dims.logistics.n": 20,
        "dims.logistics.sum": 56,
        "dims.logistics.top2": 8,
        "dims.product.n": 20,
        "dims.product.sum": 90,
        "dims.product.top2": 18,
    }
    facets = rollups.Facets(country="ES", language="es", channel="telegram", segment="vip", version="1")
    await bot.store.rollups.add(rollups.keyed(date(2026, 11, 18), "default", facets, counters))
    # Before window (28 days before approval): 10 of 40 respondents satisfied with delivery; a speeder
    # is left out.
    await seed_responses(
        db, prefix="before", at=datetime(2026, 11, 10, tzinfo=UTC), satisfied=10, unsatisfied=30, excluded=5
    )
    slack_app = Slack(polling, slack)

    # Monday 08:00: the report goes to C-REPORTS with its suggested action and the decision buttons.
    clock.now = MONDAY_POST
    await settle(polling)
    (report,) = slack.channel("C-REPORTS")
    assert report.text.startswith("Weekly feedback report")
    suggested = "logistics CSAT ≥ 50 % by 2027-02-20"
    assert f"Team: logistics. Target: {suggested}." in report.text
    assert "product" not in report.text.split("Suggested actions:")[1]  # 90 %: not weak
    labels = [e["text"]["text"] for b in report.blocks if b["type"] == "actions" for e in b["elements"]]
    assert labels == ["Approve", "Request changes"]

    # Someone who is not an approver: refused, told so, audited; nothing changes.
    assert await slack_app.post(slack_app.press(report, "report_approve", user=OUTSIDER)) == 200
    assert slack.ephemeral[-1]["user"] == OUTSIDER and "REPORT_APPROVERS" in slack.ephemeral[-1]["text"]
    # A forged button value is refused too.
    forged = slack_app.press(report, "report_approve", user=BOSS, value="report.weekly:2030-01-07")
    assert await slack_app.post(forged) == 200
    assert "unknown report" in slack.ephemeral[-1]["text"]
    assert await db["improvements"].count_documents({}) == 0
    refusals = await db["audit"].find({"outcome": "refused", "action": "report.approve"}).to_list(None)
    assert {entry["actor"] for entry in refusals} == {f"slack:{OUTSIDER}", f"slack:{BOSS}"}

    # Request changes: a modal asks for the reason; it is recorded and noted in the report's thread.
    assert await slack_app.post(slack_app.press(report, "report_request_changes", user=BOSS)) == 200
    opened = slack.views[-1]
    assert opened["view"]["callback_id"] == "report_changes_modal"
    submission = view_submission(
        callback_id="report_changes_modal",
        ticket_id=opened["view"]["private_metadata"],
        user=BOSS,
        value={"type": "plain_text_input", "value": "Add the Madrid warehouse figures."},
        view_id=opened["id"],
    )
    assert await slack_app.post(submission) == 200
    approval = await db["report_approvals"].find_one({"_id": "report.weekly:2026-11-23"})
    assert approval is not None and approval["status"] == "changes_requested"
    assert [c["reason"] for c in approval["changes"]] == ["Add the Madrid warehouse figures."]
    assert "Add the Madrid warehouse figures." in slack.thread("C-REPORTS", report.ts)[-1].text

    # Approve: the suggestion becomes a task, posted to the logistics team's channel.
    approve = slack_app.press(report, "report_approve", user=BOSS)
    assert await slack_app.post(approve) == 200
    await settle(polling)
    (task_message,) = slack.channel("C-LOGISTICS")
    assert "Improvement task TW20261123-1 for team logistics" in task_message.text
    assert suggested in str(task_message.blocks)
    assert (
        f"Approved by <@{BOSS}>. Improvement tasks: TW20261123-1."
        in slack.thread("C-REPORTS", report.ts)[-1].text
    )
    task = await db["improvements"].find_one({"_id": "TW20261123-1"})
    assert task is not None and task["team"] == "logistics" and task["goal"]["csat"] == 0.5
    assert task["due"] == "2027-02-20" and task["status"] == "open"

    # The same request replayed (Slack retries within five minutes) changes nothing.
    messages_before = len(slack.calls_to("chat.postMessage"))
    assert await slack_app.post(approve) == 200
    await settle(polling)
    assert len(slack.calls_to("chat.postMessage")) == messages_before
    assert await db["improvements"].count_documents({}) == 1

    listed = await slack_app.command("action list", user=BOSS)
    assert "TW20261123-1 dimension:logistics · logistics" in listed and f"target: {suggested}" in listed

    # Reminders 14 days and 1 day before the deadline, in the task's thread; then the overdue alert.
    clock.now = datetime(2027, 2, 6, 9, 0, 1, tzinfo=UTC)
    await settle(polling)
    thread = slack.thread("C-LOGISTICS", task_message.ts)
    assert [m.text for m in thread] == [
        f"⏰ Reminder: TW20261123-1 is due on 2027-02-20 (in 14 day(s)). Target: {suggested}."
    ]
    clock.now = datetime(2027, 2, 21, 0, 0, 1, tzinfo=UTC)
    await settle(polling)
    thread = slack.thread("C-LOGISTICS", task_message.ts)
    assert len(thread) == 3 and "in 1 day(s)" in thread[1].text
    assert thread[2].text.startswith("🚨 TW20261123-1 (team logistics) is overdue")
    assert thread[2].text in [m.text for m in slack.channel("C-REPORTS")]

    # An agent of the team marks it done: the button goes, the evaluation is scheduled 28 days on.
    clock.now = datetime(2027, 2, 22, 10, 0, tzinfo=UTC)
    outsider_done = slack_app.press(task_message, "improvement_done", user=OUTSIDER)
    assert await slack_app.post(outsider_done) == 200
    assert "mark a task done" in slack.ephemeral[-1]["text"]
    assert await slack_app.post(slack_app.press(task_message, "improvement_done", user=AGENT)) == 200
    await settle(polling)
    assert task_message.edits == 1 and not any(b["type"] == "actions" for b in task_message.blocks)
    assert (
        "marked done. Its effect is evaluated on 2027-03-22."
        in slack.thread("C-LOGISTICS", task_message.ts)[-1].text
    )
    evaluation_job = await db["jobs"].find_one({"_id": "improvement.evaluate:TW20261123-1"})
    assert evaluation_job is not None and evaluation_job["status"] == "pending"

    # After window: 54 of 60 respondents satisfied.
    await seed_responses(db, prefix="after", at=datetime(2027, 3, 1, tzinfo=UTC), satisfied=54, unsatisfied=6)
    clock.now = datetime(2027, 3, 22, 10, 0, 1, tzinfo=UTC)
    await settle(polling)
    effect = slack.thread("C-LOGISTICS", task_message.ts)[-1].text
    assert effect.startswith(
        "📊 Effect of TW20261123-1 (team logistics): Target met: logistics CSAT target ≥ 50 %."
    )
    assert "Before: 25 % (95 % CI 14 %–40 %, n = 40). After: 90 % (95 % CI 80 %–95 %, n = 60)." in effect
    # By hand: Newcombe 0.65 − √(0.1015² + 0.1519²), 0.65 + √(0.0534² + 0.1081²);
    # z = 0.65 / √(0.64 · 0.36 · (1/40 + 1/60)) = 6.63.
    assert "Change: +65 points (95 % CI +47 to +77; two-proportion z-test p = 3.27e-11)." in effect
    assert effect in [m.text for m in slack.channel("C-REPORTS")]
    task = await db["improvements"].find_one({"_id": "TW20261123-1"})
    assert task is not None and task["evaluation"]["verdict"] == "target met"
    assert task["evaluation"]["before"] == [10, 40] and task["evaluation"]["after"] == [54, 60]

    # Every step is audited; a restart runs nothing twice.
    steps = [entry["action"] async for entry in db["audit"].find({"outcome": "done"}).sort("at", 1)]
    for step in (
        "report.request_changes",
        "report.approve",
        "improvement.posted",
        "improvement.reminded",
        "improvement.overdue",
        "improvement.done",
        "improvement.evaluated",
    ):
        assert step in steps
    posted = len(slack.calls_to("chat.postMessage"))
    await polling.stop()
    await polling.start(**settings)
    await settle(polling)
    assert len(slack.calls_to("chat.postMessage")) == posted


async def test_refusals_get_a_clear_answer_and_change_nothing(
    polling: BotRunner, slack: FakeSlack, libre: FakeLibreTranslate, db: Database
) -> None:
    clock = polling.clock = Clock(SUNDAY_EVENING)
    settings = desk_settings(slack, libre) | {
        "SLACK_REPORTS_CHANNEL": "C-REPORTS",
        "SLACK_SIGNING_SECRET": SECRET,
        "REPORT_APPROVERS": [BOSS],
        "REPORT_SCHEDULE": ["weekly"],
    }
    await polling.start(**settings)
    clock.now = MONDAY_POST
    await settle(polling)
    (report,) = slack.channel("C-REPORTS")
    assert "No improvement actions suggested for this period." in report.text  # no data last week
    slack_app = Slack(polling, slack)

    # Someone who is not an approver cannot even open the reason form.
    assert await slack_app.post(slack_app.press(report, "report_request_changes", user=OUTSIDER)) == 200
    assert slack.views == [] and "REPORT_APPROVERS" in slack.ephemeral[-1]["text"]
    # A submission of the form forged by a non-approver is refused inside the form.
    forged = view_submission(
        callback_id="report_changes_modal",
        ticket_id=f"report.weekly:2026-11-23|{report.channel}|{report.ts}",
        user=OUTSIDER,
        value={"type": "plain_text_input", "value": "Approve it yourself"},
        view_id="V9",
    )
    body = interaction_body(forged)
    status, answer = await post_to_app(slack_app.url, body, signed_headers(body, SECRET))
    assert status == 200 and "errors" in answer and "REPORT_APPROVERS" in answer
    # An empty reason is refused inside the form.
    assert await slack_app.post(slack_app.press(report, "report_request_changes", user=BOSS)) == 200
    empty = view_submission(
        callback_id="report_changes_modal",
        ticket_id=slack.views[-1]["view"]["private_metadata"],
        user=BOSS,
        value={"type": "plain_text_input", "value": "   "},
        view_id=slack.views[-1]["id"],
    )
    body = interaction_body(empty)
    status, answer = await post_to_app(slack_app.url, body, signed_headers(body, SECRET))
    assert status == 200 and "Say what should change." in answer

    # Approved with nothing suggested: no tasks; a later request for changes is refused, clearly.
    assert await slack_app.post(slack_app.press(report, "report_approve", user=BOSS)) == 200
    assert "Improvement tasks: no actions were suggested." in slack.thread("C-REPORTS", report.ts)[-1].text
    assert await slack_app.post(slack_app.press(report, "report_request_changes", user=BOSS)) == 200
    late = view_submission(
        callback_id="report_changes_modal",
        ticket_id=slack.views[-1]["view"]["private_metadata"],
        user=BOSS,
        value={"type": "plain_text_input", "value": "One more chart"},
        view_id=slack.views[-1]["id"],
    )
    body = interaction_body(late)
    status, answer = await post_to_app(slack_app.url, body, signed_headers(body, SECRET))
    assert status == 200 and "approved already" in answer
    approval = await db["report_approvals"].find_one({"_id": "report.weekly:2026-11-23"})
    assert approval is not None and approval["status"] == "approved" and approval["changes"] == []

    # A "Mark done" button for a task that does not exist, or with a value we never made.
    for value in ("TW20991231-1", "A1; drop"):
        forged_done = block_action(
            action_id="improvement_done", value=value, user=BOSS, channel="C-REPORTS", ts=report.ts
        )
        assert await slack_app.post(forged_done) == 200
        assert "not one of ours" in slack.ephemeral[-1]["text"]
    assert await db["improvements"].count_documents({}) == 0
