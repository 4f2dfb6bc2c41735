"""Complaint figures, improvement actions and the data-quality rules, with hand-computed expectations."""

from __future__ import annotations

from datetime import UTC, date, datetime, timedelta
from typing import Any

import pytest

from conversations.reports.figures import ReportRequest, build_report
from conversations.reports.quality import QualityRules, exclusion_reason
from core.questionnaire import BUILTIN_DIR, load_file
from core.responses import Response
from storage.store import Store
from tests.default_questionnaire import RATED
from tests.responses import completed

START = datetime(2026, 10, 1, 9, 0, tzinfo=UTC)
NOW = datetime(2026, 10, 31, 20, 0, tzinfo=UTC)
H = timedelta(hours=1)


async def ticket(store: Store, tid: str, *, created: datetime = START, **fields: Any) -> None:
    doc = {
        "_id": tid,
        "source": tid,
        "category": "logistics",
        "team": "logistics",
        "urgent": False,
        "status": "open",
        "created_at": created,
        "deadlines": {"first_contact": created + 48 * H, "resolution": created + 72 * H},
        "met": {},
        "history": [],
        "customer_id": "someone",
        "description": "words that a report must never show",
    } | fields
    await store.tickets._docs.insert_one(doc)


def accepted(*rejected: bool) -> list[dict[str, str]]:
    return [{"action": "rejected the resolution"} for _ in rejected] + [{"action": "accepted the resolution"}]


async def test_complaint_figures(store: Store) -> None:
    closed: dict[str, Any] = {"status": "closed", "closed_at": START + 30 * H}

    def met(first: int, resolution: int | None = None) -> dict[str, datetime]:
        hours = {"first_contact": first} | ({"resolution": resolution} if resolution else {})
        return {kind: START + n * H for kind, n in hours.items()}

    followed = {"sent_at": NOW}
    await ticket(
        store,
        "T1",
        urgent=True,
        met=met(10, 30),
        history=accepted(),
        followup=followed | {"rating": 4},
        **closed,
    )
    await ticket(
        store, "T2", met=met(60, 80), history=accepted(True), followup=followed | {"rating": 2}, **closed
    )
    await ticket(store, "T3", category="product", team="product", status="in_progress", met=met(5))
    await ticket(store, "T4", category="product", team="product")
    await ticket(store, "T5", met=met(1, 2), history=accepted(), **closed)
    await ticket(store, "T6", created=NOW - H)  # deadlines still ahead: decided neither way
    for n, kind in enumerate(["suggestion", "suggestion", "suggestion", "praise"]):
        await store.feedback.add(
            feedback_id=f"f{n}", customer_id="x", kind=kind, text="t", language="en", channel="telegram",
            received_at=START, classified_at=START,
        )  # fmt: skip
    request = ReportRequest(date(2026, 10, 1), date(2026, 10, 31), min_group=2)
    c = (await build_report(store, request, now=NOW)).complaints
    assert c.total == 6
    assert c.by_category == {"logistics": 4, "product": 2}
    assert c.by_urgency == {"normal": 5, "urgent": None}  # one urgent ticket: below the minimum of 2
    # First contact: T1, T3, T5 in time; T2 late; T4 never (deadline passed); T6 undecided → 3/5.
    assert (c.first_contact_on_time.hits, c.first_contact_on_time.total) == (3, 5)
    # Wilson for 3 of 5: centre (0.6 + 3.8415/10)/(1 + 3.8415/5) = 0.5566, half 1.96/1.7683 ·
    # √(0.24/5 + 3.8415/100) = 0.3258 → 0.2307 … 0.8824.
    ci = c.first_contact_on_time.share_ci
    assert ci is not None and (ci.low, ci.high) == pytest.approx((0.2307, 0.8824), abs=1e-4)
    assert c.median_first_contact_hours == pytest.approx(7.5)  # of 1, 5, 10, 60
    # Resolution: T1, T5 in time; T2 late; T3, T4 past the deadline unresolved → 2/5; median of 2, 30, 80.
    assert (c.resolution_on_time.hits, c.resolution_on_time.total) == (2, 5)
    assert c.median_resolution_hours == pytest.approx(30)
    assert (c.proposals_accepted.hits, c.proposals_accepted.total) == (3, 4)
    assert (c.followup_coverage.hits, c.followup_coverage.total) == (2, 3)  # T5 closed, never followed up
    assert (c.post_complaint.answers, c.post_complaint.mean, c.post_complaint.csat) == (2, 3.0, 0.5)
    assert c.post_complaint.respondents == 2 and c.post_complaint.csat_ci is not None  # one rating each
    assert c.feedback_split == {"complaint": 6, "praise": None, "suggestion": 3}

    default = (
        await build_report(store, ReportRequest(date(2026, 10, 1), date(2026, 10, 31)), now=NOW)
    ).complaints
    assert default.first_contact_on_time.share is not None  # five decided: shown at the default minimum
    assert default.proposals_accepted.share is None and default.post_complaint.mean is None
    assert default.by_category == {"logistics": None, "product": None}


