"""Key drivers: the Shapley arithmetic by hand, and sums built by the counters' own increments."""

from __future__ import annotations

from typing import Any

import pytest

from conversations.reports import rollups
from conversations.reports.drivers import (
    MIN_CORRELATION,
    Method,
    Quadrant,
    analyse,
    shapley_minimum,
    shapley_shares,
    sums_from_counts,
)
from tests.default_questionnaire import DEFAULT, RATED
from tests.responses import completed

# RATED's dimensions, in order: product ×2, logistics ×2, after_sales, usability, payment, communication.
DIMENSION_OF = {q.id: q.dimension for q in DEFAULT.questions}


def test_shapley_of_two_correlated_predictors_by_hand() -> None:
    # r12 = 0.5, r1y = 0.6, r2y = 0.3. R²(1) = 0.36, R²(2) = 0.09,
    # R²(1,2) = (0.36 + 0.09 − 2·0.6·0.3·0.5)/(1 − 0.25) = 0.27/0.75 = 0.36.
    # Shapley 1 = ½(0.36 − 0) + ½(0.36 − 0.09) = 0.315; 2 = ½(0.09 − 0) + ½(0.36 − 0.36) = 0.045.
    values, r_squared = shapley_shares([[1.0, 0.5], [0.5, 1.0]], [0.6, 0.3])
    assert r_squared == pytest.approx(0.36)
    assert values == [pytest.approx(0.315), pytest.approx(0.045)]


def answers(scores: dict[str, int], recommend: int) -> dict[str, Any]:
    stored: dict[str, Any] = {qid: {"value": scores[DIMENSION_OF[qid]], "skipped": False} for qid in RATED}
    stored["recommend"] = {"value": recommend, "skipped": False}
    return stored


def counts_for(n: int) -> dict[str, float]:
    """`n` respondents whose recommendation is twice their logistics score; the other dimensions
    cycle with periods that share no factor, so they vary independently of it."""
    parts = []
    for i in range(n):
        scores = {
            "product": 1 + i % 5,
            "logistics": 1 + (i * 3) % 5 if i % 2 else 1 + i % 4,
            "after_sales": 1 + i % 3,
            "usability": 1 + i % 7 % 5,
            "payment": 5 - i % 2,
            "communication": 2 + i % 4 % 3,
        }
        parts.append(
            {
                ("d", "q", "all", "all"): rollups.driver_increments(
                    completed(answers(scores, 2 * scores["logistics"])), DEFAULT
                )
            }
        )
    merged = rollups.merge(parts)
    return {k: float(v) for k, v in merged[("d", "q", "all", "all")].items()}


def test_the_dimension_behind_the_outcome_is_the_top_driver() -> None:
    analysis = analyse("default", sums_from_counts(counts_for(shapley_minimum(6))))
    assert analysis.method is Method.SHAPLEY and analysis.respondents == 60
    assert analysis.r_squared == pytest.approx(1.0)  # the outcome is exactly 2 × logistics
    top = analysis.drivers[0]
    assert top.dimension == "logistics" and top.correlation == pytest.approx(1.0)
    assert sum(d.importance for d in analysis.drivers) == pytest.approx(1.0)
    assert top.importance > 0.5  # more than the five others together
    # Performance = each dimension's mean over the 60: product 1 + i % 5 → 3.0, after_sales
    # 1 + i % 3 → 2.0, payment 5, 4, 5, 4 … → 4.5, logistics 2.5; the line is their average, 2.886.
    by_name = {d.dimension: d for d in analysis.drivers}
    assert (by_name["product"].performance, by_name["after_sales"].performance) == (3.0, 2.0)
    assert by_name["payment"].performance == 4.5 and top.performance == 2.5
    # Important (≥ an even share, 1/6) and below the line: fix first. Payment: small share, above it.
    assert top.quadrant is Quadrant.FIX_FIRST and by_name["payment"].quadrant is Quadrant.OVER_SERVED
    assert by_name["after_sales"].quadrant is Quadrant.SECONDARY
    assert [d.dimension for d in analysis.fix_first] == ["logistics"]


def test_thin_data_falls_back_to_correlation_then_to_not_enough() -> None:
    thin = analyse("default", sums_from_counts(counts_for(MIN_CORRELATION)))
    assert thin.method is Method.CORRELATION and thin.r_squared is None
    assert thin.drivers[0].dimension == "logistics"
    too_few = analyse("default", sums_from_counts(counts_for(MIN_CORRELATION - 1)))
    assert too_few.method is Method.NOT_ENOUGH and too_few.drivers == []


def test_only_complete_cases_add_to_the_sums() -> None:
    scores = dict.fromkeys(
        ("product", "logistics", "after_sales", "usability", "payment", "communication"), 4
    )
    whole = answers(scores, 9)
    assert rollups.driver_increments(completed(whole), DEFAULT)["drivers.n"] == 1
    whole["after_sales"]["skipped"] = True
    assert rollups.driver_increments(completed(whole), DEFAULT) == {}
    no_outcome = answers(scores, 9)
    del no_outcome["recommend"]
    assert rollups.driver_increments(completed(no_outcome), DEFAULT) == {}
