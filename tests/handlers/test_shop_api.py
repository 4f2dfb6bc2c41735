"""The shop's invitation API through the real bot: authentication, validation, idempotency, sending."""

from __future__ import annotations

from datetime import UTC, datetime
from typing import Any

from aiohttp import ClientSession

from storage.types import Database
from tests.clock import Clock
from tests.handlers.telegram_harness import BotRunner, Customer

KEY = "shop-api-key-for-tests"


async def post(
    runner: BotRunner, body: Any, *, key: str | None = KEY, raw: str | None = None
) -> tuple[int, Any]:
    assert runner.current is not None and runner.current.server is not None
    url = f"http://127.0.0.1:{runner.current.server.port}/api/v1/invitations"
    headers = {"Authorization": f"Bearer {key}"} if key is not None else {}
    async with ClientSession() as session:
        data = raw.encode() if raw is not None else None
        async with session.post(
            url, json=None if raw is not None else body, data=data, headers=headers
        ) as answer:
            return answer.status, await answer.json()


def invitation(order: str, *, customer: str = "shop-cust-1", **extra: Any) -> dict[str, Any]:
    return {"customer_ref": customer, "order_ref": order, "questionnaire": "default", **extra}


async def test_refusals_name_the_problem_and_store_nothing(polling: BotRunner, db: Database) -> None:
    await polling.start(SHOP_API_KEY=KEY)
    assert (await post(polling, invitation("A1"), key=None))[0] == 401
    assert (await post(polling, invitation("A1"), key="wrong"))[0] == 401
    assert (await post(polling, None, raw="{not json"))[0] == 400
    status, body = await post(polling, invitation("A1", country="germany", surprise=1))
    assert status == 400
    assert {p["field"] for p in body["problems"]} == {"country", "surprise"}
    status, body = await post(polling, invitation("A1") | {"questionnaire": "nope"})
    assert (status, body["error"]) == (422, "no published questionnaire 'nope'")
    status, _ = await post(
        polling, {"customer_ref": {"$gt": ""}, "order_ref": "A1", "questionnaire": "default"}
    )
    assert status == 400
    assert await db["invitations"].count_documents({}) == 0
    await polling.stop()  # refusals are counted in memory and written at least at shutdown
    refused = await db["audit"].find({"outcome": "refused", "actor": "api"}).to_list()
    assert len(refused) == 1 and refused[0]["count"] == 2


async def test_link_then_chat_invitations_then_opt_out(polling: BotRunner, db: Database) -> None:
    polling.clock = Clock(datetime(2026, 11, 23, 12, 0, tzinfo=UTC))
    await polling.start(SHOP_API_KEY=KEY)
    status, first = await post(polling, invitation("A1", segment="vip", country="DE"))
    assert status == 201 and not first["duplicate"] and not first["sending_in_chat"]
    assert first["deep_link"] == f"https://t.me/feedback_test_bot?start={first['start_payload']}"
    again_status, again = await post(polling, invitation("A1"))
    assert again_status == 200 and again["duplicate"] and again["invitation_id"] == first["invitation_id"]
    assert await db["invitations"].count_documents({}) == 1

    # The customer opens the link: consent first, for that questionnaire and order; their chat is linked.
    customer = Customer(polling, chat_id=801, language="en")
    await customer.say(f"/start {first['start_payload']}")
    assert "consent:yes" in customer.payloads()
    await customer.press("Agree")
    response = await db["responses"].find_one({})
    assert response is not None and response["order_ref"] == "A1"
    opened = await db["invitations"].find_one({"_id": first["invitation_id"]})
    assert opened is not None and opened["opened_at"] is not None

    # The next order of the same customer: the invitation also arrives in their chat, once.
    status, second = await post(polling, invitation("A2"))
    assert status == 201 and second["sending_in_chat"]
    await polling.telegram.wait_for(lambda: "order A2" in customer.last.text)
    assert customer.payloads() == [f"invite:{second['invitation_id']}"]
    await customer.press_payload(f"invite:{second['invitation_id']}")
    assert "consent:yes" in customer.payloads()
    sent = len(customer.messages)
    await post(polling, invitation("A2"))  # the shop repeats itself: nothing more is sent
    assert len(customer.messages) == sent

    # After /stop nothing is sent into the chat any more; the link still works for the shop to show.
    await customer.say("/stop")
    status, third = await post(polling, invitation("A3"))
    assert status == 201 and not third["sending_in_chat"] and third["deep_link"]


async def test_invitations_wait_out_the_customers_quiet_hours(polling: BotRunner, db: Database) -> None:
    clock = polling.clock = Clock(datetime(2026, 11, 23, 12, 0, tzinfo=UTC))
    await polling.start(SHOP_API_KEY=KEY)
    _, first = await post(polling, invitation("Q1", customer="night-owl"))
    customer = Customer(polling, chat_id=802, language="en")
    await customer.say(f"/start {first['start_payload']}")
    clock.now = datetime(2026, 11, 23, 20, 30, tzinfo=UTC)  # 21:30 in Berlin
    status, second = await post(polling, invitation("Q2", customer="night-owl", timezone="Europe/Berlin"))
    assert status == 201 and second["sending_in_chat"]
    bot = polling.current
    assert bot is not None and bot.jobs is not None
    await bot.jobs.wait_idle()
    await bot.jobs.run_due()
    job = await db["jobs"].find_one({"kind": "invitation.send"})
    assert job is not None and job["status"] == "pending" and job["attempts"] == 0
    assert job["due_at"] == datetime(2026, 11, 24, 8, 0, tzinfo=UTC)  # 09:00 in Berlin
    assert "order Q2" not in customer.last.text
    clock.now = datetime(2026, 11, 24, 8, 0, tzinfo=UTC)
    await bot.jobs.run_due()
    await polling.telegram.wait_for(lambda: "order Q2" in customer.last.text)
    status, _ = await post(polling, invitation("Q3", customer="night-owl", timezone="Mars/Olympus"))
    assert status == 400


async def test_a_flood_of_refused_calls_is_counted_and_audited_in_aggregate(
    polling: BotRunner, db: Database
) -> None:
    bot = await polling.start(SHOP_API_KEY=KEY)
    assert bot.server is not None
    base = f"http://127.0.0.1:{bot.server.port}"
    async with ClientSession() as session:
        for n in range(500):
            headers = {"Authorization": f"Bearer wrong-{n}"}
            async with session.post(f"{base}/api/v1/invitations", json={}, headers=headers) as answer:
                assert answer.status == 401
        async with session.get(f"{base}/metrics") as answer:
            metrics = await answer.text()
    assert 'feedback_bot_http_refused_total{channel="api"} 500' in metrics.splitlines()
    await polling.stop()
    refused = await db["audit"].find({"outcome": "refused", "actor": "api"}).to_list()
    # Before: 500 documents. Now one per hour (two if the flood straddled an hour), all counted.
    assert 1 <= len(refused) <= 2 and sum(doc["count"] for doc in refused) == 500
    assert await db["audit"].count_documents({}) == len(refused)
