"""A questionnaire's working copy as stored (collection `questionnaire_drafts`): its review status and
the typed document readers get."""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass
from datetime import datetime
from enum import StrEnum
from typing import Any


class DraftStatus(StrEnum):
    """draft → submitted → approved → published; closed stops new customers from starting it."""

    DRAFT = "draft"
    SUBMITTED = "submitted"
    APPROVED = "approved"
    PUBLISHED = "published"
    CLOSED = "closed"


@dataclass(frozen=True, slots=True)
class QuestionnaireDraft:
    """The definition being edited (parsed by the admin commands, which refuse one that no longer
    parses) and where it is in review; `version` counts writes, so concurrent edits cannot overwrite."""

    id: str
    definition: dict[str, Any]
    status: DraftStatus
    version: int
    author: str | None = None
    edited_by: tuple[str, ...] = ()
    machine_translated: tuple[str, ...] = ()
    """Languages drafted by machine translation and not yet read by an admin."""
    updated_at: datetime | None = None
    submitted_by: str | None = None
    approved_by: str | None = None
    rejected_because: str | None = None
    rejected_by: str | None = None
    published_version: int | None = None

    @property
    def closed(self) -> bool:
        return self.status is DraftStatus.CLOSED

    @classmethod
    def from_document(cls, doc: Mapping[str, Any]) -> QuestionnaireDraft:
        published = doc.get("published_version")
        return cls(
            id=str(doc["_id"]),
            definition=dict(doc["definition"]),
            status=DraftStatus(doc["status"]),
            version=int(doc["version"]),
            author=_text(doc.get("author")),
            edited_by=tuple(str(who) for who in doc.get("edited_by") or ()),
            machine_translated=tuple(str(code) for code in doc.get("machine_translated") or ()),
            updated_at=doc["updated_at"] if isinstance(doc.get("updated_at"), datetime) else None,
            submitted_by=_text(doc.get("submitted_by")),
            approved_by=_text(doc.get("approved_by")),
            rejected_because=_text(doc.get("rejected_because")),
            rejected_by=_text(doc.get("rejected_by")),
            published_version=published if isinstance(published, int) else None,
        )

    def to_document(self) -> dict[str, Any]:
        doc: dict[str, Any] = {
            "_id": self.id,
            "definition": self.definition,
            "status": self.status.value,
            "author": self.author,
            "edited_by": list(self.edited_by),
            "machine_translated": list(self.machine_translated),
            "version": self.version,
            "updated_at": self.updated_at,
        }
        # Written by later review steps: absent until then, as stored.
        later = {
            "submitted_by": self.submitted_by,
            "approved_by": self.approved_by,
            "rejected_because": self.rejected_because,
            "rejected_by": self.rejected_by,
            "published_version": self.published_version,
        }
        return doc | {name: value for name, value in later.items() if value is not None}


def _text(value: object) -> str | None:
    return None if value is None else str(value)
