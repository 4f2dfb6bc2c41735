"""The typed working copy of a questionnaire: read back unchanged, older documents still read."""

from __future__ import annotations

from datetime import UTC, datetime
from typing import Any

import pytest

from core.questionnaire_drafts import DraftStatus, QuestionnaireDraft

T0 = datetime(2026, 12, 1, 12, 0, tzinfo=UTC)
DEFINITION = {"id": "pulse", "version": 1, "languages": ["en"], "title": {"en": "Pulse"}, "questions": []}


def created() -> dict[str, Any]:
    """What `QuestionnaireDrafts.create` has always stored."""
    return {
        "_id": "pulse",
        "definition": DEFINITION,
        "status": "draft",
        "author": "telegram:1",
        "edited_by": ["telegram:1"],
        "machine_translated": ["de"],
        "version": 1,
        "updated_at": T0,
    }


def test_a_created_working_copy_reads_as_typed_and_writes_back_the_same_document() -> None:
    draft = QuestionnaireDraft.from_document(created())
    assert draft.status is DraftStatus.DRAFT and not draft.closed
    assert (draft.edited_by, draft.machine_translated, draft.version) == (("telegram:1",), ("de",), 1)
    assert draft.to_document() == created() and list(draft.to_document()) == list(created())


def test_review_fields_round_trip() -> None:
    reviewed = created() | {
        "status": "published",
        "submitted_by": "telegram:1",
        "approved_by": "slack:U2",
        "rejected_because": "typo",
        "rejected_by": "slack:U2",
        "published_version": 3,
        "version": 6,
    }
    draft = QuestionnaireDraft.from_document(reviewed)
    assert draft.status is DraftStatus.PUBLISHED and draft.published_version == 3
    assert (draft.submitted_by, draft.approved_by, draft.rejected_because) == (
        "telegram:1",
        "slack:U2",
        "typo",
    )
    assert draft.to_document() == reviewed


def test_an_older_document_without_the_lists_still_reads() -> None:
    old = {"_id": "pulse", "definition": DEFINITION, "status": "closed", "version": 2}
    draft = QuestionnaireDraft.from_document(old)
    assert draft.closed and draft.edited_by == () and draft.machine_translated == ()
    assert draft.author is None and draft.updated_at is None and draft.submitted_by is None


def test_an_unknown_status_is_refused() -> None:
    with pytest.raises(ValueError):
        QuestionnaireDraft.from_document(created() | {"status": "live"})
