"""Reports awaiting a decision read back typed: status, version, where they were posted, who decided."""

from __future__ import annotations

from datetime import UTC, datetime

from storage.report_approvals import ApprovalStatus, PostedMessage, ReportApproval
from storage.store import Store
from storage.types import Database

T0 = datetime(2026, 12, 1, 12, 0, tzinfo=UTC)
SUGGESTION = {
    "team": "logistics",
    "requirement": "Faster",
    "dimension": "logistics",
    "deadline": "2026-12-31",
}


async def test_an_opened_report_reads_back_and_its_decision_with_it(db: Database) -> None:
    store = await Store.open(db)
    assert await store.approvals.open(
        report_id="report.weekly:2026-11-30",
        start="2026-11-23",
        end="2026-11-29",
        questionnaire="default",
        suggestions=[SUGGESTION],
        at=T0,
    )
    opened = await store.approvals.get(report_id="report.weekly:2026-11-30")
    assert opened is not None and opened.status is ApprovalStatus.PENDING and opened.version == 0
    assert opened.suggestions == (SUGGESTION,) and opened.message is None and opened.requests == ()
    await store.approvals.posted(report_id=opened.id, channel="C-REPORTS", ts="1.2")
    changes = {"status": ApprovalStatus.APPROVED, "approved_by": "slack:U1", "approved_at": T0}
    assert await store.approvals.decide(
        report_id=opened.id, version=0, changes=changes, request="r1", note=None
    )
    decided = await store.approvals.get(report_id=opened.id)
    assert decided is not None and decided.message == PostedMessage("C-REPORTS", "1.2")
    assert (decided.status, decided.version, decided.requests) == (ApprovalStatus.APPROVED, 1, ("r1",))
    assert (decided.approved_by, decided.approved_at) == ("slack:U1", T0)


def test_a_document_without_the_optional_fields_still_reads() -> None:
    approval = ReportApproval.from_document(
        {"_id": "report.weekly:2026-11-30", "status": "pending", "version": 3}
    )
    assert approval.suggestions == () and approval.questionnaire == "" and approval.approved_at is None
