"""`export responses --clean`: only counted responses, pseudonyms that change per export, text redacted."""

from __future__ import annotations

import csv
import io
import json
from datetime import UTC, datetime
from typing import Any

from bot.export import export_responses
from storage.store import Store
from storage.types import Database

AT = datetime(2026, 11, 20, 15, 30, tzinfo=UTC)


async def response(
    store: Store, rid: str, *, excluded: str | None, comment: str, assessed: bool = True
) -> None:
    doc: dict[str, Any] = {
        "_id": rid,
        "customer_id": "customer-secret-id",
        "questionnaire_id": "default",
        "questionnaire_version": 1,
        "language": "es",
        "channel": "whatsapp",
        "order_ref": "ES-20261120-55",
        "status": "complete",
        "started_at": AT,
        "completed_at": AT,
        "duration_seconds": 212.4,
        "answers": {
            "product_quality": {"value": 4, "skipped": False},
            "after_sales": {"value": None, "skipped": True},
            "comments": {"value": comment, "skipped": False},
        },
    }
    if assessed:
        doc["quality"] = {"excluded": excluded}
    await store.responses._docs.insert_one(doc)


async def test_clean_export_is_de_identified(db: Database) -> None:
    store = await Store.open(db)
    await response(store, "kept", excluded=None, comment="Llámenme al +34 600 111 222 o a ana@example.com")
    await response(store, "fast", excluded="speeder", comment="x")
    await response(store, "new", excluded=None, comment="y", assessed=False)  # not assessed yet
    out = io.StringIO()
    assert await export_responses(store, out, fmt="jsonl", clean=True) == 1
    (row,) = [json.loads(line) for line in out.getvalue().splitlines()]
    assert set(row) == {
        "respondent",
        "questionnaire_id",
        "questionnaire_version",
        "channel",
        "language",
        "completed_on",
        "duration_seconds",
        "answers",
    }
    assert row["completed_on"] == "2026-11-20" and row["duration_seconds"] == 212
    assert row["answers"]["product_quality"] == 4 and row["answers"]["after_sales"] is None
    comment = row["answers"]["comments"]
    assert "600 111 222" not in comment and "ana@example.com" not in comment
    assert "[phone]" in comment and "[email]" in comment
    everything = out.getvalue()
    assert "customer-secret-id" not in everything and "ES-20261120-55" not in everything
    assert len(row["respondent"]) == 12

    again = io.StringIO()
    await export_responses(store, again, fmt="csv", clean=True)
    (header, line) = list(csv.reader(io.StringIO(again.getvalue())))
    assert header[:2] == ["respondent", "questionnaire_id"] and "comments" in header
    assert line[0] != row["respondent"]  # a new pseudonym in every export
