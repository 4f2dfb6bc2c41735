"""Quiet hours: no unsolicited message (invitation, reminder) at night in the customer's time zone."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime, time, timedelta
from zoneinfo import ZoneInfo, ZoneInfoNotFoundError


@dataclass(frozen=True, slots=True)
class QuietHours:
    starts: time = time(21, 0)
    ends: time = time(9, 0)

    @classmethod
    def parse(cls, text: str) -> QuietHours:
        """`"21:00-09:00"`; an empty text or `"none"` means no quiet hours."""
        if text.strip().lower() in {"", "none"}:
            return cls(time(0), time(0))
        start, _, end = text.partition("-")
        return cls(time.fromisoformat(start.strip()), time.fromisoformat(end.strip()))

    def next_allowed(self, at: datetime, timezone: str) -> datetime:
        """`at` when messages may go out then, else the end of the quiet period (both aware)."""
        if self.starts == self.ends:
            return at
        try:
            zone = ZoneInfo(timezone)
        except (ZoneInfoNotFoundError, ValueError):
            zone = ZoneInfo("UTC")
        local = at.astimezone(zone)
        now = local.time()
        overnight = self.starts > self.ends
        quiet = (now >= self.starts or now < self.ends) if overnight else (self.starts <= now < self.ends)
        if not quiet:
            return at
        end_day = local.date() + timedelta(days=1) if overnight and now >= self.starts else local.date()
        return datetime.combine(end_day, self.ends, tzinfo=zone).astimezone(at.tzinfo)
