"""Scenario in Slack: `/feedback-admin new` builds a three-language questionnaire in modals (no YAML),
a Telegram admin is asked to review it and approves it, it is published and a customer completes it;
and a Slack admin asked in a direct message sends one back with a reason, then approves it."""

from __future__ import annotations

import json
from collections.abc import AsyncIterator
from typing import Any

import pytest_asyncio

from core.admin_payloads import ReviewAction
from handlers.slack_admin_builder import QUESTION, START
from storage.types import Database
from tests.conversations.admin.test_commands import PULSE
from tests.fakes.libretranslate import FakeLibreTranslate
from tests.fakes.slack_api import (
    FakeSlack,
    block_action,
    interaction_body,
    post_to_app,
    signed_headers,
    slash_command_body,
)
from tests.handlers.telegram_harness import BotRunner, Customer
from tests.handlers.test_complaint_to_slack import desk_settings
from tests.handlers.test_slack_agents import SECRET, Agents, settle

SLACK_ADMIN, TELEGRAM_ADMIN = "U0ADMIN", 931


@pytest_asyncio.fixture
async def slack() -> AsyncIterator[FakeSlack]:
    async with FakeSlack() as fake:
        yield fake


def submission(view: dict[str, Any], values: dict[str, str], *, user: str = SLACK_ADMIN) -> dict[str, Any]:
    """The modal submitted with `values` by block id (option values for selects, text otherwise)."""
    state: dict[str, Any] = {}
    for block in view["blocks"]:
        if block["type"] != "input":
            continue
        block_id = block["block_id"]
        if block["element"]["type"] == "static_select":
            offered = {o["value"]: o for o in block["element"]["options"]}
            chosen = values.get(block_id, block["element"]["options"][0]["value"])
            option = offered.get(chosen, {"value": chosen, "text": {"type": "plain_text", "text": "?"}})
            state[block_id] = {"value": {"type": "static_select", "selected_option": option}}
        else:
            state[block_id] = {"value": {"type": "plain_text_input", "value": values.get(block_id)}}
    return {
        "type": "view_submission",
        "team": {"id": "T0TEST"},
        "user": {"id": user, "team_id": "T0TEST"},
        "api_app_id": "A0TEST",
        "token": "legacy-verification-token",
        "trigger_id": "trigger-submit",
        "view": {
            "id": "V-builder",
            "type": "modal",
            "callback_id": view["callback_id"],
            "private_metadata": view["private_metadata"],
            "state": {"values": state},
        },
    }


async def submit(agents: Agents, view: dict[str, Any], values: dict[str, str], **kw: str) -> dict[str, Any]:
    body = interaction_body(submission(view, values, **kw))
    status, answer = await post_to_app(agents.url, body, signed_headers(body, SECRET))
    assert status == 200
    return json.loads(answer) if answer else {}


async def test_built_in_modals_reviewed_by_a_notified_admin_published_and_completed(
    polling: BotRunner, slack: FakeSlack, libre: FakeLibreTranslate, db: Database
) -> None:
    await polling.start(
        **desk_settings(slack, libre),
        SLACK_SIGNING_SECRET=SECRET,
        ADMIN_SLACK_USERS=[SLACK_ADMIN],
        ADMIN_TELEGRAM_IDS=[TELEGRAM_ADMIN],
        SURVEY_LANGUAGES=["en", "de", "es"],
    )
    agents = Agents(polling, slack)
    reviewer = Customer(polling, chat_id=TELEGRAM_ADMIN)
    await reviewer.say("/admin list")

    async def slash(text: str) -> str:
        body = slash_command_body(command="/feedback-admin", text=text, user=SLACK_ADMIN)
        status, answer = await post_to_app(agents.url, body, signed_headers(body, SECRET))
        assert status == 200
        return answer

    assert "The questionnaire builder is open." in await slash("new")
    start = slack.views[-1]["view"]
    assert start["callback_id"] == START and "machine-translated into de, es" in json.dumps(start)

    refused = await submit(agents, start, {"title": "your repair", "topic": "default", "wording": "How?"})
    assert refused == {
        "response_action": "errors",
        "errors": {"topic": "'default' exists already; choose another topic."},
    }
    forged = await submit(agents, start, {"title": "t", "topic": "x", "wording": "How?", "kind": "stars"})
    assert forged["errors"] == {"kind": "Choose one of the kinds offered."}
    outsider = await submit(agents, start, {"title": "t", "topic": "y", "wording": "How?"}, user="U0AGENT")
    assert outsider["errors"] == {"title": "Only the configured admins can do this."}

    first = await submit(
        agents,
        start,
        {
            "title": "your repair",
            "topic": "Repair check",
            "kind": "rating5",
            "dimension": "after_sales",
            "wording": "How satisfied are you with the repair?",
            "required": "yes",
        },
    )
    assert first["response_action"] == "update"
    following = first["view"]
    assert following["callback_id"] == QUESTION and following["private_metadata"] == "repair-check"
    shown = following["blocks"][0]["text"]["text"]
    assert "1. q1 [rating5, after_sales]: How satisfied are you with the repair?" in shown
    assert "de (machine, unreviewed): [de] HOW SATISFIED ARE YOU WITH THE REPAIR?" in shown
    assert "machine-translated, unreviewed: de, es" in shown
    conditions = [o["value"] for o in following["blocks"][-1]["element"]["options"]]
    assert conditions == ["always", "q1:low", "q1:high"]

    second = await submit(
        agents,
        following,
        {
            "kind": "text",
            "dimension": "general",
            "wording": "What went wrong?",
            "required": "no",
            "condition": "q1:low",
        },
    )
    assert (
        "2. q2 [text, general] (optional) (conditional): What went wrong?"
        in second["view"]["blocks"][0]["text"]["text"]
    )
    assert (
        await submit(agents, second["view"], {"kind": "text", "dimension": "general", "required": "no"}) == {}
    )

    assert "de texts reviewed" in await slash("review repair-check de")
    await slash("review repair-check es")
    assert "Review requested from 1 admin(s)" in await slash("submit repair-check")
    await settle(polling)
    assert reviewer.last.text == f"📝 repair-check waits for your review (submitted by slack:{SLACK_ADMIN})."
    await reviewer.press_payload(ReviewAction("preview", "repair-check").pack())
    assert reviewer.messages[-2].text.startswith("Preview of repair-check v1")
    assert "How satisfied are you with the repair?" in reviewer.last.text
    await reviewer.answer_current(5)  # the follow-up is only for 1–2: the preview ends
    # The answer's tick and the end of the preview are one message (the answered question, edited).
    assert reviewer.last.text == (
        "✓ Your answer: 5 · Very satisfied\n\nPreview of repair-check finished — nothing was stored."
    )
    notice = next(m for m in reversed(reviewer.messages) if m.text.startswith("📝 repair-check"))
    await reviewer.press_payload(ReviewAction("approve", "repair-check").pack(), message_id=notice.message_id)
    assert any(m.text == "repair-check approved; publish it to make it live." for m in reviewer.messages)
    assert "repair-check v1 published" in await slash("publish repair-check")

    customer = Customer(polling, chat_id=6001, language="es")
    await customer.say("/start q-repair-check")
    await customer.press_payload("consent:yes")
    assert "[es] HOW SATISFIED ARE YOU WITH THE REPAIR?" in customer.last.text
    await customer.answer_current(1)
    await customer.say("La pantalla parpadea")
    response = await db["responses"].find_one({"questionnaire_id": "repair-check"})
    assert response is not None and response["status"] == "complete"


