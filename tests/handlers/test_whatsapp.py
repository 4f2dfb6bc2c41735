"""WhatsApp Cloud API through the real bot: signed webhooks in, Graph API calls out (fakes on 127.0.0.1)."""

from __future__ import annotations

import logging
from typing import Any

import pytest
from aiohttp import ClientSession

from conversations.calling_codes import country_of_number, language_of_number
from core.events import Choice, Outbound
from handlers.whatsapp import ListLabels, render
from storage.types import Database
from tests.answers import answers_so_far
from tests.default_questionnaire import RATED
from tests.fakes.graph_api import APP_SECRET, PHONE_NUMBER_ID, TOKEN, VERIFY_TOKEN, FakeGraph, post_webhook
from tests.handlers.telegram_harness import BotRunner

SPAIN = "34600111222"
LABELS = ListLabels("Choose", "Options")


async def start(runner: BotRunner, graph: FakeGraph, **settings: Any) -> str:
    await runner.start(
        **settings,
        TELEGRAM_BOT_TOKEN=None,
        WHATSAPP_API_BASE_URL=graph.base_url,
        WHATSAPP_PHONE_NUMBER_ID=PHONE_NUMBER_ID,
        WHATSAPP_ACCESS_TOKEN=TOKEN,
        WHATSAPP_APP_SECRET=APP_SECRET,
        WHATSAPP_VERIFY_TOKEN=VERIFY_TOKEN,
    )
    assert runner.current is not None and runner.current.server is not None
    return f"http://127.0.0.1:{runner.current.server.port}/webhooks/whatsapp"


async def deliver(runner: BotRunner, url: str, body: dict[str, Any]) -> None:
    assert await post_webhook(url, body) == 200
    assert runner.current is not None
    await runner.current.dispatcher.wait_idle()


def choices(body: dict[str, Any]) -> list[str]:
    interactive = body.get("interactive") or {}
    action = interactive.get("action") or {}
    if interactive.get("type") == "button":
        return [b["reply"]["id"] for b in action["buttons"]]
    return [row["id"] for section in action.get("sections", []) for row in section["rows"]]


async def test_verification_handshake(polling: BotRunner, graph: FakeGraph) -> None:
    url = await start(polling, graph)
    async with ClientSession() as session:
        ok = f"{url}?hub.mode=subscribe&hub.verify_token={VERIFY_TOKEN}&hub.challenge=12345"
        async with session.get(ok) as answer:
            assert (answer.status, await answer.text()) == (200, "12345")
        async with session.get(f"{url}?hub.mode=subscribe&hub.verify_token=nope&hub.challenge=1") as answer:
            assert answer.status == 403


async def test_consent_and_a_survey_answer_in_spanish(
    polling: BotRunner, graph: FakeGraph, db: Database
) -> None:
    url = await start(polling, graph)
    await deliver(polling, url, graph.text(SPAIN, "hola"))
    (consent,) = graph.to(SPAIN)
    assert (
        consent["interactive"]["body"]["text"].startswith("¡Hola!")
        or "acepta" in consent["interactive"]["body"]["text"]
    )
    assert choices(consent) == ["consent:yes", "consent:no", "language", "complain"]  # four: a list
    assert consent["interactive"]["type"] == "list"
    assert consent["interactive"]["action"]["button"] == "Elegir"
    assert consent["interactive"]["action"]["sections"][0]["title"] == "Opciones"
    await deliver(polling, url, graph.reply(SPAIN, "consent:yes", kind="list_reply"))
    # WhatsApp cannot edit the consent: a short acknowledgement, not the whole text again.
    acknowledgement, question = graph.to(SPAIN)[1:]
    assert acknowledgement == {**acknowledgement, "type": "text", "text": {"body": "✓ Acepto"}}
    assert choices(question)[:5] == [f"a:product_quality:{n}" for n in range(1, 6)]
    rows = question["interactive"]["action"]["sections"][0]["rows"]
    assert all(len(row["title"]) <= 24 and not row["title"].endswith(" ") for row in rows)
    neutral = rows[2]  # "3 · Ni satisfecho ni insatisfecho": its short label, then the full one below
    assert neutral["title"] == "3 · Neutral"
    assert neutral["description"] == "3 · Ni satisfecho ni insatisfecho"
    assert [row["title"] for row in rows[:2]] == ["1 · Muy insatisfecho", "2 · Insatisfecho"]
    await deliver(polling, url, graph.reply(SPAIN, "a:product_quality:4", kind="list_reply"))
    response = await db["responses"].find_one({})
    assert response is not None and (await answers_so_far(db, response))["product_quality"]["value"] == 4
    assert response["channel"] == "whatsapp" and response["language"] == "es"


