"""Key drivers: which dimensions move the 0–10 recommendation, from sums kept as responses finish.

Method. Each kept response that answered the recommendation and every dimension of its
questionnaire adds its dimension scores (the mean of the dimension's 1–5 answers), its outcome and
all their pairwise products to the day's counters. Summed over a period they give the correlation
matrix, and from it the R² of the regression of the outcome on any subset of dimensions. A
dimension's importance is its Shapley share of R²: its average gain in R² when added to every
subset of the others, over the full R², so the shares add up to 1 however correlated the
dimensions are (Lindeman, Merenda and Gold's decomposition). With fewer than `shapley_minimum`
complete cases (10 per dimension, at least 50) the regression is too unstable and each dimension's
squared Pearson correlation with the outcome, over their total, stands in; below `MIN_CORRELATION`
complete cases there is not enough data.
"""

from __future__ import annotations

import math
from dataclasses import dataclass, field
from enum import StrEnum

MIN_CORRELATION = 30
SHAPLEY_PER_DIMENSION = 10
SHAPLEY_FLOOR = 50
OUTCOME = "_outcome"  # rollups.DRIVER_OUTCOME: the counters' name for the 0–10 answer


def shapley_minimum(dimensions: int) -> int:
    return max(SHAPLEY_FLOOR, SHAPLEY_PER_DIMENSION * dimensions)


class Method(StrEnum):
    SHAPLEY = "Shapley decomposition of R²"
    CORRELATION = "squared correlation (too few answers for the regression)"
    NOT_ENOUGH = "not enough data"


class Quadrant(StrEnum):
    FIX_FIRST = "fix first"
    KEEP_UP = "keep up"
    SECONDARY = "secondary"
    OVER_SERVED = "over-served"


@dataclass(frozen=True, slots=True)
class Driver:
    dimension: str
    importance: float
    """Share of the explained outcome (0–1; the dimensions' shares add up to 1)."""
    correlation: float | None
    performance: float
    """The dimension's mean score (1–5) over the same respondents."""
    quadrant: Quadrant


@dataclass(frozen=True, slots=True)
class DriverAnalysis:
    questionnaire: str
    respondents: int
    """Complete cases: the outcome and every dimension answered."""
    method: Method
    minimum: int
    r_squared: float | None = None
    drivers: list[Driver] = field(default_factory=list)

    @property
    def fix_first(self) -> list[Driver]:
        return [d for d in self.drivers if d.quadrant is Quadrant.FIX_FIRST]


@dataclass(frozen=True, slots=True)
class DriverSums:
    """n, Σx per variable and Σx·y per pair (keys sorted alphabetically) over complete cases."""

    n: int
    sums: dict[str, float]
    products: dict[tuple[str, str], float]

    def covariance(self, first: str, second: str) -> float:
        a, b = sorted((first, second))
        mean_a, mean_b = self.sums[a] / self.n, self.sums[b] / self.n
        return self.products.get((a, b), 0.0) / self.n - mean_a * mean_b


def sums_from_counts(counts: dict[str, float]) -> DriverSums:
    """Read the flattened counters (`drivers.n`, `drivers.s.<v>`, `drivers.p.<v>.<w>`)."""
    sums = {k.removeprefix("drivers.s."): v for k, v in counts.items() if k.startswith("drivers.s.")}
    products: dict[tuple[str, str], float] = {}
    for key, value in counts.items():
        if key.startswith("drivers.p."):
            first, second = key.removeprefix("drivers.p.").split(".", 1)
            products[(first, second)] = value
    return DriverSums(int(counts.get("drivers.n", 0)), sums, products)


def _solve(matrix: list[list[float]], vector: list[float]) -> list[float] | None:
    """Gaussian elimination with partial pivoting; None when the system is singular."""
    size = len(vector)
    rows = [[*row, value] for row, value in zip(matrix, vector, strict=True)]
    for column in range(size):
        pivot = max(range(column, size), key=lambda r: abs(rows[r][column]))
        if abs(rows[pivot][column]) < 1e-10:
            return None
        rows[column], rows[pivot] = rows[pivot], rows[column]
        for r in range(column + 1, size):
            factor = rows[r][column] / rows[column][column]
            for c in range(column, size + 1):
                rows[r][c] -= factor * rows[column][c]
    solution = [0.0] * size
    for r in range(size - 1, -1, -1):
        tail = sum(rows[r][c] * solution[c] for c in range(r + 1, size))
        solution[r] = (rows[r][size] - tail) / rows[r][r]
    return solution


