"""The complaint lifecycle with agents in Slack: the real bolt app receives signed interactions.

A Spanish customer on Telegram (fake Bot API), agents in Slack (fake Web API), translation by the
real deep-translator LibreTranslate client (fake server), one injectable clock for deadlines and the
follow-up; everything else is the production bot.
"""

from __future__ import annotations

import asyncio
import json
from collections.abc import AsyncIterator
from datetime import UTC, datetime, timedelta
from typing import Any

import pytest_asyncio

from storage.types import Database
from tests.clock import Clock
from tests.default_questionnaire import DEFAULT
from tests.fakes.libretranslate import FakeLibreTranslate
from tests.fakes.slack_api import (
    APP_TOKEN,
    FakeSlack,
    SlackMessage,
    block_action,
    interaction_body,
    post_to_app,
    signed_headers,
    slash_command_body,
    view_submission,
)
from tests.handlers.telegram_harness import BotRunner, Customer
from tests.handlers.test_complaint_to_slack import desk_settings, file_complaint

SECRET = "slack-signing-secret-for-tests"
AGENT = "U0AGENT"
OUTSIDER = "U0OUTSIDER"
MONDAY_10 = datetime(2026, 11, 23, 9, 0, tzinfo=UTC)


@pytest_asyncio.fixture
async def slack() -> AsyncIterator[FakeSlack]:
    async with FakeSlack() as fake:
        fake.members["C-LOGISTICS"] = {AGENT}
        yield fake


class Agents:
    """Clicks and modal submissions as Slack would post them to the bot."""

    def __init__(self, runner: BotRunner, slack: FakeSlack) -> None:
        self.runner = runner
        self.slack = slack

    @property
    def url(self) -> str:
        assert self.runner.current is not None and self.runner.current.server is not None
        return f"http://127.0.0.1:{self.runner.current.server.port}/slack/events"

    async def post(self, payload: dict[str, Any], *, secret: str = SECRET) -> int:
        body = interaction_body(payload)
        status, _ = await post_to_app(self.url, body, signed_headers(body, secret))
        return status

    async def click(self, action_id: str, message: SlackMessage, *, user: str = AGENT) -> int:
        ticket_id = message.blocks[-1]["elements"][0]["value"]
        payload = block_action(
            action_id=action_id, value=ticket_id, user=user, channel=message.channel, ts=message.ts
        )
        return await self.post(payload)

    async def submit(self, action_id: str, message: SlackMessage, text: str, *, user: str = AGENT) -> int:
        """Click the button, then submit its modal with `text`."""
        opened = len(self.slack.views)
        assert await self.click(action_id, message, user=user) == 200
        assert len(self.slack.views) == opened + 1
        return await self.post(self.submission(action_id, text, user=user))

    def submission(self, action_id: str, text: str, *, user: str = AGENT) -> dict[str, Any]:
        """The submission of the modal opened last, with `text`."""
        opened = self.slack.views[-1]
        view = opened["view"]
        assert view["callback_id"] == f"{action_id}_modal"
        return view_submission(
            callback_id=view["callback_id"],
            ticket_id=view["private_metadata"],
            user=user,
            value={"type": "plain_text_input", "value": text},
            view_id=opened["id"],
        )


async def settle(runner: BotRunner) -> None:
    """Run every due job now (the runner would within a second), including jobs those jobs schedule,
    and the chat events due jobs become (a follow-up is decided in its chat)."""
    bot = runner.current
    assert bot is not None and bot.jobs is not None
    for _ in range(50):
        await bot.jobs.wait_idle()  # the background loop may hold a job that schedules another
        ran = await bot.jobs.run_due()
        await bot.dispatcher.wait_idle()
        if ran == 0 and await bot.store.jobs.backlog(now=bot.clock()) == 0:
            return
    raise AssertionError("jobs keep coming")


def shown(message: SlackMessage) -> str:
    return json.dumps(message.blocks, ensure_ascii=False)


async def ticket_on_desk(
    runner: BotRunner,
    slack: FakeSlack,
    libre: FakeLibreTranslate,
    *,
    chat_id: int,
    words: str,
    **settings: Any,
) -> tuple[Clock, Customer, SlackMessage, str]:
    """Start the bot at MONDAY_10, file a Spanish complaint, publish it: its Slack message and id."""
    clock = runner.clock = Clock(MONDAY_10)
    await runner.start(**desk_settings(slack, libre), **settings)
    customer = Customer(runner, chat_id=chat_id, language="es")
    await file_complaint(customer, words)
    await settle(runner)
    (message,) = slack.channel("C-LOGISTICS")
    return clock, customer, message, str(message.blocks[-1]["elements"][0]["value"])


