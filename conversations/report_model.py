"""What a report says: plain, de-identified figures; every group below the minimum size is suppressed."""

from __future__ import annotations

from dataclasses import dataclass, field
from datetime import date


@dataclass(frozen=True, slots=True)
class Score:
    """1–5 answers of one dimension (or of all of them): how many, mean, and CSAT (share of 4–5)."""

    answers: int
    mean: float | None
    csat: float | None


@dataclass(frozen=True, slots=True)
class Nps:
    answers: int
    promoters: int
    passives: int
    detractors: int

    @property
    def score(self) -> float | None:
        """Promoters (9–10) minus detractors (0–6), in percentage points."""
        if self.answers == 0:
            return None
        return 100.0 * (self.promoters - self.detractors) / self.answers


@dataclass(frozen=True, slots=True)
class Group:
    """One value of a breakdown (a country, a language…); figures are None when suppressed."""

    key: str
    respondents: int
    suppressed: bool
    overall: Score | None
    nps: Nps | None
    dimensions: dict[str, Score] = field(default_factory=dict)


@dataclass(frozen=True, slots=True)
class TrendPoint:
    period: str  # "2026-W47" or "2026-11"
    start: date
    respondents: int
    csat: float | None
    nps: float | None
    changed: bool = False
    """CSAT differs from the previous period by more than noise (two-proportion z-test, p < 0.05)."""
    p_value: float | None = None


@dataclass(frozen=True, slots=True)
class Funnel:
    invited: int
    started: int
    consented: int
    completed: int
    stopped_at: dict[str, int] = field(default_factory=dict)
    """Question id → responses that ended there unfinished (drop-off)."""


@dataclass(frozen=True, slots=True)
class Exclusions:
    """Completed or abandoned responses left out of the figures, by reason."""

    duplicate: int = 0
    incomplete: int = 0
    speeder: int = 0
    straight_lining: int = 0

    @property
    def total(self) -> int:
        return self.duplicate + self.incomplete + self.speeder + self.straight_lining


@dataclass(frozen=True, slots=True)
class Rate:
    """`hits` out of `total`; None when there is nothing to divide or the group is too small to show."""

    hits: int
    total: int
    suppressed: bool = False

    @property
    def share(self) -> float | None:
        return None if self.suppressed or self.total == 0 else self.hits / self.total


@dataclass(frozen=True, slots=True)
class ComplaintFigures:
    total: int
    by_category: dict[str, int | None]  # None: fewer than the minimum, suppressed
    by_urgency: dict[str, int | None]
    by_team: dict[str, int | None]
    first_contact_on_time: Rate
    resolution_on_time: Rate
    median_first_contact_hours: float | None
    median_resolution_hours: float | None
    proposals_accepted: Rate
    followup_coverage: Rate
    post_complaint: Score
    feedback_split: dict[str, int | None]  # complaint / suggestion / praise


@dataclass(frozen=True, slots=True)
class ActionStatus:
    """An improvement action and, once finished, its dimension's figures before and after."""

    action_id: str
    target: str  # "dimension:delivery_speed" or "category:logistics"
    team: str
    owner: str
    due: date
    status: str  # open | done
    overdue: bool
    before: Score | None = None
    after: Score | None = None


@dataclass(frozen=True, slots=True)
class Report:
    start: date
    end: date  # inclusive
    questionnaire: str | None  # None: every questionnaire
    by: str | None  # country | language | channel | segment | version
    min_group: int
    respondents: int  # kept responses (after exclusions)
    exclusions: Exclusions
    overall: Group
    groups: list[Group]
    trend: list[TrendPoint]
    trend_unit: str  # week | month
    funnel: Funnel
    complaints: ComplaintFigures
    actions: list[ActionStatus]
    significance_test: str = "two-proportion z-test on CSAT between consecutive periods, p < 0.05"
    # Customers per language the shop has no catalog for (demand for one); None: fewer than min_group.
    unserved_languages: dict[str, int | None] = field(default_factory=dict)
