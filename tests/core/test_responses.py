"""The typed survey response: what is stored reads back unchanged, and older documents still read."""

from __future__ import annotations

from datetime import UTC, datetime
from typing import Any

import pytest

from core.responses import (
    Answer,
    CompletedResponse,
    OrderResponse,
    Quality,
    Response,
    ResponseStatus,
    UnfinishedResponse,
)

T0 = datetime(2026, 12, 1, 12, 0, tzinfo=UTC)
T1 = datetime(2026, 12, 1, 12, 3, tzinfo=UTC)


def stored(**changes: Any) -> dict[str, Any]:
    """A completed response as the repository writes it (start, answers, completion, quality)."""
    return {
        "_id": "r1",
        "customer_id": "c1",
        "questionnaire_id": "default",
        "questionnaire_version": 2,
        "language": "es",
        "channel": "telegram",
        "order_ref": "A-1",
        "consent_version": "v3",
        "status": "complete",
        "started_at": T0,
        "answers": {
            "speed": {"value": 4, "skipped": False, "at": T0},
            "comments": {"value": "Tardó mucho", "skipped": False, "at": T1, "language": "es"},
            "payment": {"value": None, "skipped": True, "at": T1},
        },
        "answers_seq": 5,
        "completed_at": T1,
        "duration_seconds": 180.0,
        "quality": {"excluded": None},
    } | changes


def test_a_stored_response_reads_as_typed_and_writes_back_the_same_document() -> None:
    response = Response.from_document(stored())
    assert response.status is ResponseStatus.COMPLETE and response.complete and response.status.finished
    assert response.answers["comments"] == Answer("Tardó mucho", at=T1, language="es")
    assert response.answers["payment"].skipped and response.quality == Quality(excluded=None)
    assert (response.order_ref, response.duration_seconds, response.answers_seq) == ("A-1", 180.0, 5)
    assert response.to_document() == stored()


def test_a_started_response_writes_what_start_always_stored() -> None:
    response = Response(
        id="r1",
        customer_id="c1",
        questionnaire_id="default",
        questionnaire_version=1,
        status=ResponseStatus.IN_PROGRESS,
        language="en",
        channel="web",
        consent_version="v3",
        started_at=T0,
        answers_seq=0,
    )
    doc = response.to_document()
    assert list(doc) == [
        "_id", "customer_id", "questionnaire_id", "questionnaire_version", "language", "channel",
        "order_ref", "consent_version", "status", "started_at", "answers", "answers_seq",
    ]  # fmt: skip
    assert doc["order_ref"] is None and doc["answers"] == {} and doc["status"] == "in_progress"
    assert Response.from_document(doc) == response and not response.status.finished


def test_older_documents_without_the_later_fields_still_read() -> None:
    old = {
        "_id": "r0",
        "customer_id": "c0",
        "questionnaire_id": "default",
        "questionnaire_version": 1,
        "status": "abandoned",
        # Before answers were versioned, and an answer written without a time or a skip flag.
        "answers": {"speed": {"value": 2}, "broken": None},
    }
    response = Response.from_document(old)
    assert response.status is ResponseStatus.ABANDONED and response.status.finished and not response.complete
    assert (response.language, response.channel, response.started_at, response.answers_seq) == (
        None,
        None,
        None,
        None,
    )
    assert response.answers == {"speed": Answer(2), "broken": Answer()}
    assert response.quality is None and response.duration_seconds is None and response.completed_at is None


def test_quality_present_but_null_counts_as_checked() -> None:
    assert Response.from_document(stored(quality=None)).quality == Quality(excluded=None)
    assert Response.from_document(stored(quality={"excluded": "speeder"})).quality == Quality("speeder")
    without = stored()
    del without["quality"]
    assert Response.from_document(without).quality is None


def test_an_unknown_status_is_refused() -> None:
    with pytest.raises(ValueError):
        Response.from_document(stored(status="finished"))


def test_the_projections_read_what_their_queries_fetch() -> None:
    fetched = {
        k: v for k, v in stored().items() if k in {"_id", "customer_id", "answers", "quality", "completed_at"}
    }
    completed = CompletedResponse.from_document(fetched)
    # A missing version reads as 1, as the readers always did.
    assert completed.questionnaire_version == 1 and completed.completed_at == T1 and not completed.excluded
    assert CompletedResponse.from_document(fetched | {"quality": {"excluded": "duplicate"}}).excluded
    assert UnfinishedResponse.from_document({"_id": "r1", "questionnaire_id": "q"}) == UnfinishedResponse(
        "r1", "q"
    )
    assert OrderResponse.from_document(
        {"_id": "r1", "order_ref": "A-1", "status": "complete"}
    ) == OrderResponse("A-1", ResponseStatus.COMPLETE)
