"""The chat page's own behaviour in Chromium: stale buttons, links, limits, blocked storage, one /start."""

from __future__ import annotations

import re

from playwright.async_api import Browser, Page, Response, expect

from tests.handlers.telegram_harness import BotRunner
from tests.handlers.test_webchat import start
from tests.handlers.test_webchat_browser import answer, browser, newest, pytestmark

__all__ = ["browser", "pytestmark"]
BLOCK_STORAGE = """
Object.defineProperty(window, "localStorage", {
  get() { throw new DOMException("third-party storage is blocked", "SecurityError"); }
});
"""


async def live_sets(page: Page) -> int:
    """How many messages still offer buttons."""
    return await page.locator("#log li:has(.choices button:enabled)").count()


async def say(page: Page, text: str) -> None:
    before = await page.locator("#log li.out").count()
    await page.locator("#text").fill(text)
    await page.locator("#text").press("Enter")
    await expect(page.locator("#log li.out")).to_have_count(before + 1)


async def test_only_the_newest_question_has_buttons(polling: BotRunner, browser: Browser) -> None:
    url = await start(polling)
    context = await browser.new_context(locale="en-US")
    page = await context.new_page()
    await page.goto(url)
    await expect(newest(page)).to_contain_text("Do you agree to take part?")
    # A language switch asks again: the English consent's buttons are gone, one set is live.
    await page.locator("#language").select_option("de")
    await expect(newest(page)).to_contain_text("Sind Sie mit der Teilnahme einverstanden?")
    assert await live_sets(page) == 1
    await expect(page.locator("#log li.out").first.locator("button")).to_have_count(0)
    await answer(page, "Einverstanden")
    # An answer the question cannot take is asked again: still one set of buttons.
    await say(page, "banana")
    assert await live_sets(page) == 1
    await expect(newest(page).get_by_role("button", name="4 · Zufrieden")).to_be_visible()
    await context.close()


async def test_no_buttons_are_left_under_the_thanks(polling: BotRunner, browser: Browser) -> None:
    url = await start(polling)
    context = await browser.new_context(locale="en-US")
    page = await context.new_page()
    await page.goto(url)
    await answer(page, "Agree")
    while await newest(page).get_by_role("button").count() < 11:  # the 1–5 questions
        await answer(page, "4 · Satisfied")
    await answer(page, "9")
    await say(page, "Fast delivery")
    await expect(newest(page)).to_contain_text("Thank you!")
    assert await live_sets(page) == 0
    # A reload draws the same: no stale Back/Skip come back with the history.
    await page.reload()
    await expect(newest(page)).to_contain_text("Thank you!")
    assert await live_sets(page) == 0
    await context.close()


async def test_links_and_whole_commands_in_arabic(polling: BotRunner, browser: Browser) -> None:
    url = await start(polling, PRIVACY_NOTICE_URL="https://shop.example/privacy")
    context = await browser.new_context(locale="ar")
    page = await context.new_page()
    await page.goto(url)
    consent = newest(page)
    link = consent.locator("a[href='https://shop.example/privacy']")
    await expect(link).to_have_text("https://shop.example/privacy")
    await expect(link).to_have_attribute("rel", "noopener noreferrer")
    await expect(consent.locator("bdi", has_text="/stop")).to_have_attribute("dir", "ltr")
    # Only http(s) addresses become links: nothing the bot writes turns into javascript: or data:.
    hrefs = await page.locator("#log a").evaluate_all("links => links.map(a => a.protocol)")
    assert hrefs and set(hrefs) <= {"https:", "http:"}
    await context.close()


async def test_the_text_box_takes_what_the_server_accepts(polling: BotRunner, browser: Browser) -> None:
    url = await start(polling, WEBCHAT_MAX_CHARS=100)
    context = await browser.new_context(locale="en-US")
    page = await context.new_page()
    await page.goto(url)
    await expect(newest(page)).to_contain_text("Do you agree to take part?")
    await expect(page.locator("#text")).to_have_attribute("maxlength", "100")
    await page.locator("#text").focus()
    await page.keyboard.insert_text("x" * 150)
    assert len(await page.locator("#text").input_value()) == 100
    await context.close()


async def test_one_start_and_no_missing_icon(polling: BotRunner, browser: Browser) -> None:
    url = await start(polling)
    context = await browser.new_context(locale="en-US")
    page = await context.new_page()
    sent: list[str] = []
    missing: list[str] = []
    page.on("websocket", lambda socket: socket.on("framesent", lambda payload: sent.append(str(payload))))

    def record(response: Response) -> None:
        if response.status >= 400:
            missing.append(response.url)

    page.on("response", record)
    await page.goto(url)
    await expect(newest(page)).to_contain_text("Do you agree to take part?")
    assert sum('"/start"' in frame for frame in sent) == 1, sent
    icon = await page.request.get(url.removesuffix("/chat") + "/favicon.ico")
    assert icon.ok and icon.headers["content-type"].startswith("image/svg+xml")
    assert missing == []
    await context.close()


