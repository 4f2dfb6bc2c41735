"""`feedback-bot export responses`: stored responses as JSON lines or CSV, without contact data.

`--clean` gives the analysis view: only responses the reports count, under a pseudonym that changes
with every export, with the day instead of the time, no order numbers and free text redacted.
"""

from __future__ import annotations

import csv
import hashlib
import json
import secrets
from datetime import datetime
from typing import Any, TextIO

from conversations.reports.deidentify import redact
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


CLEAN_FIELDS = ("respondent", "questionnaire_id", "questionnaire_version", "channel", "language",
                "completed_on", "duration_seconds")  # fmt: skip


def _clean_row(doc: dict[str, Any], salt: bytes) -> dict[str, Any]:
    """No ids that lead back to a customer, no order, the day only, free text redacted."""
    answers = doc.get("answers") or {}
    completed = doc.get("completed_at")
    return {
        # A fresh salt per export: one export's rows cannot be joined with another's or with the data.
        "respondent": hashlib.sha256(salt + str(doc.get("customer_id")).encode()).hexdigest()[:12],
        "questionnaire_id": doc.get("questionnaire_id"),
        "questionnaire_version": doc.get("questionnaire_version"),
        "channel": doc.get("channel"),
        "language": doc.get("language"),
        "completed_on": completed.date().isoformat() if isinstance(completed, datetime) else None,
        "duration_seconds": round(float(doc.get("duration_seconds") or 0)),
        "answers": {
            qid: None if a.get("skipped") else redact(v) if isinstance(v := a.get("value"), str) else v
            for qid, a in answers.items()
        },
    }


async def export_responses(store: Store, out: TextIO, *, fmt: str, clean: bool = False) -> int:
    """Every stored response, or with `clean` the analysis view: counted responses only, de-identified."""
    if clean:
        salt = secrets.token_bytes(16)
        rows = [
            _clean_row(doc, salt)
            async for doc in store.responses.export(status="complete")
            if "quality" in doc and (doc.get("quality") or {}).get("excluded") is None
        ]
        fields: tuple[str, ...] = CLEAN_FIELDS
    else:
        # In-progress answers live in the conversation until the survey ends.
        docs = await store.conversations.with_answers_so_far([doc async for doc in store.responses.export()])
        rows = [_row(doc) for doc in docs]
        fields = FIELDS
    if fmt == "jsonl":
        for row in rows:
            out.write(json.dumps(row, ensure_ascii=False) + "\n")
        return len(rows)
    question_ids: list[str] = []
    for row in rows:
        question_ids += [qid for qid in row["answers"] if qid not in question_ids]
    writer = csv.writer(out)
    writer.writerow([*fields, *question_ids])
    for row in rows:
        answers = row["answers"]
        writer.writerow(
            [_cell(row[name]) for name in fields] + [_cell(answers.get(qid)) for qid in question_ids]
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
