"""Agents' actions are inbox events of their ticket: stored before Slack hears "ok", replayed after a
crash, refused in words, and erased with the customer's data."""

from __future__ import annotations

import socket
import subprocess
import sys
from typing import Any

from core.events import DESK_CHANNEL, AgentAct, AgentAction, InboundEvent
from storage.inbox import Inbox
from storage.types import Database
from tests.fakes.libretranslate import FakeLibreTranslate
from tests.fakes.slack_api import FakeSlack, interaction_body, post_to_app, signed_headers
from tests.handlers.telegram_harness import BotRunner
from tests.handlers.test_complaint_to_slack import desk_settings
from tests.handlers.test_slack_agents import AGENT, SECRET, Agents, settle, slack, ticket_on_desk

__all__ = ["slack"]  # the fixture, used by name


def dead_worker() -> str:
    """The inbox owner name of a worker of this machine whose process has ended."""
    child = subprocess.run([sys.executable, "-c", "import os; print(os.getpid())"], capture_output=True)
    return f"{socket.gethostname()}:{int(child.stdout)}:crashed"


async def test_an_action_accepted_by_a_worker_that_died_is_carried_out_after_restart(
    polling: BotRunner, slack: FakeSlack, libre: FakeLibreTranslate, db: Database
) -> None:
    _, customer, message, ticket_id = await ticket_on_desk(
        polling, slack, libre, chat_id=801, words="No funciona.", SLACK_SIGNING_SECRET=SECRET
    )
    await polling.stop()
    # What a worker killed right after storing the agents' requests (and before running them) leaves.
    crashed = Inbox(db, worker=dead_worker())
    reply = AgentAction(AgentAct.REPLY, ticket_id=ticket_id, agent=AGENT, text="We send a new one today.")
    assert await crashed.accept(InboundEvent.from_agent(reply, request="slack:view:V-CRASH:1"))
    ghost = AgentAction(AgentAct.CLAIM, ticket_id="C-NOPE99", agent=AGENT)
    assert await crashed.accept(
        InboundEvent.from_agent(ghost, request="slack:action:T-CRASH:2", reply_to=message.channel)
    )

    await polling.start(**desk_settings(slack, libre), SLACK_SIGNING_SECRET=SECRET)
    await settle(polling)
    ticket = await db["tickets"].find_one({"_id": ticket_id})
    assert ticket is not None and ticket["status"] == "in_progress"
    assert [entry["action"] for entry in ticket["history"]] == ["created", "replied"]
    assert sum("WE SEND A NEW ONE TODAY" in m.text for m in customer.messages) == 1
    # Nobody waited for the refused one: the agent is told where they clicked.
    assert slack.ephemeral[-1]["user"] == AGENT and "no such ticket" in slack.ephemeral[-1]["text"]
    assert await db["inbox"].count_documents({"channel": DESK_CHANNEL, "status": "done"}) == 2

    # Replayed once more (another restart): nothing is added.
    await polling.stop()
    await polling.start(**desk_settings(slack, libre), SLACK_SIGNING_SECRET=SECRET)
    await settle(polling)
    again = await db["tickets"].find_one({"_id": ticket_id})
    assert again is not None and again["version"] == ticket["version"]
    assert sum("WE SEND A NEW ONE TODAY" in m.text for m in customer.messages) == 1


async def test_a_refused_submission_keeps_the_modal_open_and_corrected_words_act(
    polling: BotRunner, slack: FakeSlack, libre: FakeLibreTranslate, db: Database
) -> None:
    _, customer, message, _ = await ticket_on_desk(
        polling, slack, libre, chat_id=802, words="No funciona.", SLACK_SIGNING_SECRET=SECRET
    )
    agents = Agents(polling, slack)
    assert await agents.click("ticket_reply", message) == 200

    async def submit(text: str) -> tuple[int, str]:
        body = interaction_body(agents.submission("ticket_reply", text))
        return await post_to_app(agents.url, body, signed_headers(body, SECRET))

    status, answer = await submit("   ")
    assert status == 200 and '"response_action":"errors"' in answer.replace(" ", "")
    assert "the message is empty" in answer
    status, answer = await submit("Refund issued.")  # the same modal, corrected
    assert status == 200 and "errors" not in answer
    await settle(polling)
    assert "[es] REFUND ISSUED." in customer.last.text
    events = [doc async for doc in db["inbox"].find({"channel": DESK_CHANNEL})]
    assert len(events) == 2 and {doc["status"] for doc in events} == {"done"}
    acts = [doc["event"]["agent"]["act"] for doc in events]
    assert acts == ["reply", "reply"]


async def test_erasure_leaves_no_agent_words_in_the_inbox(
    polling: BotRunner, slack: FakeSlack, libre: FakeLibreTranslate, db: Database
) -> None:
    _, customer, message, _ = await ticket_on_desk(
        polling, slack, libre, chat_id=803, words="No funciona.", SLACK_SIGNING_SECRET=SECRET
    )
    agents = Agents(polling, slack)
    assert await agents.submit("ticket_reply", message, "Dear Ana Pérez, call +34 600 000 000") == 200
    await settle(polling)

    def agent_words(doc: dict[str, Any]) -> bool:
        return "Ana Pérez" in str(doc)

    assert any([agent_words(doc) async for doc in db["inbox"].find({"channel": DESK_CHANNEL})])
    await customer.say("/delete")
    await customer.press_payload("delete:yes")
    await settle(polling)
    desk = [doc async for doc in db["inbox"].find({"channel": DESK_CHANNEL})]
    assert desk and not any(agent_words(doc) for doc in desk)
    assert all("event" not in doc and "chat_key" not in doc for doc in desk)
