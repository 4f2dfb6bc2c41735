"""A complaint over WhatsApp end to end, and Meta's 24-hour window on everything the bot sends later.

The customer writes through signed webhooks (fake Graph API on 127.0.0.1), agents act in Slack
(fake Web API, real bolt app), one injectable clock moves time past the window.
"""

from __future__ import annotations

from collections.abc import AsyncIterator
from dataclasses import dataclass
from datetime import timedelta
from typing import Any

import pytest_asyncio

from storage.types import Database
from tests.clock import Clock
from tests.fakes.graph_api import FakeGraph
from tests.fakes.libretranslate import FakeLibreTranslate
from tests.fakes.slack_api import FakeSlack
from tests.handlers.telegram_harness import BotRunner
from tests.handlers.test_complaint_to_slack import desk_settings
from tests.handlers.test_slack_agents import AGENT, MONDAY_10, SECRET, Agents, settle
from tests.handlers.test_whatsapp import choices, deliver, start

MEXICO = "5215512345678"


@pytest_asyncio.fixture
async def slack() -> AsyncIterator[FakeSlack]:
    async with FakeSlack() as fake:
        fake.members["C-LOGISTICS"] = {AGENT}
        yield fake


@dataclass
class WhatsAppCustomer:
    runner: BotRunner
    graph: FakeGraph
    url: str
    number: str = MEXICO

    async def say(self, text: str) -> None:
        await deliver(self.runner, self.url, self.graph.text(self.number, text))

    async def press(self, payload: str) -> None:
        await deliver(self.runner, self.url, self.graph.reply(self.number, payload))

    async def press_template_button(self, payload: str) -> None:
        await deliver(self.runner, self.url, self.graph.template_reply(self.number, payload))

    async def send_photo(self, media_id: str, data: bytes) -> None:
        await deliver(self.runner, self.url, self.graph.image(self.number, media_id, data))

    @property
    def last(self) -> dict[str, Any]:
        return self.graph.to(self.number)[-1]


async def test_complaint_with_photo_then_agents_answers_inside_and_outside_the_window(
    polling: BotRunner,
    graph: FakeGraph,
    slack: FakeSlack,
    libre: FakeLibreTranslate,
    db: Database,
) -> None:
    clock = polling.clock = graph.clock = Clock(MONDAY_10)
    url = await start(
        polling,
        graph,
        **desk_settings(slack, libre),
        SLACK_SIGNING_SECRET=SECRET,
        WHATSAPP_TEMPLATE_LANGUAGES={"en": "en_US", "es": "es_MX"},
    )
    customer = WhatsAppCustomer(polling, graph, url)

    # Intake in Spanish (from the +52 number): consents, fields, a photo, submit.
    await customer.say("/complain")
    for payload in ("cc:yes", "cs:yes", "cat:logistics"):
        await customer.press(payload)
    await customer.say("MX-20261123-09")
    await customer.say("Tetera azul")
    await customer.send_photo("880011", b"\xff\xd8 a dented kettle")
    await customer.say("La caja llegó aplastada y la tetera está abollada.")
    for payload in ("exp:replacement", "ct:evening", "contact:skip", "confirm:submit"):
        await customer.press(payload)
    ticket = await db["tickets"].find_one({})
    assert ticket is not None and ticket["channel"] == "whatsapp" and ticket["language"] == "es"
    assert ticket["_id"] in customer.last["text"]["body"]

    # On the desk, with the photo downloaded from the Graph API into the ticket's thread.
    await settle(polling)
    (message,) = slack.channel("C-LOGISTICS")
    (upload,) = slack.uploads.values()
    assert upload["data"] == b"\xff\xd8 a dented kettle" and upload["thread_ts"] == message.ts
    assert graph.downloads == ["880011"]
    agents = Agents(polling, slack)
    ticket_id = str(ticket["_id"])

    # Two hours later, inside the window: the agent's reply goes out as a normal message.
    clock.now += timedelta(hours=2)
    assert await agents.submit("ticket_reply", message, "Could you send the label?") == 200
    await settle(polling)
    assert "[es] COULD YOU SEND THE LABEL?" in customer.last["text"]["body"]
    assert graph.templates(MEXICO) == []

    # A day later the window is closed: the proposal is held and a template says news is waiting.
    clock.now += timedelta(hours=23)
    free_form_before = len(graph.free_form(MEXICO))
    assert await agents.submit("ticket_propose", message, "We send a new kettle.") == 200
    await settle(polling)
    assert len(graph.free_form(MEXICO)) == free_form_before  # nothing free-form outside the window
    (notice,) = graph.templates(MEXICO)
    assert notice["name"] == "complaint_update" and notice["language"] == {"code": "es_MX"}
    assert notice["components"] == [
        {"type": "body", "parameters": [{"type": "text", "text": ticket_id}]},
        {
            "type": "button",
            "sub_type": "quick_reply",
            "index": "0",
            "parameters": [{"type": "payload", "payload": "show"}],
        },
    ]
    assert await db["held_messages"].count_documents({}) == 1

    # The customer taps the notice: the held proposal arrives with its buttons, once.
    await customer.press_template_button("show")
    assert choices(customer.last) == [f"prop:{ticket_id}:yes", f"prop:{ticket_id}:no"]
    assert "NEW KETTLE" in customer.last["interactive"]["body"]["text"]
    assert await db["held_messages"].count_documents({}) == 0
    await customer.press(f"prop:{ticket_id}:yes")
    await settle(polling)
    closed = await db["tickets"].find_one({"_id": ticket_id})
    assert closed is not None and closed["status"] == "closed"

    # The follow-up, days later and outside the window, is the approved template with Yes/No payloads.
    clock.now += timedelta(days=3)
    await settle(polling)
    followup = graph.templates(MEXICO)[-1]
    assert followup["name"] == "complaint_followup"
    assert [b["parameters"][0]["payload"] for b in followup["components"] if b["type"] == "button"] == [
        f"fu:{ticket_id}:yes",
        f"fu:{ticket_id}:no",
    ]
    await customer.press_template_button(f"fu:{ticket_id}:yes")
    assert f"fur:{ticket_id}:5" in choices(customer.last)  # the window is open again: free-form


async def test_without_a_template_nothing_goes_out_until_the_customer_writes(
    polling: BotRunner,
    graph: FakeGraph,
    slack: FakeSlack,
    libre: FakeLibreTranslate,
    db: Database,
) -> None:
    clock = polling.clock = graph.clock = Clock(MONDAY_10)
    url = await start(
        polling, graph, **desk_settings(slack, libre), SLACK_SIGNING_SECRET=SECRET, WHATSAPP_TEMPLATES={}
    )
    customer = WhatsAppCustomer(polling, graph, url)
    await customer.say("/complain")
    for payload in ("cc:yes", "cs:no", "cat:logistics"):
        await customer.press(payload)
    await customer.say("MX-20261123-10")
    await customer.say("Tetera")
    await customer.say("No llegó.")
    for payload in ("exp:refund", "ct:any", "confirm:submit"):
        await customer.press(payload)
    await settle(polling)
    (message,) = slack.channel("C-LOGISTICS")
    clock.now += timedelta(hours=30)
    sent_before = len(graph.to(MEXICO))
    assert await Agents(polling, slack).submit("ticket_reply", message, "It ships today.") == 200
    await settle(polling)
    assert len(graph.to(MEXICO)) == sent_before
    await customer.say("¿Hola?")
    held, reply = graph.to(MEXICO)[sent_before:][:2]
    assert "[es] IT SHIPS TODAY." in held["text"]["body"]
    assert reply["to"] == MEXICO
