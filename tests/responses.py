"""Completed responses to the default questionnaire, built as the repository reads them."""

from __future__ import annotations

from collections.abc import Mapping
from typing import Any

from core.responses import Response
from tests.default_questionnaire import DEFAULT


def completed(answers: Mapping[str, Mapping[str, Any]], *, duration_seconds: float | None = None) -> Response:
    """`answers` as stored (question id → {"value", "skipped"}); the ids tests do not need are fixed."""
    doc: dict[str, Any] = {
        "_id": "r1",
        "customer_id": "c1",
        "questionnaire_id": DEFAULT.id,
        "questionnaire_version": DEFAULT.version,
        "status": "complete",
        "answers": answers,
    }
    if duration_seconds is not None:
        doc["duration_seconds"] = duration_seconds
    return Response.from_document(doc)
