"""The web chat audited by axe-core in Chromium: every screen, English and Arabic, 0 violations.

axe-core comes from node_modules (package-lock.json pins it; `./dev.sh setup` runs `npm ci`), so
nothing is downloaded while the tests run.
"""

from __future__ import annotations

import json
from pathlib import Path
from typing import Any

import pytest
from aiohttp import web
from playwright.async_api import Browser, Frame, Page, expect

from tests.handlers.telegram_harness import BotRunner
from tests.handlers.test_webchat import start
from tests.handlers.test_webchat_browser import browser, newest
from tests.handlers.test_webchat_browser import pytestmark as needs_chromium

__all__ = ["browser"]
AXE = Path(__file__).resolve().parents[2] / "node_modules" / "axe-core" / "axe.min.js"
pytestmark = [
    needs_chromium,
    pytest.mark.skipif(not AXE.is_file(), reason="axe-core not installed: run ./dev.sh setup (needs npm)"),
]


async def audit(target: Page | Frame, screen: str) -> list[str]:
    """axe's violations of every impact on this screen, one readable line each."""
    if not await target.evaluate("typeof window.axe !== 'undefined'"):
        await target.add_script_tag(path=str(AXE))
    result: dict[str, Any] = await target.evaluate(
        "axe.run(document, {resultTypes: ['violations']}).then(r => JSON.parse(JSON.stringify(r)))"
    )
    return [
        f"{screen}: {v['id']} ({v['impact']}) {json.dumps([n['target'] for n in v['nodes']])[:300]}"
        for v in result["violations"]
    ]


def contrast(first: str, second: str) -> float:
    """WCAG contrast ratio of two computed CSS colours ("rgb(r, g, b)")."""

    def luminance(colour: str) -> float:
        channels = [int(part) / 255 for part in colour[colour.index("(") + 1 : -1].split(",")[:3]]
        linear = [c / 12.92 if c <= 0.04045 else ((c + 0.055) / 1.055) ** 2.4 for c in channels]
        return 0.2126 * linear[0] + 0.7152 * linear[1] + 0.0722 * linear[2]

    light, dark = sorted((luminance(first), luminance(second)), reverse=True)
    return (light + 0.05) / (dark + 0.05)


async def ring_contrast(page: Page, selector: str, around: str) -> float:
    """Contrast of the focus ring of `selector` (focused by keyboard) against the `around` background."""
    await page.locator(selector).focus()
    ring = await page.locator(selector).evaluate("e => getComputedStyle(e).outlineColor")
    background = await page.locator(around).evaluate("e => getComputedStyle(e).backgroundColor")
    return contrast(ring, background)


async def buttons(page: Page) -> int:
    return await newest(page).get_by_role("button").count()


async def click_newest(page: Page, index: int) -> None:
    before = await page.locator("#log li.out").count()
    await newest(page).get_by_role("button").nth(index).click()
    await expect(page.locator("#log li.out")).to_have_count(before + 1)


async def say(page: Page, text: str) -> None:
    before = await page.locator("#log li.out").count()
    await page.locator("#text").fill(text)
    await page.locator("#text").press("Enter")
    await expect(page.locator("#log li.out")).to_have_count(before + 1)


@pytest.mark.parametrize("language", ["en", "ar"])
async def test_every_screen_has_no_axe_violations(
    polling: BotRunner, browser: Browser, language: str
) -> None:
    url = await start(polling)
    context = await browser.new_context(
        locale=language, viewport={"width": 390, "height": 844}, bypass_csp=True  # axe is injected inline
    )
    page = await context.new_page()
    await page.goto(url)
    await expect(newest(page).get_by_role("button").first).to_be_visible()
    found = await audit(page, "consent")
    # The focus ring stands out 3:1 from the page, the composer and the header bar it sits on.
    assert await ring_contrast(page, "#text", ".composer") >= 3
    assert await ring_contrast(page, "#log", "body") >= 3
    assert await ring_contrast(page, "#language", ".bar") >= 3
    await click_newest(page, 0)  # Agree
    found += await audit(page, "question")
    while await buttons(page) < 11:  # the 1–5 questions (with Back, Skip)
        await page.locator("#log li.out").last.get_by_role("button").nth(3).hover()  # a hovered choice
        await click_newest(page, 3)
        found += await audit(page, "0-10")
    await click_newest(page, 9)
    found += await audit(page, "free text")
    await page.locator("#text").focus()  # the focus ring is part of what is checked
    await say(page, "Fast delivery, thank you")
    found += await audit(page, "thanks")
    await say(page, "/mydata")
    found += await audit(page, "/mydata")
    await context.close()
    assert found == [], "\n".join(found)


async def test_the_open_widget_has_no_axe_violations(polling: BotRunner, browser: Browser) -> None:
    shop = web.Application()
    runner = web.AppRunner(shop, access_log=None)
    bot_origin: list[str] = []

    async def home(request: web.Request) -> web.Response:
        html = (
            '<!doctype html><html lang="en"><head><title>Acme Shop</title></head><body>'
            "<main><h1>Acme Shop</h1></main>"
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
        context = await browser.new_context(locale="en-US", bypass_csp=True)
        page = await context.new_page()
        await page.goto(shop_url + "/")
        await page.locator("#feedback-bot-launcher").click()
        chat = page.frame_locator("#feedback-bot-frame")
        await expect(chat.locator("#log li.out").last.get_by_role("button").first).to_be_visible()
        frame = page.frame(url=url)
        assert frame is not None
        found = await audit(page, "shop page with the widget open") + await audit(frame, "widget frame")
        await context.close()
        assert found == [], "\n".join(found)
    finally:
        await runner.cleanup()
