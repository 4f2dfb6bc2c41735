"""Admins in a private Telegram chat: a questionnaire sent as a YAML file, exported as a file."""

from __future__ import annotations

import yaml

from locales.catalog import catalogs
from storage.types import Database
from tests.conversations.admin.test_commands import PULSE
from tests.handlers.telegram_harness import BotRunner, Customer

ADMIN = 901


async def upload(runner: BotRunner, chat_id: int, content: bytes, caption: str) -> None:
    update = runner.telegram.document_update(
        chat_id=chat_id, content=content, file_name="pulse.yaml", caption=caption
    )
    await runner.deliver(update)


async def test_a_yaml_file_with_the_command_as_caption_creates_a_working_copy(
    polling: BotRunner, db: Database
) -> None:
    await polling.start(ADMIN_TELEGRAM_IDS=[ADMIN])
    admin = Customer(polling, chat_id=ADMIN)
    await upload(polling, ADMIN, PULSE.encode(), "/admin new")
    assert "Working copy 'pulse' created" in admin.last.text
    stored = await db["questionnaire_drafts"].find_one({"_id": "pulse"})
    assert stored is not None and stored["author"] == f"telegram:{ADMIN}"

    await admin.say("/admin export pulse")
    exported = admin.messages[-1]
    assert exported.document is not None and not isinstance(exported.document, str)
    assert exported.document.filename == "pulse.yaml"
    assert yaml.safe_load(exported.document.data)["id"] == "pulse"
    inbox = await db["inbox"].find_one({"event.command": "admin", "event.attachment.kind": "document"})
    assert inbox is not None and "id: pulse" in inbox["event"]["text"]  # stored complete, replayable


async def test_files_from_customers_and_oversized_files_are_refused(polling: BotRunner, db: Database) -> None:
    await polling.start(ADMIN_TELEGRAM_IDS=[ADMIN])
    stranger = Customer(polling, chat_id=902)
    await upload(polling, 902, PULSE.encode(), "/admin new")
    assert "I don't know that command" in stranger.last.text
    admin = Customer(polling, chat_id=ADMIN)
    await upload(polling, ADMIN, b"#" * 300_000, "/admin new")
    assert admin.last.text == "Not done: the file is too large for a questionnaire (200 KB at most)"
    assert await db["questionnaire_drafts"].count_documents({}) == 0
    # A file without a command caption is just a file: the customer is told it is not taken here.
    await polling.deliver(
        polling.telegram.document_update(chat_id=903, content=b"hello", file_name="a.txt", caption="look")
    )
    assert Customer(polling, chat_id=903).last.text == catalogs().text("en", "unsupported.media")
