"""`feedback-bot export responses`: stored responses as JSON lines or CSV, without contact data."""

from __future__ import annotations

import csv
import json
from datetime import datetime
from typing import Any, TextIO

from storage.store import Store

FIELDS = (
    "response_id",
    "customer_id",
    "questionnaire_id",
    "questionnaire_version",
    "channel",
    "language",
    "order_ref",
    "status",
    "started_at",
    "completed_at",
    "duration_seconds",
)


def _row(doc: dict[str, Any]) -> dict[str, Any]:
    row = {name: doc.get(name) for name in FIELDS[1:]}
    row["response_id"] = doc["_id"]
    for name in ("started_at", "completed_at"):
        value = row[name]
        if isinstance(value, datetime):
            row[name] = value.isoformat()
    answers = doc.get("answers") or {}
    row["answers"] = {qid: None if a.get("skipped") else a.get("value") for qid, a in answers.items()}
    return {"response_id": row.pop("response_id"), **row}


async def export_responses(store: Store, out: TextIO, *, fmt: str) -> int:
    rows = [_row(doc) async for doc in store.responses.export()]
    if fmt == "jsonl":
        for row in rows:
            out.write(json.dumps(row, ensure_ascii=False) + "\n")
        return len(rows)
    question_ids: list[str] = []
    for row in rows:
        question_ids += [qid for qid in row["answers"] if qid not in question_ids]
    writer = csv.writer(out)
    writer.writerow([*FIELDS, *question_ids])
    for row in rows:
        answers = row["answers"]
        writer.writerow(
            [_cell(row[name]) for name in FIELDS] + [_cell(answers.get(qid)) for qid in question_ids]
        )
    return len(rows)


def _cell(value: object) -> str:
    if value is None:
        return ""
    if isinstance(value, bool):
        return "yes" if value else "no"
    text = str(value)
    # Spreadsheet programs execute cells starting with these characters as formulas.
    return "'" + text if text[:1] in {"=", "+", "-", "@", "\t", "\r"} else text
