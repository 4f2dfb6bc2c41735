"""Team calendars: opening hours, holidays and deadlines counted three ways."""

from __future__ import annotations

from datetime import UTC, date, datetime, time

import pytest

from conversations.tickets.working_time import Calendar, Counting

BERLIN = Calendar(timezone="Europe/Berlin", holidays=frozenset({date(2026, 12, 25)}))


def at(text: str) -> datetime:
    return datetime.fromisoformat(text).astimezone(UTC)


def test_open_and_closed() -> None:
    assert BERLIN.is_open(at("2026-11-23T10:00:00+01:00"))  # Monday
    assert not BERLIN.is_open(at("2026-11-23T18:00:00+01:00"))
    assert not BERLIN.is_open(at("2026-11-28T10:00:00+01:00"))  # Saturday
    assert not BERLIN.is_open(at("2026-12-25T10:00:00+01:00"))  # holiday


def test_next_opening() -> None:
    friday_evening = at("2026-11-27T19:30:00+01:00")
    assert BERLIN.next_opening(friday_evening) == at("2026-11-30T09:00:00+01:00")
    early = at("2026-11-24T07:00:00+01:00")
    assert BERLIN.next_opening(early) == at("2026-11-24T09:00:00+01:00")
    during = at("2026-11-24T11:00:00+01:00")
    assert BERLIN.next_opening(during) == during
    christmas_eve = at("2026-12-24T20:00:00+01:00")
    assert BERLIN.next_opening(christmas_eve) == at("2026-12-28T09:00:00+01:00")  # 25th holiday, weekend


def test_calendar_counting_ignores_the_calendar() -> None:
    start = at("2026-11-27T17:00:00+01:00")
    assert BERLIN.add(start, 48, Counting.CALENDAR) == at("2026-11-29T17:00:00+01:00")


def test_working_days_skip_weekends() -> None:
    friday = at("2026-11-27T17:00:00+01:00")
    # Friday 17:00-24:00 = 7 h, Monday 24 h, Tuesday 17 h.
    assert BERLIN.add(friday, 48, Counting.WORKING_DAYS) == at("2026-12-01T17:00:00+01:00")
    saturday = at("2026-11-28T12:00:00+01:00")
    assert BERLIN.add(saturday, 24, Counting.WORKING_DAYS) == at("2026-12-01T00:00:00+01:00")


def test_working_hours_count_only_opening_hours() -> None:
    monday_4pm = at("2026-11-23T16:00:00+01:00")
    # 2 h on Monday, 9 h Tuesday, 9 h Wednesday, 4 h Thursday.
    assert BERLIN.add(monday_4pm, 24, Counting.WORKING_HOURS) == at("2026-11-26T13:00:00+01:00")
    sunday = at("2026-11-29T12:00:00+01:00")
    assert BERLIN.add(sunday, 1, Counting.WORKING_HOURS) == at("2026-11-30T10:00:00+01:00")


def test_daylight_saving_change_is_counted_in_real_hours() -> None:
    every_day = Calendar(timezone="Europe/Berlin", workdays=frozenset(range(7)))
    # Clocks go back on 2026-10-25: that Sunday has 25 real hours.
    start = at("2026-10-25T00:00:00+02:00")
    assert every_day.add(start, 25, Counting.WORKING_DAYS) == at("2026-10-26T00:00:00+01:00")


def test_working_days_after() -> None:
    thursday = at("2026-11-26T15:00:00+01:00")
    assert BERLIN.working_days_after(thursday, 3) == at("2026-12-01T15:00:00+01:00")
    assert BERLIN.working_days_after(thursday, 0) == thursday


@pytest.mark.parametrize(
    "kwargs",
    [
        {"timezone": "Mars/Olympus"},
        {"opens": time(18), "closes": time(9)},
        {"workdays": frozenset()},
        {"workdays": frozenset({7})},
    ],
)
def test_invalid_calendars(kwargs: dict[str, object]) -> None:
    with pytest.raises(Exception):  # noqa: B017 - ZoneInfo and ValueError both mean "refused"
        Calendar(**kwargs)  # type: ignore[arg-type]