async def test_whole_lifecycle_from_claim_to_follow_up(
    polling: BotRunner, slack: FakeSlack, libre: FakeLibreTranslate, db: Database
) -> None:
    clock, customer, message, ticket_id = await ticket_on_desk(
        polling,
        slack,
        libre,
        chat_id=701,
        words="La caja llegó aplastada y la tetera está abollada.",
        SLACK_SIGNING_SECRET=SECRET,
    )
    agents = Agents(polling, slack)

    # Claim: the ticket is the agent's, the message shows it.
    assert await agents.click("ticket_claim", message) == 200
    await settle(polling)
    ticket = await db["tickets"].find_one({"_id": ticket_id})
    assert ticket is not None and ticket["assignee"] == AGENT and ticket["status"] == "claimed"
    assert f"Claimed · claimed by <@{AGENT}>" in shown(message)
    assert f"<@{AGENT}> claimed the ticket" in slack.thread("C-LOGISTICS", message.ts)[-1].text
    assert "classification" in ticket["met"]

    # Reply: translated into Spanish and delivered in the customer's chat; first contact is met.
    clock.now += timedelta(hours=2)
    assert await agents.submit("ticket_reply", message, "We are sorry. Could you send the label?") == 200
    await settle(polling)
    assert ticket_id in customer.last.text and "(traducción automática)" in customer.last.text
    assert "[es] WE ARE SORRY. COULD YOU SEND THE LABEL?" in customer.last.text
    ticket = await db["tickets"].find_one({"_id": ticket_id})
    assert ticket is not None and ticket["met"]["first_contact"] == MONDAY_10 + timedelta(hours=2)
    thread = slack.thread("C-LOGISTICS", message.ts)
    assert any("Sent to the customer (reply) in es" in note.text for note in thread), [n.text for n in thread]
    # The desk message says in words where the ticket stands and that first contact was met, when.
    met_at = int((MONDAY_10 + timedelta(hours=2)).timestamp())
    assert "First contact: <!date^" in shown(message) and f"✅ met at <!date^{met_at}^" in shown(message)
    assert "Resolution: <!date^" in shown(message) and "awaiting_customer" not in shown(message)
    assert "in_progress" not in shown(message) and "*Status*\\nIn progress" in shown(message)

    # The customer answers in the chat: the words reach the thread with a translation.
    await customer.say("Ya la envié ayer")
    await settle(polling)
    note = slack.thread("C-LOGISTICS", message.ts)[-1]
    assert (
        "The customer wrote" in note.text
        and "Ya la envié ayer" in note.text
        and "[en] YA LA ENVIÉ AYER" in note.text
    )

    # A proposal the customer rejects, with a reason: back to the agent.
    assert await agents.submit("ticket_propose", message, "We refund 10 %.") == 200
    await settle(polling)
    assert customer.payloads() == [f"prop:{ticket_id}:yes", f"prop:{ticket_id}:no"]
    assert "*Status*\\nWaiting for the customer" in shown(message)
    await customer.press_payload(f"prop:{ticket_id}:no")
    await customer.say("Quiero una tetera nueva")
    await settle(polling)
    ticket = await db["tickets"].find_one({"_id": ticket_id})
    assert ticket is not None and ticket["status"] == "proposal_rejected"
    assert "rejected" in slack.thread("C-LOGISTICS", message.ts)[-1].text

    # A second proposal, accepted: closed, resolution met, follow-up planned 3 working days later.
    clock.now += timedelta(hours=3)
    assert await agents.submit("ticket_propose", message, "We send a new kettle.") == 200
    await settle(polling)
    await customer.press_payload(f"prop:{ticket_id}:yes")
    await settle(polling)
    ticket = await db["tickets"].find_one({"_id": ticket_id})
    assert ticket is not None and ticket["status"] == "closed" and ticket["met"]["resolution"] == clock.now
    followup = await db["jobs"].find_one({"kind": "ticket.followup"})
    assert followup is not None and followup["due_at"] == clock.now + timedelta(days=3)  # Mon → Thu
    assert not any(block["type"] == "actions" for block in message.blocks)  # closed: no buttons

    # The follow-up: still solved, a rating and a comment, stored on the ticket.
    clock.now += timedelta(days=3)
    await settle(polling)
    assert customer.payloads() == [f"fu:{ticket_id}:yes", f"fu:{ticket_id}:no"]
    await customer.press_payload(f"fu:{ticket_id}:yes")
    assert f"fur:{ticket_id}:5" in customer.payloads()
    await customer.press_payload(f"fur:{ticket_id}:4")
    await customer.say("Muy amables")
    ticket = await db["tickets"].find_one({"_id": ticket_id})
    assert ticket is not None
    assert ticket["followup"]["solved"] is True and ticket["followup"]["rating"] == 4
    assert ticket["followup"]["comment"] == "Muy amables"
    actions = [entry["action"] for entry in ticket["history"]]
    assert actions[:3] == ["created", "claimed", "replied"] and "accepted the resolution" in actions


