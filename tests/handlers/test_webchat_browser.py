"""The web chat in a real headless Chromium (Playwright): consent, a whole survey, a complaint, the widget.

Screenshots are written to `test-artifacts/` (or $TEST_ARTIFACTS). Chromium comes from the system
(Debian's `chromium`; `./dev.sh test` installs it when it can); without one these tests are skipped
with the reason.
"""

from __future__ import annotations

import asyncio
import os
import re
import shutil
from collections.abc import AsyncIterator
from pathlib import Path

import pytest
import pytest_asyncio
from aiohttp import web
from playwright.async_api import Browser, Locator, Page, async_playwright, expect

from storage.types import Database
from tests.default_questionnaire import RATED
from tests.handlers.telegram_harness import BotRunner
from tests.handlers.test_webchat import start

ARTIFACTS = Path(os.environ.get("TEST_ARTIFACTS", Path(__file__).resolve().parents[2] / "test-artifacts"))
RATINGS, MORE_RATINGS = RATED[:5], RATED[5:]  # a reload comes between the two


def chromium() -> str | None:
    configured = os.environ.get("CHROMIUM")
    if configured:
        return configured
    for name in ("chromium", "chromium-browser", "google-chrome", "google-chrome-stable"):
        found = shutil.which(name)
        if found:
            return found
    return None


pytestmark = pytest.mark.skipif(
    chromium() is None,
    reason="no Chromium found: install it (Debian: apt-get install chromium) or set CHROMIUM",
)


@pytest_asyncio.fixture
async def browser() -> AsyncIterator[Browser]:
    async with async_playwright() as playwright:
        launched = await playwright.chromium.launch(
            executable_path=chromium(),
            headless=True,
            args=[
                "--no-sandbox",
                "--disable-gpu",
                "--disable-quic",
                "--no-first-run",
                "--disable-background-networking",
                "--disable-component-update",
                "--disable-sync",
            ],
        )
        try:
            yield launched
        finally:
            await launched.close()


def newest(page: Page) -> Locator:
    """The newest message of the bot (the question being asked)."""
    return page.locator("#log li.out").last


async def answer(page: Page, label: str) -> None:
    button = newest(page).get_by_role("button", name=label, exact=True)
    # Counted once the button is there: before that the message it belongs to may not be drawn yet.
    await button.wait_for()
    before = await page.locator("#log li.out").count()
    await button.click()
    await expect(page.locator("#log li.out")).to_have_count(before + 1)


async def shot(page: Page, name: str) -> None:
    """Save a screenshot artifact; it must be a real rendering, not an empty image."""
    image = await page.screenshot(full_page=True)
    assert image.startswith(b"\x89PNG") and len(image) > 10_000
    await asyncio.to_thread(_write, ARTIFACTS / name, image)


def _write(path: Path, data: bytes) -> None:
    path.parent.mkdir(parents=True, exist_ok=True)
    path.write_bytes(data)


async def test_consent_and_a_whole_survey_by_clicks_surviving_a_reload(
    polling: BotRunner, browser: Browser, db: Database
) -> None:
    url = await start(polling)
    context = await browser.new_context(locale="en-US", viewport={"width": 390, "height": 844})
    page = await context.new_page()
    await page.goto(url)
    consent = newest(page)
    await expect(consent).to_contain_text("Do you agree to take part?")
    await answer(page, "Agree")
    await expect(page.locator("#log li.out").first).to_contain_text("✓ Agree")  # edited in place

    for _ in RATINGS:
        await expect(newest(page)).to_contain_text("?")
        await answer(page, "4 · Satisfied")
    # A reload mid-survey: the same conversation comes back, and it goes on.
    await page.reload()
    await expect(newest(page).get_by_role("button", name="5 · Very satisfied")).to_be_visible()
    await expect(page.locator("#log li.out")).to_have_count(len(RATINGS) + 2)
    # Keyboard: a focused choice is pressed with Enter.
    await newest(page).get_by_role("button", name="5 · Very satisfied").focus()
    before = await page.locator("#log li.out").count()
    await page.keyboard.press("Enter")
    await expect(page.locator("#log li.out")).to_have_count(before + 1)
    for _ in MORE_RATINGS[1:]:
        await answer(page, "4 · Satisfied")
    await answer(page, "9")  # the 0–10 question
    await page.get_by_label("Your message").fill("Fast delivery, thank you")
    await page.get_by_label("Your message").press("Enter")
    await expect(newest(page)).to_contain_text("Thank you! Your answers have been saved.")
    await expect(page.locator("#log li.in").last).to_contain_text("Fast delivery, thank you")
    # Mobile width: nothing wider than the screen.
    assert await page.evaluate("document.documentElement.scrollWidth <= window.innerWidth")
    await shot(page, "webchat-survey-mobile.png")

    # The completion reaches `responses` in the background batch after the thanks is shown.
    assert polling.current is not None
    await polling.current.dispatcher.wait_idle()
    response = await db["responses"].find_one({"channel": "web"})
    assert response is not None and response["status"] == "complete" and response["language"] == "en"
    answers = {qid: a["value"] for qid, a in response["answers"].items()}
    assert answers == {
        **dict.fromkeys(RATINGS, 4),
        "ease_of_use": 5,
        "payment_security": 4,
        "communication": 4,
        "recommend": 9,
        "comments": "Fast delivery, thank you",
    }
    await context.close()


