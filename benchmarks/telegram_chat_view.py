"""What one customer's Telegram chat looks like after the survey, as an HTML page (and a screenshot).

    python -m benchmarks.telegram_chat_view [--answered-question edit|new|separate] [--out PATH.html]
        [--screenshot PATH.png]

One scripted customer (the load benchmark's: /start, Agree, 4 on every rating, 9 on the 0-10 scale,
a typed comment) takes the default survey through the real bot and the fake Bot API, with the given
`TELEGRAM_ANSWERED_QUESTION`. The page shows the chat as the fake holds it at the end: the bot's
messages in their final state (after edits) with their inline keyboards, and the customer's typed
messages, in message-id order as Telegram shows them (button taps are not messages). With
`--screenshot`, headless Chromium (`/usr/bin/chromium`) takes a picture of the page.
"""

from __future__ import annotations

import argparse
import asyncio
import html
import subprocess
import sys
import tempfile
from pathlib import Path

from benchmarks.telegram_load import (
    FIRST_CHAT_ID,
    OUTPUT_METHODS,
    Customer,
    Load,
    TimedTelegram,
    settings_values,
)
from bot.app import FeedbackBot
from bot.settings import load_settings

CHROMIUM = "/usr/bin/chromium"
STYLE = """
body { font: 15px/1.35 system-ui, sans-serif; background: #8fb38b; margin: 0; padding: 16px; }
h1 { font-size: 15px; margin: 0 0 12px; color: #fff; }
.msg { max-width: 78%; margin: 6px 0; padding: 8px 11px; border-radius: 12px; white-space: pre-wrap;
       box-shadow: 0 1px 1px #0002; }
.bot { background: #fff; }
.me { background: #e1fec6; margin-left: auto; }
.meta { font-size: 11px; color: #7a8a7a; text-align: right; margin-top: 3px; }
.keys { max-width: 78%; display: grid; gap: 4px; margin: -2px 0 8px; }
.row { display: flex; gap: 4px; }
.key { flex: 1; background: #0005; color: #fff; border-radius: 8px; padding: 6px; text-align: center;
       font-size: 13px; }
"""


def render(fake: TimedTelegram, chat: int, title: str) -> str:
    """The chat's final state as a page: bot messages with keyboards and the customer's messages."""
    items: list[tuple[int, str]] = []
    for message in fake.chat(chat):
        edited = f" · edited {message.edits}×" if message.edits else ""
        block = (
            f'<div class="msg bot">{html.escape(message.text)}'
            f'<div class="meta">#{message.message_id}{edited}</div></div>'
        )
        if message.buttons:
            rows = "".join(
                '<div class="row">'
                + "".join(f'<div class="key">{html.escape(label)}</div>' for label, _ in row)
                + "</div>"
                for row in message.buttons
            )
            block += f'<div class="keys">{rows}</div>'
        items.append((message.message_id, block))
    for (chat_id, message_id), incoming in fake._incoming.items():
        if chat_id == chat and "text" in incoming:
            text = html.escape(str(incoming["text"]))
            meta = f'<div class="meta">#{message_id}</div>'
            items.append((message_id, f'<div class="msg me">{text}{meta}</div>'))
    body = "\n".join(block for _, block in sorted(items))
    return (
        f'<!doctype html><html lang="en"><head><meta charset="utf-8"><title>{html.escape(title)}</title>'
        f"<style>{STYLE}</style></head><body><h1>{html.escape(title)}</h1>\n{body}\n</body></html>"
    )


async def survey_chat(answered: str) -> str:
    """Run one customer through the survey; the chat as a page."""
    with tempfile.TemporaryDirectory(prefix="feedback-chat-view-") as data_dir:
        async with TimedTelegram(limits=False) as fake:
            values = settings_values(fake, data_dir, mode="polling", pacing=True, answered=answered)
            feedback_bot = FeedbackBot(load_settings(**values))
            await feedback_bot.start()
            try:
                load = Load(fake=fake, mode="polling", webhook_url=None, think_seconds=0)
                await load.run_customer(Customer(index=0, chat_id=FIRST_CHAT_ID))
                await feedback_bot.dispatcher.wait_idle()
                if feedback_bot.telegram is not None:
                    await feedback_bot.telegram.settled()  # the tidying after the last reply
            finally:
                await feedback_bot.stop()
            calls = ", ".join(
                f"{method} {sum(c.method == method for c in fake.calls)}" for method in OUTPUT_METHODS
            )
            title = f"TELEGRAM_ANSWERED_QUESTION={answered} — Bot API calls: {calls}"
            return render(fake, FIRST_CHAT_ID, title)


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(prog="python -m benchmarks.telegram_chat_view", description=__doc__)
    parser.add_argument("--answered-question", choices=("edit", "new", "separate"), default="edit")
    parser.add_argument("--out", type=Path, default=None, help="the HTML page (default: next to the PNG)")
    parser.add_argument("--screenshot", type=Path, default=None, help="a PNG of the page (headless Chromium)")
    parser.add_argument("--height", type=int, default=2400)
    args = parser.parse_args(argv)
    page = asyncio.run(survey_chat(args.answered_question))
    out = args.out or (args.screenshot.with_suffix(".html") if args.screenshot else Path("chat.html"))
    out.parent.mkdir(parents=True, exist_ok=True)
    out.write_text(page, encoding="utf-8")
    print(f"wrote {out}")
    if args.screenshot is not None:
        args.screenshot.parent.mkdir(parents=True, exist_ok=True)
        subprocess.run(
            [
                CHROMIUM,
                "--headless",
                "--no-sandbox",
                "--hide-scrollbars",
                f"--screenshot={args.screenshot.resolve()}",
                f"--window-size=480,{args.height}",
                out.resolve().as_uri(),
            ],
            check=True,
            capture_output=True,
        )
        print(f"wrote {args.screenshot}")
    return 0


if __name__ == "__main__":
    sys.exit(main())
