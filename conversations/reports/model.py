"""What a report says: plain, de-identified figures; every group below the minimum size is suppressed."""

from __future__ import annotations

from dataclasses import dataclass, field
from datetime import date

from conversations.reports.drivers import DriverAnalysis
from conversations.reports.stats import Interval, nps_interval, wilson


@dataclass(frozen=True, slots=True)
class Score:
    """1–5 answers of one dimension (or of all of them): how many, mean, and CSAT (share of 4–5)."""

    answers: int
    mean: float | None
    csat: float | None
    respondents: int = 0
    """Respondents behind the answers: the unit of the intervals (0: counters older than them)."""
    mean_ci: Interval | None = None
    csat_ci: Interval | None = None


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

    @property
    def score_ci(self) -> Interval | None:
        return nps_interval(self.promoters, self.detractors, self.answers)

    @property
    def promoters_ci(self) -> Interval | None:
        return wilson(self.promoters, self.answers)

    @property
    def detractors_ci(self) -> Interval | None:
        return wilson(self.detractors, self.answers)


@dataclass(frozen=True, slots=True)
class Group:
    """One value of a breakdown (a country, a language…); figures are None when suppressed."""

    key: str
    respondents: int
    suppressed: bool
    overall: Score | None
    nps: Nps | None
    dimensions: dict[str, Score] = field(default_factory=dict)
    csat_p: float | None = None
    """CSAT against everyone else's, respondents as the unit, Holm-adjusted across the breakdown."""
    mean_p: float | None = None
    """The same for the mean (Welch's t-test), Holm-adjusted."""

    @property
    def differs(self) -> bool:
        return any(p is not None and p < 0.05 for p in (self.csat_p, self.mean_p))


@dataclass(frozen=True, slots=True)
class TrendPoint:
    period: str  # "2026-W47" or "2026-11"
    start: date
    respondents: int
    csat: float | None
    nps: float | None
    changed: bool = False
    """CSAT or the mean differs from the previous period by more than noise (Holm-adjusted p < 0.05)."""
    p_value: float | None = None
    """The smaller adjusted p of the CSAT and mean comparisons with the previous period."""
    csat_ci: Interval | None = None
    nps_ci: Interval | None = None
    mean: float | None = None
    mean_ci: Interval | None = None


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

    @property
    def share_ci(self) -> Interval | None:
        """Wilson interval (each ticket is one unit)."""
        return None if self.share is None else wilson(self.hits, self.total)


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
    significance_test: str = (
        "respondents as the unit: CSAT by a two-proportion test, the mean by Welch's t-test,"
        " Holm-adjusted across the comparisons, p < 0.05"
    )
    drivers: list[DriverAnalysis] = field(default_factory=list)
    channels: dict[str, int | None] = field(default_factory=dict)
    """Respondents per channel (None: fewer than the minimum, suppressed)."""
    # Customers per language the shop has no catalog for (demand for one); None: fewer than min_group.
    unserved_languages: dict[str, int | None] = field(default_factory=dict)
