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
from core.responses import Response, ResponseStatus
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


def _row(response: Response) -> dict[str, Any]:
    return {
        "response_id": response.id,
        "customer_id": response.customer_id,
        "questionnaire_id": response.questionnaire_id,
        "questionnaire_version": response.questionnaire_version,
        "channel": response.channel,
        "language": response.language,
        "order_ref": response.order_ref,
        "status": response.status.value,
        "started_at": _iso(response.started_at),
        "completed_at": _iso(response.completed_at),
        "duration_seconds": response.duration_seconds,
        "answers": {qid: None if a.skipped else a.value for qid, a in response.answers.items()},
    }


def _iso(moment: datetime | None) -> str | None:
    return None if moment is None else moment.isoformat()


CLEAN_FIELDS = ("respondent", "questionnaire_id", "questionnaire_version", "channel", "language",
                "completed_on", "duration_seconds")  # fmt: skip


def _clean_row(response: Response, salt: bytes) -> dict[str, Any]:
    """No ids that lead back to a customer, no order, the day only, free text redacted."""
    completed = response.completed_at
    return {
        # A fresh salt per export: one export's rows cannot be joined with another's or with the data.
        "respondent": hashlib.sha256(salt + response.customer_id.encode()).hexdigest()[:12],
        "questionnaire_id": response.questionnaire_id,
        "questionnaire_version": response.questionnaire_version,
        "channel": response.channel,
        "language": response.language,
        "completed_on": completed.date().isoformat() if completed is not None else None,
        "duration_seconds": round(float(response.duration_seconds or 0)),
        "answers": {
            qid: None if a.skipped else redact(v) if isinstance(v := a.value, str) else v
            for qid, a in response.answers.items()
        },
    }


async def export_responses(store: Store, out: TextIO, *, fmt: str, clean: bool = False) -> int:
    """Every stored response, or with `clean` the analysis view: counted responses only, de-identified."""
    if clean:
        salt = secrets.token_bytes(16)
        rows = [
            _clean_row(response, salt)
            async for response in store.responses.export(status=ResponseStatus.COMPLETE)
            # Only responses the quality checks let through (unchecked ones are not counted yet).
            if response.quality is not None and response.quality.excluded is None
        ]
        fields: tuple[str, ...] = CLEAN_FIELDS
    else:
        # In-progress answers live in the conversation until the survey ends.
        everything = [response async for response in store.responses.export()]
        rows = [_row(response) for response in await store.conversations.with_answers_so_far(everything)]
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