async def test_not_solved_at_follow_up_reopens_and_alerts(
    polling: BotRunner, slack: FakeSlack, libre: FakeLibreTranslate, db: Database
) -> None:
    clock, customer, message, ticket_id = await ticket_on_desk(
        polling, slack, libre, chat_id=702, words="No funciona.", SLACK_SIGNING_SECRET=SECRET
    )
    agents = Agents(polling, slack)
    assert await agents.submit("ticket_resolve", message, "Refund issued.") == 200
    await settle(polling)
    assert "[es] REFUND ISSUED." in customer.last.text
    clock.now += timedelta(days=5)
    await settle(polling)
    await customer.press_payload(f"fu:{ticket_id}:no")
    await settle(polling)
    ticket = await db["tickets"].find_one({"_id": ticket_id})
    assert ticket is not None and ticket["status"] == "reopened" and ticket["followup"]["solved"] is False
    assert any(ticket_id in alert.text for alert in slack.channel("C-ESCALATE"))
    # A fresh resolution deadline from the reopening, with its reminder and breach.
    assert "resolution" not in ticket["met"]
    # Reopened on a Saturday: 72 h counted on working days run from Monday 00:00 to Thursday 00:00.
    assert clock.now.weekday() == 5
    assert ticket["deadlines"]["resolution"] == datetime(2026, 12, 3, tzinfo=UTC)
    assert await db["jobs"].count_documents({"_id": {"$regex": "reopened$"}, "status": "pending"}) == 2


async def test_forged_signatures_and_outsiders_change_nothing(
    polling: BotRunner, slack: FakeSlack, libre: FakeLibreTranslate, db: Database
) -> None:
    _, _, message, ticket_id = await ticket_on_desk(
        polling, slack, libre, chat_id=703, words="No funciona.", SLACK_SIGNING_SECRET=SECRET
    )
    agents = Agents(polling, slack)
    payload = block_action(
        action_id="ticket_claim", value=ticket_id, user=AGENT, channel=message.channel, ts=message.ts
    )
    assert await agents.post(payload, secret="not-the-secret") == 401
    body = interaction_body(payload)
    stale = signed_headers(body, SECRET, timestamp=int(datetime.now(UTC).timestamp()) - 3600)
    assert (await post_to_app(agents.url, body, stale))[0] == 401
    assert (await post_to_app(agents.url, "payload=%7Bbroken", signed_headers("payload=%7Bbroken", SECRET)))[
        0
    ] < 500

    assert await agents.click("ticket_claim", message, user=OUTSIDER) == 200
    assert slack.ephemeral and "Only the support team" in slack.ephemeral[-1]["text"]
    assert slack.ephemeral[-1]["user"] == OUTSIDER
    assert await agents.click("ticket_reply", message, user=OUTSIDER) == 200
    assert slack.views == []  # no modal for outsiders
    ticket = await db["tickets"].find_one({"_id": ticket_id})
    assert ticket is not None and ticket["status"] == "open" and "assignee" not in ticket

    # A button for a ticket that does not exist: refused in words, nothing breaks.
    ghost = block_action(
        action_id="ticket_claim", value="C-NOPE99", user=AGENT, channel=message.channel, ts=message.ts
    )
    assert await agents.post(ghost) == 200
    assert "no such ticket" in slack.ephemeral[-1]["text"]


