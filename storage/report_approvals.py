"""Reports awaiting management's decision: their suggested actions, where they were posted, the decision.

One document per posted report (`_id`: the report job's id). Decisions are versioned updates from one
status to the next, and remember the Slack request that made them, so a replayed request is
recognised and changes nothing.
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass
from datetime import datetime
from enum import StrEnum
from typing import Any

from pymongo.errors import DuplicateKeyError

from storage.types import Database


class ApprovalStatus(StrEnum):
    PENDING = "pending"
    CHANGES_REQUESTED = "changes_requested"
    APPROVED = "approved"


@dataclass(frozen=True, slots=True)
class PostedMessage:
    """Where the report was posted for the decision (a Slack channel and timestamp)."""

    channel: str
    ts: str


@dataclass(frozen=True, slots=True)
class ReportApproval:
    """A posted report awaiting (or past) management's decision. `suggestions` are the suggested
    actions as stored (read by `conversations.reports.approval.suggestion_from`); `requests` are the
    Slack requests that decided, so a replayed one changes nothing."""

    id: str
    status: ApprovalStatus
    version: int
    questionnaire: str = ""
    start: str = ""
    end: str = ""
    suggestions: tuple[Mapping[str, Any], ...] = ()
    requests: tuple[str, ...] = ()
    created_at: datetime | None = None
    message: PostedMessage | None = None
    approved_by: str | None = None
    approved_at: datetime | None = None

    @classmethod
    def from_document(cls, doc: Mapping[str, Any]) -> ReportApproval:
        message = doc.get("message")
        return cls(
            id=str(doc["_id"]),
            status=ApprovalStatus(doc["status"]),
            version=int(doc["version"]),
            questionnaire=str(doc.get("questionnaire") or ""),
            start=str(doc.get("start") or ""),
            end=str(doc.get("end") or ""),
            suggestions=tuple(item for item in doc.get("suggestions") or () if isinstance(item, Mapping)),
            requests=tuple(str(request) for request in doc.get("requests") or ()),
            created_at=_moment(doc.get("created_at")),
            message=(
                PostedMessage(str(message["channel"]), str(message["ts"]))
                if isinstance(message, Mapping) and message
                else None
            ),
            approved_by=None if doc.get("approved_by") is None else str(doc["approved_by"]),
            approved_at=_moment(doc.get("approved_at")),
        )


def _moment(value: object) -> datetime | None:
    return value if isinstance(value, datetime) else None


class ReportApprovals:
    def __init__(self, db: Database) -> None:
        self._docs = db["report_approvals"]

    async def open(
        self,
        *,
        report_id: str,
        start: str,
        end: str,
        questionnaire: str,
        suggestions: list[dict[str, Any]],
        at: datetime,
    ) -> bool:
        """Record a report to decide on; False when it exists already (a retried posting job)."""
        try:
            await self._docs.insert_one(
                {
                    "_id": report_id,
                    "start": start,
                    "end": end,
                    "questionnaire": questionnaire,
                    "suggestions": suggestions,
                    "status": ApprovalStatus.PENDING,
                    "version": 0,
                    "created_at": at,
                    "message": None,
                    "requests": [],
                    "changes": [],
                }
            )
        except DuplicateKeyError:
            return False
        return True

    async def get(self, *, report_id: str) -> ReportApproval | None:
        doc = await self._docs.find_one({"_id": report_id})
        return None if doc is None else ReportApproval.from_document(doc)

    async def posted(self, *, report_id: str, channel: str, ts: str) -> None:
        await self._docs.update_one({"_id": report_id}, {"$set": {"message": {"channel": channel, "ts": ts}}})

    async def decide(
        self,
        *,
        report_id: str,
        version: int,
        changes: dict[str, Any],
        request: str,
        note: dict[str, Any] | None,
    ) -> bool:
        """Apply `changes` if the document is still at `version`; the request is remembered."""
        update: dict[str, Any] = {"$set": changes, "$inc": {"version": 1}, "$push": {"requests": request}}
        if note is not None:
            update["$push"] = {"requests": request, "changes": note}
        result = await self._docs.update_one({"_id": report_id, "version": version}, update)
        return result.modified_count == 1
