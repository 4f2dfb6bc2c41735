"""Team calendars: when a team works, and deadlines counted on its working time."""

from __future__ import annotations

from dataclasses import dataclass, field
from datetime import UTC, date, datetime, time, timedelta
from enum import StrEnum
from zoneinfo import ZoneInfo

MAX_DAYS_SEARCHED = 3 * 366  # a calendar with no working day at all must not loop forever


class Counting(StrEnum):
    """How a deadline of N hours is counted."""

    CALENDAR = "calendar"  # every hour counts
    WORKING_DAYS = "working_days"  # every hour of a working day counts; weekends and holidays do not
    WORKING_HOURS = "working_hours"  # only the team's opening hours count


@dataclass(frozen=True, slots=True)
class Calendar:
    timezone: str = "UTC"
    workdays: frozenset[int] = frozenset({0, 1, 2, 3, 4})  # Monday = 0
    opens: time = time(9, 0)
    closes: time = time(18, 0)
    holidays: frozenset[date] = field(default_factory=frozenset)

    def __post_init__(self) -> None:
        ZoneInfo(self.timezone)  # fails early on an unknown zone
        if self.closes <= self.opens:
            raise ValueError("a working day must close after it opens")
        if not self.workdays or not self.workdays <= set(range(7)):
            raise ValueError("workdays must name at least one day, Monday = 0 … Sunday = 6")

    @property
    def zone(self) -> ZoneInfo:
        return ZoneInfo(self.timezone)

    def is_working_day(self, day: date) -> bool:
        return day.weekday() in self.workdays and day not in self.holidays

    def is_open(self, at: datetime) -> bool:
        local = at.astimezone(self.zone)
        return self.is_working_day(local.date()) and self.opens <= local.time() < self.closes

    def next_opening(self, at: datetime) -> datetime:
        """`at` itself when the team is working then, else the moment it next opens (in UTC)."""
        if self.is_open(at):
            return at
        local = at.astimezone(self.zone)
        day = local.date()
        if self.is_working_day(day) and local.time() < self.opens:
            return self._local(day, self.opens)
        for _ in range(MAX_DAYS_SEARCHED):
            day += timedelta(days=1)
            if self.is_working_day(day):
                return self._local(day, self.opens)
        raise ValueError("the calendar has no working day in the next three years")

    def add(self, start: datetime, hours: float, counting: Counting) -> datetime:
        """The moment `hours` of counted time after `start`."""
        if counting is Counting.CALENDAR:
            return start + timedelta(hours=hours)
        remaining = timedelta(hours=hours)
        cursor = start.astimezone(UTC)
        for _ in range(MAX_DAYS_SEARCHED):
            day = cursor.astimezone(self.zone).date()
            if self.is_working_day(day):
                if counting is Counting.WORKING_DAYS:
                    window_start, window_end = cursor, self._local(day + timedelta(days=1), time(0))
                else:
                    window_start = max(cursor, self._local(day, self.opens))
                    window_end = self._local(day, self.closes)
                available = window_end - window_start
                if available > timedelta(0):
                    if remaining <= available:
                        return window_start + remaining
                    remaining -= available
            cursor = self._local(day + timedelta(days=1), time(0))
        raise ValueError("the calendar has no working time in the next three years")

    def working_days_after(self, start: datetime, days: int) -> datetime:
        """The same local time `days` working days after `start` (for follow-ups)."""
        local = start.astimezone(self.zone)
        day, counted = local.date(), 0
        for _ in range(MAX_DAYS_SEARCHED):
            if counted == days:
                return self._local(day, local.time())
            day += timedelta(days=1)
            if self.is_working_day(day):
                counted += 1
        raise ValueError("the calendar has no working day in the next three years")

    def _local(self, day: date, at: time) -> datetime:
        """That local wall time as a UTC datetime (arithmetic in UTC stays right across DST)."""
        return datetime.combine(day, at, tzinfo=self.zone).astimezone(UTC)
