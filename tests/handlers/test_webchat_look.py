"""Screenshots of the web chat and the widget: phone and desktop, English and Arabic."""

from __future__ import annotations

from playwright.async_api import Browser, expect

from tests.handlers.telegram_harness import BotRunner
from tests.handlers.test_webchat import start
from tests.handlers.test_webchat_browser import answer, browser, newest, pytestmark, shot

__all__ = ["browser", "pytestmark"]
SIZES = {"phone": {"width": 390, "height": 844}, "desktop": {"width": 1280, "height": 800}}


async def test_screenshots_phone_and_desktop_english_and_arabic(polling: BotRunner, browser: Browser) -> None:
    url = await start(polling)
    for language, agree in (("en", "Agree"), ("ar", None)):
        for size, viewport in SIZES.items():
            context = await browser.new_context(locale=language, viewport=viewport)  # type: ignore[arg-type]
            page = await context.new_page()
            await page.goto(url)
            await expect(newest(page).get_by_role("button").first).to_be_visible()
            await shot(page, f"webchat-{language}-{size}-consent.png")
            if agree is None:
                await newest(page).get_by_role("button").first.click()
            else:
                await answer(page, agree)
            await expect(newest(page).get_by_role("button").nth(4)).to_be_visible()
            await shot(page, f"webchat-{language}-{size}-question.png")
            await context.close()
