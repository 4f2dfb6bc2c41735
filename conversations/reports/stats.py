"""95 % intervals and tests with the respondent as the unit, computed from summed counters alone.

A respondent gives several 1–5 answers (eight in the default questionnaire), so their answers are
not independent draws. Every share and mean of answers is a ratio of respondents' totals (sum of
values or of 4–5 answers over number of answers), and its variance is taken over respondents
(Taylor linearisation, the usual estimator for clustered survey data). That needs, per counter,
the respondents' Σa², Σs², Σt², Σs·a and Σt·a besides the plain sums; the counters keep them. Where
every respondent answers once, these reduce exactly to the Wilson interval and Welch's t-test.
"""

from __future__ import annotations

import functools
import math
from dataclasses import dataclass

Z95 = 1.959963984540054
LEVEL = 0.95


@dataclass(frozen=True, slots=True)
class Interval:
    """A 95 % interval (same unit as the figure: a 0–1 share, a 1–5 mean, NPS points)."""

    low: float
    high: float


def wilson(hits: float, n: float, z: float = Z95) -> Interval | None:
    """Wilson score interval of a share `hits / n` (n may be an effective, fractional size)."""
    if n <= 0:
        return None
    p = hits / n
    centre = (p + z * z / (2 * n)) / (1 + z * z / n)
    half = z / (1 + z * z / n) * math.sqrt(p * (1 - p) / n + z * z / (4 * n * n))
    return Interval(max(0.0, centre - half), min(1.0, centre + half))


def _betacf(a: float, b: float, x: float) -> float:
    # Continued fraction of the incomplete beta function (modified Lentz), as in the standard texts.
    tiny, qab, qap, qam = 1e-300, a + b, a + 1, a - 1
    c, d = 1.0, 1 - qab * x / qap
    d = 1 / (d if abs(d) > tiny else tiny)
    h = d
    for m in range(1, 300):
        m2 = 2 * m
        aa = m * (b - m) * x / ((qam + m2) * (a + m2))
        d = 1 + aa * d
        d = 1 / (d if abs(d) > tiny else tiny)
        c = 1 + aa / c if abs(1 + aa / c) > tiny else tiny
        h *= d * c
        aa = -(a + m) * (qab + m) * x / ((a + m2) * (qap + m2))
        d = 1 + aa * d
        d = 1 / (d if abs(d) > tiny else tiny)
        c = 1 + aa / c if abs(1 + aa / c) > tiny else tiny
        step = d * c
        h *= step
        if abs(step - 1) < 1e-14:
            break
    return h


def _incomplete_beta(a: float, b: float, x: float) -> float:
    if x <= 0:
        return 0.0
    if x >= 1:
        return 1.0
    log_front = math.lgamma(a + b) - math.lgamma(a) - math.lgamma(b) + a * math.log(x) + b * math.log1p(-x)
    if x < (a + 1) / (a + b + 2):
        return math.exp(log_front) * _betacf(a, b, x) / a
    return 1 - math.exp(log_front) * _betacf(b, a, 1 - x) / b


def t_two_sided_p(t: float, df: float) -> float:
    """P(|T| ≥ |t|) for Student's t with `df` degrees of freedom."""
    if math.isinf(df):
        return math.erfc(abs(t) / math.sqrt(2))
    return _incomplete_beta(df / 2, 0.5, df / (df + t * t))


def t_quantile(df: float, level: float = LEVEL) -> float:
    """The two-sided critical value: P(|T| ≤ q) = level."""
    if df >= 30:
        return _t_expansion(df, level)
    return _t_bisection(round(df, 6), level)


def _t_expansion(df: float, level: float) -> float:
    # Cornish–Fisher expansion around the normal quantile (Abramowitz & Stegun 26.7.5): from 30
    # degrees of freedom on it is within 1e-6 of the exact value, with no iteration.
    z = Z95 if level == LEVEL else _normal_quantile((1 + level) / 2)
    g1 = (z**3 + z) / 4
    g2 = (5 * z**5 + 16 * z**3 + 3 * z) / 96
    g3 = (3 * z**7 + 19 * z**5 + 17 * z**3 - 15 * z) / 384
    g4 = (79 * z**9 + 776 * z**7 + 1482 * z**5 - 1920 * z**3 - 945 * z) / 92160
    return z + g1 / df + g2 / df**2 + g3 / df**3 + g4 / df**4


def _normal_quantile(p: float) -> float:
    low, high = -40.0, 40.0
    for _ in range(100):
        middle = (low + high) / 2
        low, high = (middle, high) if 0.5 * math.erfc(-middle / math.sqrt(2)) < p else (low, middle)
    return (low + high) / 2


@functools.lru_cache(maxsize=256)
def _t_bisection(df: float, level: float) -> float:
    low, high = 0.0, 1e3
    for _ in range(60):
        middle = (low + high) / 2
        if t_two_sided_p(middle, df) > 1 - level:
            low = middle
        else:
            high = middle
    return (low + high) / 2


