"""The widget on a shop's page of another origin, in Chromium: closing it, and a shop not allowed."""

from __future__ import annotations

import logging
from collections.abc import AsyncIterator
from contextlib import asynccontextmanager

import pytest
from aiohttp import web
from playwright.async_api import Browser, Page, expect

from tests.handlers.telegram_harness import BotRunner
from tests.handlers.test_webchat import start
from tests.handlers.test_webchat_browser import browser, pytestmark

__all__ = ["browser", "pytestmark"]


@asynccontextmanager
async def shop_site(bot_script: list[str]) -> AsyncIterator[str]:
    """A shop's page on its own port embedding the widget from `bot_script[0]` (filled in later)."""

    async def home(request: web.Request) -> web.Response:
        html = (
            '<!doctype html><html lang="en"><head><title>Acme Shop</title></head><body>'
            "<main><h1>Acme Shop</h1></main>"
            f'<script src="{bot_script[0]}" async></script></body></html>'
        )
        return web.Response(text=html, content_type="text/html")

    shop = web.Application()
    shop.router.add_get("/", home)
    runner = web.AppRunner(shop, access_log=None)
    await runner.setup()
    await web.TCPSite(runner, "127.0.0.1", 0).start()
    try:
        yield f"http://127.0.0.1:{runner.addresses[0][1]}"
    finally:
        await runner.cleanup()


async def open_widget(page: Page, shop_url: str) -> None:
    await page.goto(shop_url + "/")
    await page.get_by_role("button", name="Feedback").click()


async def test_the_close_button_and_escape_inside_the_frame(polling: BotRunner, browser: Browser) -> None:
    script: list[str] = []
    async with shop_site(script) as shop_url:
        url = await start(polling, WEBCHAT_ALLOWED_ORIGINS=[shop_url])
        script.append(url + "/widget.js")
        context = await browser.new_context(locale="en-US")
        page = await context.new_page()
        await open_widget(page, shop_url)
        chat = page.frame_locator("#feedback-bot-frame")
        launcher, panel = page.locator("#feedback-bot-launcher"), page.locator("#feedback-bot-frame")
        await expect(chat.locator("#log li.out").last).to_contain_text("Do you agree to take part?")
        await chat.get_by_role("button", name="Close the chat").click()
        await expect(panel).to_be_hidden()
        await expect(launcher).to_have_attribute("aria-expanded", "false")
        await expect(launcher).to_be_focused()
        # Again, and Escape while typing in the chat's text box closes it too.
        await launcher.click()
        await expect(panel).to_be_visible()
        await chat.locator("#text").click()
        await page.keyboard.press("Escape")
        await expect(panel).to_be_hidden()
        await expect(launcher).to_be_focused()
        await context.close()


async def test_a_shop_that_is_not_allowed_gets_a_readable_note(
    polling: BotRunner, browser: Browser, caplog: pytest.LogCaptureFixture
) -> None:
    script: list[str] = []
    async with shop_site(script) as shop_url:
        url = await start(polling)  # the shop's origin is not in WEBCHAT_ALLOWED_ORIGINS
        script.append(url + "/widget.js")
        context = await browser.new_context(locale="es-ES")
        page = await context.new_page()
        with caplog.at_level(logging.WARNING, logger="handlers.webchat"):
            await open_widget(page, shop_url)
            note = page.get_by_role("alert")
            await expect(note).to_have_text("Este chat no se puede abrir en este sitio.")
            await page.get_by_role("button", name="Feedback").click()  # closed
            await page.get_by_role("button", name="Feedback").click()  # and opened again
            await expect(note).to_be_visible()
        lines = [r for r in caplog.records if "WEBCHAT_ALLOWED_ORIGINS" in r.getMessage()]
        assert len(lines) == 1 and shop_url not in lines[0].getMessage()
        assert page.frames == [page.main_frame]  # no frame that the browser would refuse to show
        await context.close()