async def test_the_chat_works_when_storage_is_blocked(polling: BotRunner, browser: Browser) -> None:
    url = await start(polling)
    context = await browser.new_context(locale="en-US")
    await context.add_init_script(BLOCK_STORAGE)
    page = await context.new_page()
    await page.goto(url)
    await expect(newest(page)).to_contain_text("Do you agree to take part?")
    await answer(page, "Agree")
    # A dropped connection comes back to the same conversation: the token was kept in memory.
    await page.evaluate("window.feedbackBotChat.reconnect()")
    await answer(page, "4 · Satisfied")
    await expect(page.locator("#log li.out").first).to_contain_text("✓ Agree")
    await context.close()


async def box(page: Page, selector: str) -> dict[str, float]:
    found = await page.locator(selector).bounding_box()
    assert found is not None, selector
    return {"left": found["x"], "right": found["x"] + found["width"]}


async def test_the_whole_frame_in_arabic_mirrored(polling: BotRunner, browser: Browser) -> None:
    url = await start(polling)
    context = await browser.new_context(locale="ar", viewport={"width": 390, "height": 844})
    page = await context.new_page()
    await page.goto(url)
    await expect(newest(page)).to_contain_text("هل توافق على المشاركة؟")
    await expect(page.locator("html")).to_have_attribute("lang", "ar")
    await expect(page.locator("html")).to_have_attribute("dir", "rtl")
    await expect(page.locator("#text")).to_have_attribute("placeholder", "اكتب رسالة…")
    await expect(page.locator("#send")).to_have_text("إرسال")
    await expect(page.locator("#chat-title")).to_have_text("Acme Shop")  # COMPANY_NAME of the harness
    await expect(page.get_by_label("رسالتك")).to_be_visible()
    assert await page.title() == "Acme Shop · الآراء"
    assert await page.evaluate("getComputedStyle(document.body).direction") == "rtl"
    # Mirrored: the bot speaks from the right, Send sits left of the text box, the title on the right.
    log, bot = await box(page, "#log"), await box(page, "#log li.out .bubble >> nth=0")
    assert log["right"] - bot["right"] < 30 < bot["left"] - log["left"]
    assert (await box(page, "#send"))["right"] <= (await box(page, "#text"))["left"]
    assert (await box(page, "#chat-title"))["left"] > (await box(page, "#language"))["right"]
    # The customer's Arabic words: their own bubble is right-to-left, on the left side.
    await say(page, "التوصيل كان سريعًا")
    mine = page.locator("#log li.in .bubble").last
    assert await mine.evaluate("e => getComputedStyle(e).direction") == "rtl"
    assert (await box(page, "#log li.in .bubble >> nth=-1"))["left"] - log["left"] < 30
    # Choosing English turns the whole frame around.
    await page.locator("#language").select_option("en")
    await expect(page.locator("html")).to_have_attribute("dir", "ltr")
    await expect(page.locator("#text")).to_have_attribute("placeholder", "Type a message…")
    await expect(newest(page)).to_contain_text("Do you agree to take part?")
    await context.close()


async def test_times_and_a_typing_indicator_while_the_bot_works(polling: BotRunner, browser: Browser) -> None:
    url = await start(polling)
    context = await browser.new_context(locale="en-US")
    page = await context.new_page()
    await page.goto(url)
    await expect(newest(page)).to_contain_text("Do you agree to take part?")
    # Every time the indicator appears is recorded, however short the bot's work is.
    await page.evaluate(
        """() => { window.typingSeen = 0; const t = document.getElementById('typing');
        new MutationObserver(() => { if (!t.hidden) window.typingSeen++; })
          .observe(t, {attributes: true, attributeFilter: ['hidden']}); }"""
    )
    await answer(page, "Agree")
    assert await page.evaluate("window.typingSeen") >= 1
    await expect(page.locator("#typing")).to_be_hidden()  # the answer came: it is gone
    stamps = await page.locator("#log li time").evaluate_all("ts => ts.map(t => t.dateTime)")
    assert len(stamps) == await page.locator("#log li").count()
    assert all(stamp.endswith("+00:00") or stamp.endswith("Z") for stamp in stamps), stamps
    await expect(page.locator("#log li time").first).to_have_text(re.compile(r"^\d{1,2}:\d{2}( [AP]M)?$"))
    await context.close()


async def test_the_shop_logo_and_name_in_the_header(polling: BotRunner, browser: Browser) -> None:
    url = await start(polling, WEBCHAT_LOGO_URL="/chat/assets/icon.svg")
    context = await browser.new_context(locale="de-DE")
    page = await context.new_page()
    await page.goto(url)
    await expect(page.locator("#chat-title")).to_have_text("Acme Shop")
    logo = page.locator("#logo")
    await expect(logo).to_be_visible()
    assert await logo.evaluate("img => img.complete && img.naturalWidth > 0")  # loaded, CSP allowing it
    assert await logo.get_attribute("alt") == ""  # decorative: the name beside it says who it is
    await context.close()