async def test_a_replayed_signed_request_changes_nothing(
    polling: BotRunner, slack: FakeSlack, libre: FakeLibreTranslate, db: Database
) -> None:
    """The same signed request again within its five minutes (a replay, or a retry after a lost
    answer) is acted on once, even when both arrive at the same instant."""
    _, customer, message, ticket_id = await ticket_on_desk(
        polling, slack, libre, chat_id=706, words="No funciona.", SLACK_SIGNING_SECRET=SECRET
    )
    agents = Agents(polling, slack)

    async def twice(payload: dict[str, Any]) -> None:
        body = interaction_body(payload)
        headers = signed_headers(body, SECRET)  # one signature, posted twice as captured
        first, again = await asyncio.gather(
            post_to_app(agents.url, body, headers), post_to_app(agents.url, body, headers)
        )
        assert first[0] == again[0] == 200
        await settle(polling)

    async def state() -> tuple[int, ...]:
        ticket = await db["tickets"].find_one({"_id": ticket_id}) or {}
        return (
            int(ticket.get("version") or 0),
            len(ticket.get("history") or []),
            len(customer.messages),
            len(slack.thread("C-LOGISTICS", message.ts)),
            len(slack.ephemeral),
            await db["jobs"].count_documents({}),
        )

    claim = block_action(
        action_id="ticket_claim", value=ticket_id, user=AGENT, channel=message.channel, ts=message.ts
    )
    await twice(claim)
    ticket = await db["tickets"].find_one({"_id": ticket_id})
    assert ticket is not None and [e["action"] for e in ticket["history"]] == ["created", "claimed"]
    assert slack.ephemeral == []  # not even a "you already have this ticket" for the replay

    before = await state()
    assert await agents.click("ticket_reply", message) == 200
    reply = agents.submission("ticket_reply", "We will call you tomorrow.")
    await twice(reply)
    assert sum("WE WILL CALL YOU TOMORROW" in m.text for m in customer.messages) == 1
    after = await state()
    assert after[1] == before[1] + 1 and after[2] == before[2] + 1  # one entry, one message

    # Later replays of both change nothing at all: no write, no message, no note, no job.
    await twice(reply)
    await twice(claim)
    assert await state() == after

    # The same words in a new modal are a new request: the agent meant to send them again.
    assert await agents.submit("ticket_reply", message, "We will call you tomorrow.") == 200
    await settle(polling)
    assert sum("WE WILL CALL YOU TOMORROW" in m.text for m in customer.messages) == 2


async def test_reclassify_and_escalate(
    polling: BotRunner, slack: FakeSlack, libre: FakeLibreTranslate, db: Database
) -> None:
    _, _, message, ticket_id = await ticket_on_desk(
        polling, slack, libre, chat_id=704, words="No funciona.", SLACK_SIGNING_SECRET=SECRET
    )
    agents = Agents(polling, slack)

    assert await agents.click("ticket_reclassify", message) == 200
    view = slack.views[-1]["view"]
    submission = view_submission(
        callback_id=view["callback_id"],
        ticket_id=ticket_id,
        user=AGENT,
        value={"type": "static_select", "selected_option": {"value": "payment"}},
        view_id=slack.views[-1]["id"],
    )
    assert await agents.post(submission) == 200
    await settle(polling)
    ticket = await db["tickets"].find_one({"_id": ticket_id})
    assert ticket is not None and ticket["category"] == "payment" and ticket["team"] == "support"
    assert "Payment or refund" in message.text

    assert await agents.submit("ticket_escalate", message, "Customer threatens a chargeback") == 200
    await settle(polling)
    (alert,) = slack.channel("C-ESCALATE")
    assert ticket_id in alert.text and "chargeback" in alert.text


async def test_socket_mode_receives_the_same_actions_without_a_public_url(
    polling: BotRunner, slack: FakeSlack, libre: FakeLibreTranslate, db: Database
) -> None:
    _, _, message, ticket_id = await ticket_on_desk(
        polling, slack, libre, chat_id=705, words="No funciona.", SLACK_APP_TOKEN=APP_TOKEN
    )
    claim = block_action(
        action_id="ticket_claim", value=ticket_id, user=AGENT, channel=message.channel, ts=message.ts
    )
    envelope = await slack.push_interaction(claim)
    await slack.wait_for(lambda: envelope in slack.acks)
    ticket = await db["tickets"].find_one({"_id": ticket_id})
    assert ticket is not None and ticket["assignee"] == AGENT
    # Without SLACK_SIGNING_SECRET there is no HTTP endpoint to forge requests against.
    agents = Agents(polling, slack)
    assert await agents.post(claim) == 404


async def test_admin_slash_command_runs_the_admin_commands(
    polling: BotRunner, slack: FakeSlack, libre: FakeLibreTranslate, db: Database
) -> None:
    await polling.start(
        **desk_settings(slack, libre), SLACK_SIGNING_SECRET=SECRET, ADMIN_SLACK_USERS=["U0ADMIN"]
    )
    agents = Agents(polling, slack)

    async def slash(text: str, user: str) -> str:
        body = slash_command_body(command="/feedback-admin", text=text, user=user)
        status, answer = await post_to_app(agents.url, body, signed_headers(body, SECRET))
        assert status == 200
        # Bolt answers a slash command with the text itself, which Slack shows to the user only.
        return answer

    assert f"• default — v{DEFAULT.version}, published" in await slash("list", "U0ADMIN")
    exported = await slash("export default", "U0ADMIN")
    assert "id: default" in exported and "default.yaml" in exported
    assert "Only the configured admins" in await slash("list", AGENT)
    refusal = await db["audit"].find_one({"actor": f"slack:{AGENT}"})
    assert refusal is not None and refusal["outcome"] == "refused"