async def test_forged_duplicate_malformed_and_statuses(
    polling: BotRunner, graph: FakeGraph, db: Database
) -> None:
    url = await start(polling, graph)
    body = graph.text(SPAIN, "hola")
    assert await post_webhook(url, body, secret="forged") == 401
    assert graph.sent == []
    await deliver(polling, url, body)
    await deliver(polling, url, body)  # Meta redelivers: nothing happens twice
    assert len(graph.to(SPAIN)) == 1
    assert await db["inbox"].count_documents({"channel": "whatsapp"}) == 1
    assert await post_webhook(url, "{not json") == 400
    assert (
        await post_webhook(url, {"entry": [{"changes": [{"value": {"messages": [{"from": "x"}]}}]}]}) == 200
    )
    await deliver(polling, url, graph.status("wamid.out.1", "delivered"))
    await deliver(polling, url, graph.status("wamid.out.1", "read"))
    await deliver(polling, url, graph.status("wamid.out.1", "read"))
    record = await db["deliveries"].find_one({"_id": "whatsapp:wamid.out.1"})
    assert record is not None and record["latest"] == "read" and len(record["statuses"]) == 2


async def test_statuses_arriving_out_of_order_keep_the_furthest(
    polling: BotRunner, graph: FakeGraph, db: Database
) -> None:
    url = await start(polling, graph)
    for status in ("sent", "read", "delivered"):
        await deliver(polling, url, graph.status("wamid.out.7", status))
    record = await db["deliveries"].find_one({"_id": "whatsapp:wamid.out.7"})
    assert record is not None and record["latest"] == "read"
    assert sorted(s["status"] for s in record["statuses"]) == ["delivered", "read", "sent"]
    await deliver(polling, url, graph.status("wamid.out.8", "delivered"))
    await deliver(polling, url, graph.status("wamid.out.8", "sent"))
    record = await db["deliveries"].find_one({"_id": "whatsapp:wamid.out.8"})
    assert record is not None and record["latest"] == "delivered"


def test_buttons_lists_and_plain_text_by_number_of_choices() -> None:
    (two,) = render(Outbound("Agree?", ((Choice("Yes", "y"), Choice("No", "n")),)), LABELS)
    assert two["interactive"]["type"] == "button"
    scale = tuple(Choice(str(n), f"s:{n}") for n in range(11))
    (eleven,) = render(Outbound("Score?", (scale, (Choice("Back", "b"), Choice("Skip", "k")))), LABELS)
    # A scale is answered by typing its number; the other choices by typing their word.
    assert eleven["type"] == "text"
    assert eleven["text"]["body"] == "Score?\n\n0 · 1 · 2 · 3 · 4 · 5 · 6 · 7 · 8 · 9 · 10\n«Back» · «Skip»"
    languages = tuple((Choice(f"Language {n}", f"lang:{n}"),) for n in range(12))
    first, second = render(Outbound("Choose", languages), LABELS)
    assert [row["id"] for row in first["interactive"]["action"]["sections"][0]["rows"]] == [
        f"lang:{n}" for n in range(10)
    ]
    assert first["interactive"]["body"]["text"] == "Choose"
    assert [row["id"] for row in second["interactive"]["action"]["sections"][0]["rows"]] == [
        "lang:10",
        "lang:11",
    ]
    (long_titles,) = render(
        Outbound("Pick", ((Choice("A much too long button title", "a"), Choice("B", "b")),)), LABELS
    )
    assert long_titles["interactive"]["type"] == "list"
    assert render(Outbound("Thanks"), LABELS) == [{"type": "text", "text": {"body": "Thanks"}}]
    summary = "Please check:\n\n" + "x" * 1500 + "\n\nIs everything right?"
    text, buttons = render(Outbound(summary, ((Choice("Submit", "s"), Choice("Cancel", "c")),)), LABELS)
    assert text["text"]["body"] == summary
    assert buttons["interactive"]["body"]["text"] == "Is everything right?"


