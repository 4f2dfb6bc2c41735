"""Interval and test arithmetic against figures worked out by hand or printed in statistics tables."""

from __future__ import annotations

import math

import pytest

from conversations.reports.stats import (
    Ratio,
    holm,
    mean_interval,
    nps_interval,
    share_interval,
    t_quantile,
    t_two_sided_p,
    welch_p,
    wilson,
)


def test_wilson_matches_the_textbook_interval() -> None:
    # 8 of 10: centre (0.8 + 3.8415/20)/(1 + 0.38415) = 0.7167, half 1.96/1.38415·√(0.016 + 0.0096) = 0.2266.
    found = wilson(8, 10)
    assert found is not None
    assert (found.low, found.high) == pytest.approx((0.4902, 0.9433), abs=1e-4)
    assert wilson(0, 0) is None


def test_t_distribution_matches_the_tables() -> None:
    assert t_quantile(5) == pytest.approx(2.5706, abs=1e-4)
    assert t_quantile(10) == pytest.approx(2.2281, abs=1e-4)
    assert t_quantile(1000) == pytest.approx(1.9623, abs=1e-4)
    assert t_two_sided_p(2.2281, 10) == pytest.approx(0.05, abs=1e-4)
    assert t_two_sided_p(0.0, 3) == pytest.approx(1.0)


def single_answers(values: list[int]) -> Ratio:
    """Respondents who each gave one answer: a = 1, so a² = 1 and v·a = v."""
    return Ratio(len(values), len(values), sum(values), len(values), sum(v * v for v in values), sum(values))


def test_one_answer_each_reduces_to_wilson_and_the_t_interval() -> None:
    tops = single_answers([1, 1, 1, 0, 0])  # 3 of 5 satisfied
    found_share, expected = share_interval(tops), wilson(3, 5)
    assert found_share is not None and expected is not None
    assert (found_share.low, found_share.high) == pytest.approx((expected.low, expected.high))
    scores = single_answers([2, 4, 4, 5, 5])  # mean 4, s² = (4 + 0 + 0 + 1 + 1)/4 = 1.5
    found = mean_interval(scores)
    half = 2.7764 * math.sqrt(1.5 / 5)  # t(4) = 2.7764
    assert found is not None
    assert (found.low, found.high) == pytest.approx((4 - half, 4 + half), abs=1e-3)


def test_welch_matches_a_hand_computation() -> None:
    # A: 1, 2, 3, 4, 5 (mean 3, s² 2.5); B: 4, 5, 5, 5, 6, 5 (mean 5, s² 0.4).
    # v = 2.5/5 + 0.4/6 = 0.5667, t = 2/0.7528 = 2.6568,
    # df = 0.5667² / ((0.5)²/4 + (0.0667)²/5) = 0.32111/(0.0625 + 0.000889) = 5.066.
    found = welch_p(single_answers([1, 2, 3, 4, 5]), single_answers([4, 5, 5, 5, 6, 5]))
    assert found == pytest.approx(t_two_sided_p(2.6568, 5.066), rel=1e-3)
    assert found is not None and 0.04 < found < 0.05


def test_holm_adjusts_in_order_and_keeps_gaps() -> None:
    # Sorted 0.01, 0.03, 0.04: × 3 = 0.03, × 2 = 0.06, × 1 = 0.04 → raised to 0.06 (monotone).
    assert holm([0.01, 0.04, None, 0.03]) == [
        pytest.approx(0.03),
        pytest.approx(0.06),
        None,
        pytest.approx(0.06),
    ]
    assert holm([0.9, 0.8]) == [1.0, 1.0]


def test_nps_interval() -> None:
    # 50 promoters, 20 detractors of 100: NPS 30, var = (0.7 − 0.09)/100, half 1.96·0.0781 = 0.1531.
    found = nps_interval(50, 20, 100)
    assert found is not None
    assert (found.low, found.high) == pytest.approx((14.69, 45.31), abs=0.01)