async def test_a_slack_admin_is_asked_in_a_direct_message_and_sends_it_back_with_a_reason(
    polling: BotRunner, slack: FakeSlack, libre: FakeLibreTranslate, db: Database
) -> None:
    await polling.start(
        **desk_settings(slack, libre),
        SLACK_SIGNING_SECRET=SECRET,
        ADMIN_SLACK_USERS=[SLACK_ADMIN],
        ADMIN_TELEGRAM_IDS=[TELEGRAM_ADMIN],
        SURVEY_LANGUAGES=["en"],
    )
    agents = Agents(polling, slack)
    author = Customer(polling, chat_id=TELEGRAM_ADMIN)
    await author.say(
        "/admin new yaml\n" + PULSE.replace("our amazing delivery", "the delivery").replace("[7]", "[1]")
    )
    await author.say("/admin submit pulse")
    assert "Review requested from 1 admin(s)" in author.last.text
    await settle(polling)
    (notice,) = slack.channel(SLACK_ADMIN)
    assert notice.text == f"📝 pulse waits for your review (submitted by telegram:{TELEGRAM_ADMIN})."
    buttons = notice.blocks[-1]["elements"]
    assert [(b["action_id"], b["value"]) for b in buttons] == [
        ("questionnaire_approve", "pulse"),
        ("questionnaire_changes", "pulse"),
    ]

    changes = block_action(
        action_id="questionnaire_changes", value="pulse", user=SLACK_ADMIN, channel=SLACK_ADMIN, ts=notice.ts
    )
    assert await agents.post(changes) == 200
    modal = slack.views[-1]["view"]
    assert modal["callback_id"] == "questionnaire_changes_modal" and modal["private_metadata"] == "pulse"
    empty = await submit(agents, modal, {"value": "  "})
    assert empty["errors"] == {"value": "Say what should change."}
    assert await submit(agents, modal, {"value": "Ask about the parcel too"}) == {}
    await settle(polling)
    assert author.last.text == f"↩️ slack:{SLACK_ADMIN} sent pulse back to draft: Ask about the parcel too"

    await author.say("/admin submit pulse")
    await settle(polling)
    approve = block_action(
        action_id="questionnaire_approve",
        value="pulse",
        user=SLACK_ADMIN,
        channel=SLACK_ADMIN,
        ts=slack.channel(SLACK_ADMIN)[-1].ts,
    )
    outsider = block_action(
        action_id="questionnaire_approve", value="pulse", user="U0AGENT", channel=SLACK_ADMIN, ts="1.0"
    )
    assert await agents.post(outsider) == 200
    assert (await db["questionnaire_drafts"].find_one({"_id": "pulse"}) or {})["status"] == "submitted"
    assert await agents.post(approve) == 200
    assert slack.ephemeral[-1]["text"] == "pulse approved; publish it to make it live."
    await settle(polling)
    assert author.last.text == f"✅ slack:{SLACK_ADMIN} approved pulse; /admin publish pulse makes it live."