async def test_typed_back_and_numbers_on_the_0_to_10_question(
    polling: BotRunner, graph: FakeGraph, db: Database
) -> None:
    url = await start(polling, graph)
    await deliver(polling, url, graph.text(SPAIN, "hola"))
    await deliver(polling, url, graph.reply(SPAIN, "consent:yes", kind="list_reply"))
    for qid in RATED:
        await deliver(polling, url, graph.reply(SPAIN, f"a:{qid}:4", kind="list_reply"))
    recommend = graph.to(SPAIN)[-1]
    assert recommend["type"] == "text" and "«Atrás»" in recommend["text"]["body"]
    await deliver(polling, url, graph.text(SPAIN, "atrás"))  # typed, as the message says
    assert choices(graph.to(SPAIN)[-1])[0] == "a:communication:1"
    await deliver(polling, url, graph.reply(SPAIN, "a:communication:5", kind="list_reply"))
    await deliver(polling, url, graph.text(SPAIN, "Omitir"))  # required: asked again, not skipped
    assert graph.to(SPAIN)[-1]["text"]["body"].startswith("Esta pregunta requiere una respuesta")
    await deliver(polling, url, graph.text(SPAIN, "9"))
    await deliver(polling, url, graph.text(SPAIN, "Todo bien, gracias"))  # the last, free-text question
    response = await db["responses"].find_one({})
    assert response is not None and response["status"] == "complete"
    assert response["answers"]["recommend"]["value"] == 9
    assert response["answers"]["communication"]["value"] == 5
    assert response["answers"]["comments"]["value"] == "Todo bien, gracias"
    # Reports break WhatsApp customers down by their number's country when the shop gave none.
    from datetime import UTC, datetime, timedelta

    from conversations.reports.figures import ReportRequest, build_report

    bot = polling.current
    assert bot is not None and bot.jobs is not None
    await bot.jobs.wait_idle()
    await bot.jobs.run_due()
    today = datetime.now(UTC)
    since = (today - timedelta(days=1)).date()  # the survey may have ended just before midnight
    report = await build_report(bot.store, ReportRequest(since, today.date(), by="country"), now=today)
    # Answered in milliseconds by the test: left out as too fast, but counted under its country.
    assert [(g.key, g.suppressed) for g in report.groups] == [("ES", True)]
    assert report.exclusions.speeder == 1 and report.funnel.completed == 1


def test_country_from_the_number() -> None:
    assert [country_of_number(n) for n in ("34600111222", "+5215512345678", "97150000000", "999")] == [
        "ES",
        "MX",
        "AE",
        None,
    ]


def test_language_hint_from_the_number() -> None:
    assert [
        language_of_number(n) for n in ("34600111222", "4915112345678", "8613800000000", "9665000000", "999")
    ] == [
        "es",
        "de",
        "zh",
        "ar",
        None,
    ]


