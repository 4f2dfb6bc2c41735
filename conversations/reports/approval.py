"""Management's decision on a posted report: approve (its suggested actions become improvement tasks)
or request changes (with a reason). Only approvers decide; a replayed request changes nothing."""

from __future__ import annotations

import dataclasses
import re
from collections.abc import Callable, Mapping
from dataclasses import dataclass
from datetime import UTC, date, datetime
from typing import Any, Self

from conversations.reports.improvement_tasks import create_tasks
from conversations.reports.suggested_actions import SuggestedAction, Target
from storage.report_approvals import ApprovalStatus, ReportApproval
from storage.store import Store

_REPORT_ID = re.compile(r"^report\.(weekly|monthly):\d{4}-\d{2}-\d{2}$")
MAX_REASON = 2000
ATTEMPTS = 5  # versioned decisions lost to a concurrent one are retried on the fresh document


class Refused(Exception):
    """A decision that cannot be made as asked (the text says why, for the person who asked)."""


@dataclass(frozen=True, slots=True)
class ReportButton:
    """The value of a report's Approve / Request changes buttons (and of the reason modal)."""

    report_id: str

    def pack(self) -> str:
        return self.report_id

    @classmethod
    def unpack(cls, value: object) -> Self | None:
        return cls(value) if isinstance(value, str) and _REPORT_ID.match(value) else None


@dataclass(frozen=True, slots=True)
class Decision:
    note: str  # what to tell the channel (or, when nothing changed, the person who pressed)
    changed: bool  # False: a replay, or decided already
    tasks: tuple[str, ...] = ()


def suggestion_doc(action: SuggestedAction) -> dict[str, Any]:
    return {
        "team": action.team,
        "requirement": action.requirement,
        "dimension": action.dimension,
        "deadline": action.deadline.isoformat(),
        "target": {
            "dimension": action.target.dimension,
            "csat": action.target.csat,
            "by": action.target.by.isoformat(),
        },
    }


def suggestion_from(doc: Mapping[str, Any]) -> SuggestedAction:
    target = doc["target"]
    return SuggestedAction(
        team=str(doc["team"]),
        requirement=str(doc["requirement"]),
        dimension=str(doc["dimension"]),
        deadline=date.fromisoformat(str(doc["deadline"])),
        target=Target(str(target["dimension"]), float(target["csat"]), date.fromisoformat(str(target["by"]))),
    )


class ReportApprovals:
    def __init__(
        self,
        *,
        store: Store,
        approvers: frozenset[str],
        clock: Callable[[], datetime] = lambda: datetime.now(UTC),
    ) -> None:
        self._store = store
        self._approvers = approvers
        self._clock = clock

    def may_decide(self, user: str) -> bool:
        return user in self._approvers

    async def refused(self, user: str, action: str, target: str | None, why: str) -> None:
        """Audited in aggregate (one entry per person, action and hour), so a flood buries nothing."""
        detail = f"{target}: {why}" if target else why
        await self._store.audit.add_refusals(
            actor=f"slack:{user}", action=action, detail=detail, count=1, at=self._clock()
        )

    async def approve(self, button: ReportButton, *, user: str, request: str | None) -> Decision:
        for _ in range(ATTEMPTS):
            approval = await self._load(button)
            approved = approval.status is ApprovalStatus.APPROVED
            if approved or (request is not None and request in approval.requests):
                # Decided already (or this very request): make sure its tasks exist, change nothing else.
                tasks = (
                    await self._tasks(approval, by=approval.approved_by or f"slack:{user}")
                    if approved
                    else []
                )
                return Decision(
                    f"Already approved by {approval.approved_by or 'an approver'}.", False, tuple(tasks)
                )
            now = self._clock()
            if await self._store.approvals.decide(
                report_id=button.report_id,
                version=approval.version,
                changes={
                    "status": ApprovalStatus.APPROVED,
                    "approved_by": f"slack:{user}",
                    "approved_at": now,
                },
                request=request or f"approve:{now.isoformat()}",
                note=None,
            ):
                tasks = await self._tasks(dataclasses.replace(approval, approved_at=now), by=f"slack:{user}")
                await self._store.audit.add(
                    actor=f"slack:{user}",
                    action="report.approve",
                    target=button.report_id,
                    outcome="done",
                    detail=f"{len(tasks)} improvement task(s): {', '.join(tasks)}",
                )
                listed = ", ".join(tasks) if tasks else "no actions were suggested"
                return Decision(f"✅ Approved by <@{user}>. Improvement tasks: {listed}.", True, tuple(tasks))
        raise Refused("The report changed while you decided; try again.")

    async def request_changes(
        self, button: ReportButton, *, user: str, reason: str, request: str | None
    ) -> Decision:
        reason = reason.strip()
        if not reason:
            raise Refused("Say what should change.")
        if len(reason) > MAX_REASON:
            raise Refused(f"Keep the reason under {MAX_REASON} characters.")
        for _ in range(ATTEMPTS):
            approval = await self._load(button)
            if request is not None and request in approval.requests:
                return Decision("Your request was recorded already.", False)
            if approval.status is ApprovalStatus.APPROVED:
                raise Refused(f"This report was approved already by {approval.approved_by}.")
            now = self._clock()
            if await self._store.approvals.decide(
                report_id=button.report_id,
                version=approval.version,
                changes={"status": ApprovalStatus.CHANGES_REQUESTED},
                request=request or f"changes:{now.isoformat()}",
                note={"by": f"slack:{user}", "at": now, "reason": reason},
            ):
                await self._store.audit.add(
                    actor=f"slack:{user}",
                    action="report.request_changes",
                    target=button.report_id,
                    outcome="done",
                    detail="reason recorded with the report",
                )
                return Decision(f"✏️ Changes requested by <@{user}>:\n>{reason}", True)
        raise Refused("The report changed while you decided; try again.")

    async def _load(self, button: ReportButton) -> ReportApproval:
        approval = await self._store.approvals.get(report_id=button.report_id)
        if approval is None:
            raise Refused("This report is not awaiting a decision (unknown report).")
        return approval

    async def _tasks(self, approval: ReportApproval, *, by: str) -> list[str]:
        at = approval.approved_at or self._clock()
        return await create_tasks(
            self._store,
            report_id=approval.id,
            suggestions=[suggestion_from(item) for item in approval.suggestions],
            questionnaire=approval.questionnaire,
            by=by,
            at=at if at.tzinfo else at.replace(tzinfo=UTC),
        )
