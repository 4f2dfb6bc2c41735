"""Scenario on Telegram: a three-language questionnaire built by buttons and typed wording (no YAML),
translated by the fake LibreTranslate, reviewed by a second admin who is notified, published, taken."""

from __future__ import annotations

from core.admin_payloads import (
    BuilderCondition,
    BuilderDimension,
    BuilderKind,
    BuilderMenu,
    BuilderRequired,
    MarkReviewed,
    ReviewAction,
)
from storage.types import Database
from tests.fakes.libretranslate import FakeLibreTranslate
from tests.handlers.telegram_harness import BotRunner, Customer

ALICE, BOB = 911, 912


async def _approve_as(admin: Customer, qid: str) -> str:
    await admin.say(f"/admin approve {qid}")
    return admin.last.text


async def run_jobs(runner: BotRunner) -> None:
    bot = runner.current
    assert bot is not None and bot.jobs is not None
    await bot.jobs.run_due()
    await bot.dispatcher.wait_idle()


async def test_built_by_buttons_reviewed_after_a_notice_published_and_completed(
    polling: BotRunner, db: Database, libre: FakeLibreTranslate
) -> None:
    await polling.start(
        ADMIN_TELEGRAM_IDS=[ALICE, BOB],
        SURVEY_LANGUAGES=["en", "de", "es"],
        TRANSLATION_PROVIDER="libretranslate",
        TRANSLATION_BASE_URL=libre.base_url,
        TELEGRAM_BOT_USERNAME="shop_bot",
    )
    alice, bob = Customer(polling, chat_id=ALICE), Customer(polling, chat_id=BOB)
    await bob.say("/admin list")  # Telegram lets a bot write only to those who have opened its chat

    await alice.say("/admin new")
    await alice.say("your repair")
    await alice.say("repair check")
    assert alice.last.text.startswith("repair-check — your repair")
    for payload in (BuilderMenu("add"), BuilderKind("rating5"), BuilderDimension("after_sales")):
        await alice.press_payload(payload.pack())
    await alice.say("How satisfied are you with the repair?")
    preview = alice.last.text
    assert "┆ How satisfied are you with the repair?" in preview
    assert "de (machine): [de] HOW SATISFIED ARE YOU WITH THE REPAIR?" in preview
    assert "es (machine): [es] HOW SATISFIED ARE YOU WITH THE REPAIR?" in preview
    await alice.press_payload(BuilderRequired(True).pack())
    for payload in (BuilderMenu("add"), BuilderKind("text"), BuilderDimension("general")):
        await alice.press_payload(payload.pack())
    await alice.say("What went wrong?")
    await alice.press_payload(BuilderRequired(False).pack())
    await alice.press_payload(BuilderCondition("low", 1).pack())
    await alice.press_payload(BuilderMenu("save").pack())
    assert "Working copy 'repair-check' saved." in alice.last.text
    assert {r["target"] for r in libre.requests} == {"de", "es"}

    # The author reads the machine translations beside the original, marks them read, submits: buttons.
    assert alice.payloads() == [
        MarkReviewed("de", "repair-check").pack(),
        MarkReviewed("es", "repair-check").pack(),
        ReviewAction("preview", "repair-check").pack(),
        ReviewAction("submit", "repair-check").pack(),
    ]
    await alice.press_payload(ReviewAction("submit", "repair-check").pack())
    assert alice.last.text.startswith("repair-check submitted for review")  # approval would be refused:
    await alice.say("/admin show repair-check")
    assert "   de (machine, unreviewed): [de] HOW SATISFIED ARE YOU WITH THE REPAIR?" in alice.last.text
    assert "Not done: machine-translated texts are not reviewed: de, es" == (
        await _approve_as(bob, "repair-check")
    )
    await bob.press_payload(ReviewAction("changes", "repair-check").pack())
    await bob.say("Read the translations first")
    await run_jobs(polling)
    saved = next(m for m in alice.messages if m.text.startswith("Working copy 'repair-check' saved."))
    await alice.press_payload(MarkReviewed("de", "repair-check").pack(), message_id=saved.message_id)
    assert alice.payloads()[0] == MarkReviewed("es", "repair-check").pack()
    await alice.press_payload(MarkReviewed("es", "repair-check").pack())
    assert alice.last.text == "repair-check: es texts reviewed."
    await alice.press_payload(ReviewAction("submit", "repair-check").pack())
    assert "Review requested from 1 admin(s) in their chat with the bot." in alice.last.text

    await run_jobs(polling)
    notice = bob.last
    assert notice.text == f"📝 repair-check waits for your review (submitted by telegram:{ALICE})."
    assert [data for row in notice.buttons for _, data in row] == [
        ReviewAction(action, "repair-check").pack() for action in ("preview", "approve", "changes")
    ]
    await bob.press_payload(ReviewAction("changes", "repair-check").pack())
    assert bob.last.text.startswith("What should change in repair-check?")
    await bob.say("Make the follow-up question required")
    assert bob.last.text == "repair-check sent back to draft: Make the follow-up question required"
    await run_jobs(polling)
    assert alice.last.text == (
        f"↩️ telegram:{BOB} sent repair-check back to draft: Make the follow-up question required"
    )
    await alice.say("/admin show repair-check")
    assert f"Sent back by telegram:{BOB}: Make the follow-up question required" in alice.last.text

    await alice.say("/admin required repair-check q2 yes")
    await alice.say("/admin submit repair-check")
    await run_jobs(polling)
    await bob.press_payload(ReviewAction("approve", "repair-check").pack(), message_id=bob.last.message_id)
    assert bob.last.text == "repair-check approved; publish it to make it live."
    await run_jobs(polling)
    assert (
        alice.last.text
        == f"✅ telegram:{BOB} approved repair-check; /admin publish repair-check makes it live."
    )
    await bob.say("/admin publish repair-check")
    assert "repair-check v1 published" in bob.last.text
    await bob.say("/admin link repair-check R-77")
    assert bob.last.text.endswith("https://t.me/shop_bot?start=q-repair-check__o-R-77")

    # A German-speaking customer takes it.
    customer = Customer(polling, chat_id=5001, language="de")
    await customer.say("/start q-repair-check__o-R-77")
    assert "[de] YOUR REPAIR" in customer.last.text
    await customer.press_payload("consent:yes")
    assert "[de] HOW SATISFIED ARE YOU WITH THE REPAIR?" in customer.last.text
    await customer.answer_current(2)
    assert "[de] WHAT WENT WRONG?" in customer.last.text
    await customer.say("Der Bildschirm flackert noch")
    response = await db["responses"].find_one({"questionnaire_id": "repair-check"})
    assert response is not None and response["status"] == "complete"
    assert response["order_ref"] == "R-77" and response["questionnaire_version"] == 1
