"""Reports awaiting management's decision: their suggested actions, where they were posted, the decision.

One document per posted report (`_id`: the report job's id). Decisions are versioned updates from one
status to the next, and remember the Slack request that made them, so a replayed request is
recognised and changes nothing.
"""

from __future__ import annotations

from datetime import datetime
from typing import Any

from pymongo.errors import DuplicateKeyError

from storage.types import Database, Document


class ApprovalStatus:
    PENDING = "pending"
    CHANGES_REQUESTED = "changes_requested"
    APPROVED = "approved"


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

    async def get(self, *, report_id: str) -> Document | None:
        return await self._docs.find_one({"_id": report_id})

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
