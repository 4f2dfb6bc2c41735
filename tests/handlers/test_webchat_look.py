"""Screenshots of the web chat and the widget: phone and desktop, English and Arabic.

Each is checked to be a real rendering of the screen it names, then saved to test-artifacts/.
"""

from __future__ import annotations

from playwright.async_api import Browser, expect

from tests.handlers.telegram_harness import BotRunner
from tests.handlers.test_webchat import start
from tests.handlers.test_webchat_browser import browser, newest, pytestmark, shot
from tests.handlers.test_webchat_widget import shop_site

__all__ = ["browser", "pytestmark"]
SIZES = {"phone": {"width": 390, "height": 844}, "desktop": {"width": 1280, "height": 800}}


async def test_screenshots_phone_and_desktop_english_and_arabic(polling: BotRunner, browser: Browser) -> None:
    url = await start(polling)
    for language in ("en", "ar"):
        for size, viewport in SIZES.items():
            context = await browser.new_context(locale=language, viewport=viewport)  # type: ignore[arg-type]
            page = await context.new_page()
            await page.goto(url)
            await expect(newest(page).get_by_role("button").first).to_be_visible()
            await expect(page.locator("html")).to_have_attribute("lang", language)
            await shot(page, f"webchat-{language}-{size}-consent.png")
            await newest(page).get_by_role("button").first.click()  # Agree
            await expect(newest(page).get_by_role("button").nth(4)).to_be_visible()
            await shot(page, f"webchat-{language}-{size}-question.png")
            await context.close()


async def test_screenshots_of_the_open_widget(polling: BotRunner, browser: Browser) -> None:
    script: list[str] = []
    async with shop_site(script) as shop_url:
        url = await start(polling, WEBCHAT_ALLOWED_ORIGINS=[shop_url])
        script.append(url + "/widget.js")
        for language in ("en", "ar"):
            for size, viewport in SIZES.items():
                context = await browser.new_context(locale=language, viewport=viewport)  # type: ignore[arg-type]
                page = await context.new_page()
                await page.goto(shop_url + "/")
                await page.locator("#feedback-bot-launcher").click()
                chat = page.frame_locator("#feedback-bot-frame")
                await expect(chat.locator("#log li.out").last.get_by_role("button").first).to_be_visible()
                await expect(chat.locator("#close")).to_be_visible()
                await shot(page, f"widget-{language}-{size}.png")
                await context.close()