@dataclass(frozen=True, slots=True)
class Ratio:
    """Respondents' totals behind a share or mean of answers: Σ over respondents of a (answers),
    v (their values summed, or their 4–5 answers counted), a², v², v·a."""

    respondents: int
    answers: float
    value: float
    answers_sq: float
    value_sq: float
    cross: float

    @property
    def estimate(self) -> float | None:
        return self.value / self.answers if self.answers > 0 else None

    def variance(self, *, small_sample: bool) -> float | None:
        """Linearised variance of the ratio; `small_sample` applies n/(n − 1) (for means)."""
        r = self.estimate
        n = self.respondents
        if r is None or n < 2:
            return None
        spread = self.value_sq - 2 * r * self.cross + r * r * self.answers_sq
        factor = n / (n - 1) if small_sample else 1.0
        return max(0.0, factor * spread / (self.answers * self.answers))

    def minus(self, other: Ratio) -> Ratio:
        """The respondents of `self` not in `other` (a group's complement in the whole)."""
        return Ratio(
            self.respondents - other.respondents,
            self.answers - other.answers,
            self.value - other.value,
            self.answers_sq - other.answers_sq,
            self.value_sq - other.value_sq,
            self.cross - other.cross,
        )


def share_interval(ratio: Ratio) -> Interval | None:
    """Wilson interval on the effective sample size (answers ÷ design effect)."""
    p = ratio.estimate
    if p is None or ratio.respondents == 0:
        return None
    variance = ratio.variance(small_sample=False)
    if variance is None or variance == 0 or p in (0.0, 1.0):
        # No spread to measure: every respondent alike, or one respondent; count respondents.
        n_eff = float(ratio.respondents)
    else:
        n_eff = min(ratio.answers, p * (1 - p) / variance)
    return wilson(p * n_eff, n_eff)


def mean_interval(ratio: Ratio) -> Interval | None:
    """t interval (df = respondents − 1) around the mean of answers."""
    mean, variance = ratio.estimate, ratio.variance(small_sample=True)
    if mean is None or variance is None:
        return None
    half = t_quantile(ratio.respondents - 1) * math.sqrt(variance)
    return Interval(mean - half, mean + half)


def welch_p(first: Ratio, second: Ratio) -> float | None:
    """Two-sided p of the difference between two means (Welch: unequal variances, Satterthwaite df)."""
    m1, m2 = first.estimate, second.estimate
    v1, v2 = first.variance(small_sample=True), second.variance(small_sample=True)
    if m1 is None or m2 is None or v1 is None or v2 is None:
        return None
    if v1 + v2 == 0:
        return 1.0 if m1 == m2 else 0.0
    df_parts = v1 * v1 / (first.respondents - 1) + v2 * v2 / (second.respondents - 1)
    df = (v1 + v2) ** 2 / df_parts
    return t_two_sided_p((m2 - m1) / math.sqrt(v1 + v2), df)


def share_difference_p(first: Ratio, second: Ratio) -> float | None:
    """Two-sided p of the difference between two shares, each with its respondent-level variance."""
    p1, p2 = first.estimate, second.estimate
    v1, v2 = first.variance(small_sample=False), second.variance(small_sample=False)
    if p1 is None or p2 is None or v1 is None or v2 is None:
        return None
    if v1 + v2 == 0:
        return 1.0 if p1 == p2 else 0.0
    return math.erfc(abs(p2 - p1) / math.sqrt(v1 + v2) / math.sqrt(2))


def two_proportion_p(x1: float, n1: float, x2: float, n2: float) -> float | None:
    """Two-sided p of the difference between two shares of independent units (pooled normal test)."""
    if n1 <= 0 or n2 <= 0:
        return None
    pooled = (x1 + x2) / (n1 + n2)
    spread = math.sqrt(pooled * (1 - pooled) * (1 / n1 + 1 / n2))
    if spread == 0:
        return 1.0 if x1 / n1 == x2 / n2 else 0.0
    return math.erfc(abs(x2 / n2 - x1 / n1) / spread / math.sqrt(2))


def holm(p_values: list[float | None]) -> list[float | None]:
    """Holm–Bonferroni adjusted p-values (same order; None stays None and is not counted)."""
    present = sorted((p, i) for i, p in enumerate(p_values) if p is not None)
    adjusted: list[float | None] = [None] * len(p_values)
    running = 0.0
    m = len(present)
    for rank, (p, index) in enumerate(present):
        running = max(running, min(1.0, (m - rank) * p))
        adjusted[index] = running
    return adjusted


def nps_interval(promoters: int, detractors: int, n: int) -> Interval | None:
    """Normal interval of NPS (points): var = (P + D − (P − D)²) / n for the shares P and D."""
    if n < 2:
        return None
    p, d = promoters / n, detractors / n
    half = Z95 * math.sqrt(max(0.0, p + d - (p - d) ** 2) / n)
    return Interval(100 * (p - d - half), 100 * (p - d + half))