def _r_squared(corr: list[list[float]], with_outcome: list[float], members: list[int]) -> float:
    if not members:
        return 0.0
    beta = _solve([[corr[i][j] for j in members] for i in members], [with_outcome[i] for i in members])
    if beta is None:  # collinear: the subset explains no more than its best-fitting part
        return max(
            _r_squared(corr, with_outcome, members[:k] + members[k + 1 :]) for k in range(len(members))
        )
    return max(0.0, min(1.0, sum(b * with_outcome[i] for b, i in zip(beta, members, strict=True))))


def shapley_shares(corr: list[list[float]], with_outcome: list[float]) -> tuple[list[float], float]:
    """Each predictor's Shapley value of R² (they sum to the full R²), and the full R²."""
    p = len(with_outcome)
    r2 = [_r_squared(corr, with_outcome, [i for i in range(p) if mask >> i & 1]) for mask in range(1 << p)]
    values = [0.0] * p
    for j in range(p):
        for mask in range(1 << p):
            if mask >> j & 1:
                continue
            size = bin(mask).count("1")
            weight = math.factorial(size) * math.factorial(p - size - 1) / math.factorial(p)
            values[j] += weight * (r2[mask | 1 << j] - r2[mask])
    return values, r2[(1 << p) - 1]


def analyse(questionnaire: str, sums: DriverSums) -> DriverAnalysis:
    dimensions = sorted(name for name in sums.sums if name != OUTCOME)
    minimum = shapley_minimum(len(dimensions))
    if sums.n < MIN_CORRELATION or not dimensions or OUTCOME not in sums.sums:
        return DriverAnalysis(questionnaire, sums.n, Method.NOT_ENOUGH, MIN_CORRELATION)
    outcome_var = sums.covariance(OUTCOME, OUTCOME)
    spread = {d: sums.covariance(d, d) for d in dimensions}
    varying = [d for d in dimensions if spread[d] > 1e-12]
    if outcome_var <= 1e-12 or not varying:
        return DriverAnalysis(questionnaire, sums.n, Method.NOT_ENOUGH, MIN_CORRELATION)
    corr = [[sums.covariance(a, b) / math.sqrt(spread[a] * spread[b]) for b in varying] for a in varying]
    with_outcome = [sums.covariance(d, OUTCOME) / math.sqrt(spread[d] * outcome_var) for d in varying]
    r_of = dict(zip(varying, with_outcome, strict=True))
    if sums.n >= minimum:
        method = Method.SHAPLEY
        values, r_squared = shapley_shares(corr, with_outcome)
        weights: dict[str, float] = dict(zip(varying, values, strict=True))
    else:
        method, r_squared = Method.CORRELATION, None
        weights = {d: r * r for d, r in r_of.items()}
    total = sum(weights.values())
    importance = {d: (weights.get(d, 0.0) / total if total > 0 else 0.0) for d in dimensions}
    performance = {d: sums.sums[d] / sums.n for d in dimensions}
    importance_line = 1 / len(dimensions)  # an even share each
    performance_line = sum(performance.values()) / len(dimensions)
    drivers = [
        Driver(
            dimension=d,
            importance=importance[d],
            correlation=r_of.get(d),
            performance=performance[d],
            quadrant=_quadrant(importance[d] >= importance_line, performance[d] >= performance_line),
        )
        for d in dimensions
    ]
    drivers.sort(key=lambda d: (-d.importance, d.dimension))
    return DriverAnalysis(questionnaire, sums.n, method, minimum, r_squared, drivers)


def _quadrant(important: bool, performing: bool) -> Quadrant:
    if important:
        return Quadrant.KEEP_UP if performing else Quadrant.FIX_FIRST
    return Quadrant.OVER_SERVED if performing else Quadrant.SECONDARY