async def test_improvement_actions_open_overdue_and_before_after(store: Store) -> None:
    from conversations.reports import rollups

    # Delivery scored 2 in the four weeks before the action and 4 after it was finished.
    for day, value in ((date(2026, 9, 20), 2), (date(2026, 10, 20), 4)):
        counters: dict[str, int | float] = {
            "kept": 5,
            "dims.logistics.n": 5,
            "dims.logistics.sum": 5 * value,
            "dims.logistics.top2": 0,
        }
        if value == 4:
            counters["dims.logistics.top2"] = 5
        await store.rollups.add(rollups.keyed(day, "default", rollups.Facets(), counters))
    await store.improvements.add(
        action_id="A1", target="dimension:logistics", team="logistics", owner="Ana", due=date(2026, 10, 15),
        by="admin", at=datetime(2026, 10, 1, tzinfo=UTC),
    )  # fmt: skip
    await store.improvements.finish(action_id="A1", at=datetime(2026, 10, 10, tzinfo=UTC))
    await store.improvements.add(
        action_id="A2", target="category:product", team="product", owner="Ben", due=date(2026, 10, 20),
        by="admin", at=datetime(2026, 10, 2, tzinfo=UTC),
    )  # fmt: skip
    report = await build_report(store, ReportRequest(date(2026, 10, 1), date(2026, 10, 31)), now=NOW)
    done, still_open = report.actions
    assert (done.status, done.overdue, still_open.status, still_open.overdue) == ("done", False, "open", True)
    assert done.before is not None and done.after is not None
    assert (done.before.mean, done.before.csat, done.after.mean, done.after.csat) == (2.0, 0.0, 4.0, 1.0)


def response(ratings: list[int], seconds: float, *, skipped: tuple[str, ...] = ()) -> Response:
    answers = {q: {"value": v, "skipped": q in skipped} for q, v in zip(RATED, ratings, strict=False)}
    return completed(answers, duration_seconds=seconds)


def test_each_quality_rule() -> None:
    questionnaire = load_file(BUILTIN_DIR / "default.yaml")
    rules = QualityRules()
    varied = [5, 4, 3, 4, 5, 4, 3, 4]  # 8 ratings: 80 s of questions
    assert exclusion_reason(response(varied, 60), questionnaire, duplicate=True, rules=rules) == "duplicate"
    assert exclusion_reason(response(varied, 23.9), questionnaire, duplicate=False, rules=rules) == "speeder"
    assert exclusion_reason(response(varied, 24), questionnaire, duplicate=False, rules=rules) is None
    same = [5] * 8
    assert (
        exclusion_reason(response(same, 47), questionnaire, duplicate=False, rules=rules) == "straight_lining"
    )
    assert exclusion_reason(response(same, 48), questionnaire, duplicate=False, rules=rules) is None
    # Five identical answers (three skipped): too few to call it straight-lining; skips cost no time.
    five = response(same, 25, skipped=("after_sales", "ease_of_use", "payment_security"))
    assert exclusion_reason(five, questionnaire, duplicate=False, rules=rules) is None
    assert exclusion_reason(completed({}), questionnaire, duplicate=False, rules=rules) is None
