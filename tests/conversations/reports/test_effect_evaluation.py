"""The effect evaluation's statistics against published figures, and its reading of responses."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta

import pytest

from conversations.reports.effect_evaluation import Share, Verdict, judge, newcombe, satisfied_share, wilson
from storage.store import Store
from storage.types import Database
from tests.default_questionnaire import DEFAULT


def test_wilson_interval_matches_newcombe_1998() -> None:
    # Newcombe (1998), "Two-sided confidence intervals for the single proportion", example 81/263.
    low, high = wilson(81, 263) or (0.0, 0.0)
    assert (round(low, 4), round(high, 4)) == (0.2553, 0.3662)
    assert wilson(0, 0) is None


def test_newcombe_difference_matches_the_published_example() -> None:
    # Newcombe (1998), "Interval estimation for the difference between independent proportions",
    # method 10, example (a): 56/70 − 48/80 = 0.2000, 95 % CI 0.0524 to 0.3339.
    low, high = newcombe(Share(48, 80), Share(56, 70)) or (0.0, 0.0)
    assert (round(low, 4), round(high, 4)) == (0.0524, 0.3339)


@pytest.mark.parametrize(
    ("after", "verdict"),
    [
        (Share(54, 60), Verdict.MET),  # Wilson 0.80–0.95, wholly above 0.5
        (Share(12, 60), Verdict.NOT_MET),  # 0.12–0.32, wholly below
        (Share(30, 60), Verdict.NOT_ENOUGH_DATA),  # 0.38–0.62 straddles 0.5
        (Share(29, 29), Verdict.NOT_ENOUGH_DATA),  # fewer than 30 respondents
    ],
)
def test_verdict_reads_the_after_interval_against_the_target(after: Share, verdict: Verdict) -> None:
    result = judge(Share(10, 40), after, target=0.5, dimension="logistics", min_respondents=30)
    assert result.verdict is verdict


def test_change_is_not_tested_when_a_window_is_small() -> None:
    result = judge(Share(3, 10), Share(54, 60), target=0.5, dimension="logistics", min_respondents=30)
    assert result.verdict is Verdict.MET
    assert result.difference is None and result.p_value is None and result.difference_interval is None


async def test_respondents_count_once_and_excluded_or_skipped_answers_do_not(
    store: Store, db: Database
) -> None:
    start = datetime(2027, 1, 1, tzinfo=UTC)

    def response(rid: str, customer: str, answers: dict[str, object], **extra: object) -> dict[str, object]:
        return {
            "_id": rid,
            "customer_id": customer,
            "questionnaire_id": "default",
            "questionnaire_version": DEFAULT.version,
            "status": "complete",
            "completed_at": start + timedelta(days=1, minutes=len(rid)),
            "answers": answers,
            "quality": {"excluded": None},
        } | extra

    docs = [
        # Customer a: unhappy first, happy in the later response; the later counts.
        response("a1", "a", {"delivery_speed": {"value": 1}, "parcel_condition": {"value": 1}}),
        response("a22", "a", {"delivery_speed": {"value": 5}, "parcel_condition": {"value": 3}}),
        # b: mean 3.5, not satisfied; the skipped 5 is not an answer.
        response(
            "b1",
            "b",
            {
                "delivery_speed": {"value": 3},
                "parcel_condition": {"value": 4},
                "product_quality": {"value": 5},
                "x": {"value": 5, "skipped": True},
            },
        ),
        # c: a speeder, left out; d: no logistics answer; e: outside the window.
        response("c1", "c", {"delivery_speed": {"value": 5}}, quality={"excluded": "speeder"}),
        response("d1", "d", {"product_quality": {"value": 5}}),
        response("e1", "e", {"delivery_speed": {"value": 5}}, completed_at=start - timedelta(seconds=1)),
    ]
    await db["responses"].insert_many(docs)
    share = await satisfied_share(
        store, questionnaire_id="default", dimension="logistics", start=start, end=start + timedelta(days=28)
    )
    assert share == Share(satisfied=1, respondents=2)