async def test_a_complaint_in_the_browser_in_the_chosen_language(
    polling: BotRunner, browser: Browser, db: Database
) -> None:
    url = await start(polling)
    context = await browser.new_context(locale="en-GB", viewport={"width": 1024, "height": 900})
    page = await context.new_page()
    await page.goto(url)
    await expect(newest(page)).to_contain_text("Do you agree to take part?")
    await page.get_by_label("Language").select_option("de")
    await expect(newest(page)).to_contain_text("Sind Sie mit der Teilnahme einverstanden?")
    composer = page.get_by_label("Ihre Nachricht")  # the page's own texts follow the conversation
    for text, reply in (
        ("/complain", None),
        (None, "Einverstanden"),
        (None, "Nur Chat"),
        (None, "Lieferverzug oder -schaden"),
        ("DE-20261124-42", None),
        ("Wasserkocher, blau", None),
        ("Der Karton war zerdrückt und der Wasserkocher verbeult.", None),
        (None, "Ersatz"),
        (None, "Abends"),
        (None, "Absenden"),
    ):
        before = await page.locator("#log li.out").count()
        if text == "DE-20261124-42":
            # The connection drops just before this message: it waits, is resent, and counts once.
            await page.evaluate("window.feedbackBotChat.reconnect()")
            await composer.fill(text)
            await page.get_by_role("button", name="Senden").click()
            # The history comes back from the store (without the survey's prompts, never stored),
            # then the answer to the resent message.
            await expect(page.locator("#log li.out", has_text="Teilnahme einverstanden")).to_have_count(0)
            await expect(page.locator("#log li:last-child")).to_have_class(re.compile(r"\bout\b"))
            await expect(page.locator("#log li.in", has_text=text)).to_have_count(1)
            continue
        if text is not None:
            await composer.fill(text)
            await page.get_by_role("button", name="Senden").click()
        else:
            await newest(page).get_by_role("button", name=reply, exact=True).click()
        await page.wait_for_function("n => document.querySelectorAll('#log li.out').length > n", arg=before)
    ticket = await db["tickets"].find_one({})
    assert ticket is not None and ticket["channel"] == "web" and ticket["language"] == "de"
    assert ticket["order_ref"] == "DE-20261124-42" and ticket["category"] == "logistics"
    assert await db["inbox"].count_documents({"event.text": "DE-20261124-42"}) == 1
    await expect(page.locator("#log li.in", has_text="DE-20261124-42")).to_have_count(1)
    # The confirmation names the ticket; then the chat returns to where the complaint began.
    await expect(page.locator("#log li.out", has_text=str(ticket["_id"]))).to_have_count(1)
    await shot(page, "webchat-complaint-de.png")
    await context.close()


async def test_the_widget_on_a_shop_page_of_another_origin(polling: BotRunner, browser: Browser) -> None:
    shop = web.Application()
    runner = web.AppRunner(shop, access_log=None)
    bot_origin: list[str] = []

    async def home(request: web.Request) -> web.Response:
        html = (
            "<!doctype html><html><head><title>Acme Shop</title></head><body><h1>Acme Shop</h1>"
            f'<script src="{bot_origin[0]}/chat/widget.js" async></script></body></html>'
        )
        return web.Response(text=html, content_type="text/html")

    shop.router.add_get("/", home)
    await runner.setup()
    await web.TCPSite(runner, "127.0.0.1", 0).start()
    shop_url = f"http://127.0.0.1:{runner.addresses[0][1]}"
    try:
        url = await start(polling, WEBCHAT_ALLOWED_ORIGINS=[shop_url])
        bot_origin.append(url.removesuffix("/chat"))
        context = await browser.new_context(locale="en-US")
        page = await context.new_page()
        await page.goto(shop_url + "/")
        launcher = page.get_by_role("button", name="Feedback")
        await launcher.click()
        await expect(launcher).to_have_attribute("aria-expanded", "true")
        chat = page.frame_locator("#feedback-bot-frame")
        await expect(chat.locator("#log li.out").last).to_contain_text("Do you agree to take part?")
        await chat.get_by_role("button", name="Agree", exact=True).click()
        await expect(
            chat.locator("#log li.out").last.get_by_role("button", name="1 · Very dissatisfied")
        ).to_be_visible()
        await shot(page, "webchat-widget.png")
        await context.close()
    finally:
        await runner.cleanup()
