"""Suggested actions from a report: weakest dimensions and top complaint categories, routed to teams."""

from __future__ import annotations

from datetime import date

from conversations.reports.model import ComplaintFigures, Exclusions, Funnel, Group, Rate, Report, Score
from conversations.reports.suggested_actions import SuggestedAction, Target, suggest_actions, target_share
from conversations.tickets.policy import ComplaintPolicy, Team

POLICY = ComplaintPolicy(
    teams={"support": Team("support"), "logistics": Team("logistics", "C-LOG"), "care": Team("care")},
    routing={"logistics": "logistics", "wrong_item": "logistics", "attitude": "care"},
)


def report(dimensions: dict[str, Score], by_category: dict[str, int | None]) -> Report:
    nothing = Rate(0, 0, True)
    complaints = ComplaintFigures(
        total=sum(v or 0 for v in by_category.values()),
        by_category=by_category,
        by_urgency={},
        by_team={},
        first_contact_on_time=nothing,
        resolution_on_time=nothing,
        median_first_contact_hours=None,
        median_resolution_hours=None,
        proposals_accepted=nothing,
        followup_coverage=nothing,
        post_complaint=Score(0, None, None),
        feedback_split={},
    )
    return Report(
        start=date(2026, 11, 1),
        end=date(2026, 11, 30),
        questionnaire=None,
        by=None,
        min_group=5,
        respondents=50,
        exclusions=Exclusions(),
        overall=Group("all", 50, False, Score(50, 4.0, 0.8), None, dimensions),
        groups=[],
        trend=[],
        trend_unit="week",
        funnel=Funnel(0, 0, 0, 0),
        complaints=complaints,
        actions=[],
    )


def test_weakest_dimensions_first_routed_with_targets() -> None:
    found = suggest_actions(
        report(
            {
                "logistics": Score(50, 3.1, 0.62),
                "product": Score(50, 4.5, 0.91),  # above 80 %: not suggested
                "usability": Score(50, 3.5, 0.70),  # no complaint category: the default team
                "general": Score(50, 2.0, 0.20),  # an outcome, not an action
                "payment": Score(4, 1.0, 0.0),  # fewer answers than the minimum group
            },
            {},
        ),
        POLICY,
    )
    deadline = date(2027, 2, 28)  # 90 days after 2026-11-30
    assert found == [
        SuggestedAction(
            team="logistics",
            requirement="Raise logistics satisfaction: CSAT was 62 % in 2026-11-01 – 2026-11-30.",
            dimension="logistics",
            deadline=deadline,
            target=Target("logistics", 0.75, deadline),
        ),
        SuggestedAction(
            team="support",
            requirement="Raise usability satisfaction: CSAT was 70 % in 2026-11-01 – 2026-11-30.",
            dimension="usability",
            deadline=deadline,
            target=Target("usability", 0.80, deadline),
        ),
    ]
    assert str(found[0].target) == "logistics CSAT ≥ 75 % by 2027-02-28"


def test_top_complaint_categories_add_their_dimension_unless_suppressed() -> None:
    found = suggest_actions(
        report(
            {"communication": Score(50, 4.2, 0.84), "after_sales": Score(50, 4.4, 0.88)},
            {"attitude": 12, "after_sales": None},  # None: under the minimum group, not shown
        ),
        POLICY,
    )
    assert [(a.team, a.dimension, a.target.csat) for a in found] == [("care", "communication", 0.95)]
    assert found[0].requirement.startswith("Reduce attitude complaints (12 in 2026-11-01 – 2026-11-30)")


def test_targets_are_ten_points_up_rounded_to_five_and_capped() -> None:
    assert [target_share(x) for x in (0.40, 0.62, 0.70, 0.88)] == [0.50, 0.75, 0.80, 0.95]