async def test_graph_api_down_for_a_while_the_reply_arrives_once_it_recovers(
    polling: BotRunner, graph: FakeGraph, db: Database
) -> None:
    from datetime import UTC, datetime, timedelta

    from tests.clock import Clock

    clock = polling.clock = Clock(datetime(2026, 11, 24, 10, 0, tzinfo=UTC))
    url = await start(polling, graph)
    assert polling.current is not None
    graph.failures = [500, 503, 429]  # the first three sends fail
    await deliver(polling, url, graph.text(SPAIN, "hola"))  # stored and acknowledged all the same
    assert graph.to(SPAIN) == []
    for _ in range(3):
        clock.now += timedelta(minutes=5)
        await polling.current.dispatcher.retry_failed()
        await polling.current.dispatcher.wait_idle()
    (consent,) = graph.to(SPAIN)  # once, even though the state was saved at the first attempt
    assert "consent:yes" in choices(consent)
    stored = await db["inbox"].find_one({"channel": "whatsapp"})
    assert stored is not None and stored["status"] == "done" and stored["attempts"] == 3  # three failed tries
    assert await db["conversations"].count_documents({}) == 1


async def test_reactions_and_system_notices_get_no_reply(
    polling: BotRunner, graph: FakeGraph, db: Database
) -> None:
    url = await start(polling, graph)
    await deliver(polling, url, graph.text(SPAIN, "hola"))
    (consent,) = graph.to(SPAIN)
    await deliver(polling, url, graph.reaction(SPAIN, "wamid.out.1", "👍"))
    await deliver(polling, url, graph.reaction(SPAIN, "wamid.out.1", ""))  # the reaction taken back
    await deliver(polling, url, graph.system(SPAIN))
    assert graph.to(SPAIN) == [consent]
    assert await db["inbox"].count_documents({"channel": "whatsapp"}) == 1
    await deliver(polling, url, graph.message(SPAIN, {"type": "location", "location": {}}))
    assert graph.to(SPAIN)[-1]["text"]["body"].startswith("Lo siento")  # still answered


async def test_messages_to_another_business_number_are_refused_with_a_log_line(
    polling: BotRunner, graph: FakeGraph, db: Database, caplog: pytest.LogCaptureFixture
) -> None:
    url = await start(polling, graph)
    with caplog.at_level(logging.WARNING, logger="handlers.whatsapp"):
        await deliver(
            polling,
            url,
            graph.message(SPAIN, {"type": "text", "text": {"body": "hola"}}, phone_number_id="555"),
        )
    assert graph.sent == []
    assert await db["inbox"].count_documents({}) == 0
    assert any("phone number id this bot does not serve" in r.getMessage() for r in caplog.records)
    assert all(SPAIN not in r.getMessage() and "hola" not in r.getMessage() for r in caplog.records)
    await deliver(polling, url, graph.text(SPAIN, "hola"))
    assert len(graph.to(SPAIN)) == 1


async def test_a_late_tap_on_an_answered_question_gets_a_short_note(
    polling: BotRunner, graph: FakeGraph, db: Database
) -> None:
    url = await start(polling, graph)
    await deliver(polling, url, graph.text(SPAIN, "hola"))
    await deliver(polling, url, graph.reply(SPAIN, "consent:yes", kind="list_reply"))
    await deliver(polling, url, graph.reply(SPAIN, f"a:{RATED[0]}:4", kind="list_reply"))
    sent = len(graph.to(SPAIN))
    await deliver(polling, url, graph.reply(SPAIN, f"a:{RATED[0]}:2", kind="list_reply"))
    (note,) = graph.to(SPAIN)[sent:]
    assert note["type"] == "text" and note["text"]["body"] == "Ya ha respondido a esta pregunta."
    response = await db["responses"].find_one({})
    assert response is not None and (await answers_so_far(db, response))[RATED[0]]["value"] == 4  # unchanged


