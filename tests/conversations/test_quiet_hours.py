"""Quiet hours across midnight, within a day, none at all, in the customer's zone."""

from __future__ import annotations

from datetime import UTC, datetime

import pytest

from conversations.quiet_hours import QuietHours

NIGHT = QuietHours.parse("21:00-09:00")


@pytest.mark.parametrize(
    ("at", "zone", "allowed"),
    [
        ("2026-11-23T12:00:00+00:00", "UTC", "2026-11-23T12:00:00+00:00"),
        ("2026-11-23T21:00:00+00:00", "UTC", "2026-11-24T09:00:00+00:00"),
        ("2026-11-24T03:00:00+00:00", "UTC", "2026-11-24T09:00:00+00:00"),
        ("2026-11-23T12:00:00+00:00", "Asia/Tokyo", "2026-11-24T00:00:00+00:00"),  # 21:00 in Tokyo
        ("2026-11-23T12:00:00+00:00", "Not/AZone", "2026-11-23T12:00:00+00:00"),  # unknown: UTC
    ],
)
def test_overnight_quiet_hours(at: str, zone: str, allowed: str) -> None:
    moment = datetime.fromisoformat(at)
    assert NIGHT.next_allowed(moment, zone) == datetime.fromisoformat(allowed)
    assert NIGHT.next_allowed(moment, zone).tzinfo is not None


def test_daytime_window_and_none() -> None:
    lunch = QuietHours.parse("12:00-13:00")
    assert lunch.next_allowed(datetime(2026, 1, 1, 12, 30, tzinfo=UTC), "UTC") == datetime(
        2026, 1, 1, 13, 0, tzinfo=UTC
    )
    always = QuietHours.parse("none")
    moment = datetime(2026, 1, 1, 3, 0, tzinfo=UTC)
    assert always.next_allowed(moment, "UTC") == moment


def test_bad_text_is_refused() -> None:
    with pytest.raises(ValueError):
        QuietHours.parse("late-early")