def test_list_labels_come_from_the_catalogs_and_long_titles_keep_whole_words() -> None:
    from handlers.whatsapp import short_title
    from locales.catalog import catalogs

    assert ListLabels.of(catalogs(), "de") == ListLabels("Auswählen", "Optionen")
    assert short_title("1 · Muy insatisfecho con todo") == "1 · Muy insatisfecho…"
    neutral = Choice("3 · Ni satisfecho ni insatisfecho", "p", short="3 · Neutral")
    (rendered,) = render(Outbound("?", ((neutral,),)), LABELS)
    (row,) = rendered["interactive"]["action"]["sections"][0]["rows"]
    assert (row["title"], row["description"]) == ("3 · Neutral", neutral.label)
    too_long = Choice(neutral.label, "p", short="3 · Ni satisfecho ni insatisfecho, de verdad")
    (rendered,) = render(Outbound("?", ((too_long,),)), LABELS)
    assert rendered["interactive"]["action"]["sections"][0]["rows"][0]["title"] == "3 · Ni satisfecho ni…"
    assert short_title("x" * 40) == "x" * 23 + "…"
    assert all(len(short_title(label)) <= 24 for label in ("a " * 30, "Überdurchschnittlich zufrieden"))


async def test_number_words_of_another_language_answer_a_question(
    polling: BotRunner, graph: FakeGraph, db: Database
) -> None:
    url = await start(polling, graph)
    await deliver(polling, url, graph.text(SPAIN, "hola"))
    await deliver(polling, url, graph.reply(SPAIN, "consent:yes", kind="list_reply"))
    await deliver(polling, url, graph.text(SPAIN, "four"))  # an English word in a Spanish chat
    response = await db["responses"].find_one({})
    assert response is not None and (await answers_so_far(db, response))[RATED[0]]["value"] == 4
    assert choices(graph.to(SPAIN)[-1])[0] == f"a:{RATED[1]}:1"  # on to the next question


async def test_every_shipped_language_is_offered_in_lists_whatsapp_accepts(
    polling: BotRunner, graph: FakeGraph, db: Database
) -> None:
    from locales.catalog import catalogs

    shipped = catalogs().languages
    assert len(shipped) >= 24
    url = await start(polling, graph)
    await deliver(polling, url, graph.text(SPAIN, "hola"))
    before = len(graph.to(SPAIN))
    await deliver(polling, url, graph.reply(SPAIN, "language", kind="list_reply"))
    menus = graph.to(SPAIN)[before:]
    # Ten rows is the most one list takes: the menu comes as several lists, together every language once.
    assert len(menus) == -(-len(shipped) // 10)
    assert all(menu["interactive"]["type"] == "list" for menu in menus)
    assert [payload for menu in menus for payload in choices(menu)] == [f"lang:{code}" for code in shipped]
    assert graph.refused == []
    await deliver(polling, url, graph.reply(SPAIN, "lang:uk", kind="list_reply"))
    consent = graph.to(SPAIN)[-1]["interactive"]["body"]["text"]
    assert "Вітаємо" in consent and "10 коротких запитань" in consent
    customer = await db["customers"].find_one({})
    assert customer is not None and customer["language"] == "uk"


def test_language_hint_from_numbers_of_the_newer_languages() -> None:
    numbers = ("393331234567", "31612345678", "48601234567", "380501234567", "84912345678", "66812345678")
    more = ("60123456789", "972501234567", "989121234567", "46701234567", "420601234567", "919812345678")
    assert [language_of_number(n) for n in numbers + more] == [
        *("it", "nl", "pl", "uk", "vi", "th"),
        *("ms", "he", "fa", "sv", "cs", None),
    ]


async def test_a_ukrainian_number_gets_ukrainian_not_russian(polling: BotRunner, graph: FakeGraph) -> None:
    url = await start(polling, graph)
    kyiv = "380501234567"
    await deliver(polling, url, graph.text(kyiv, "Добрий день"))
    (consent,) = graph.to(kyiv)
    assert consent["interactive"]["body"]["text"].startswith("Вітаємо!")
    assert consent["interactive"]["action"]["sections"][0]["rows"][0]["title"] == "Погоджуюся"
