"""Dated occurrences of the weekly permanences: pure rules, no request, no template.

Times are wall-clock times in Europe/Paris: a permanence at 8:30 is at 8:30 on both sides of
a daylight-saving change, so each occurrence is built from its local date and time."""

from __future__ import annotations

from collections.abc import Iterable
from dataclasses import dataclass, field
from datetime import date, datetime, timedelta
from functools import cache
from zoneinfo import ZoneInfo

import holidays
from django.utils import timezone

PARIS = ZoneInfo("Europe/Paris")


@cache
def _public_holidays(year: int) -> dict[date, str]:
    return dict(holidays.France(years=year))


@dataclass
class ClosedDays:
    """Days without permanences: French public holidays plus the closure periods given."""

    periods: list[tuple[date, date, str]] = field(default_factory=list)

    def reason(self, day: date) -> str | None:
        name = _public_holidays(day.year).get(day)
        if name:
            return name
        for first, last, label in self.periods:
            if first <= day <= last:
                return label
        return None

    def __contains__(self, day: date) -> bool:
        return self.reason(day) is not None


def closed_days(start: date, end: date) -> ClosedDays:
    """Closure periods overlapping [start, end] (one query) and public holidays."""
    from services.records import ClosurePeriod

    periods = ClosurePeriod.objects.filter(first_day__lte=end, last_day__gte=start).values_list(
        "first_day", "last_day", "name"
    )
    return ClosedDays(periods=list(periods))


@dataclass(frozen=True)
class Occurrence:
    permanence: object
    day: date
    start: datetime
    end: datetime

    @property
    def place(self) -> str:
        return self.permanence.place

    @property
    def school_id(self):
        return self.permanence.school_id


def local_datetime(day: date, at) -> datetime:
    return datetime.combine(day, at, tzinfo=PARIS)


def permanence_occurrences(permanences: Iterable, start: date, end: date, closed: ClosedDays) -> list[Occurrence]:
    """Each dated occurrence of the permanences between start and end (inclusive), sorted,
    with holidays and closures removed, even/odd ISO weeks and validity dates respected."""
    occurrences = []
    for permanence in permanences:
        # First day in range with the permanence's weekday, then step a week at a time.
        offset = (permanence.weekday - start.isoweekday()) % 7
        day = start + timedelta(days=offset)
        while day <= end:
            if permanence.is_valid_on(day) and day not in closed:
                occurrences.append(
                    Occurrence(
                        permanence=permanence,
                        day=day,
                        start=local_datetime(day, permanence.start_time),
                        end=local_datetime(day, permanence.end_time),
                    )
                )
            day += timedelta(days=7)
    occurrences.sort(key=lambda o: (o.start, o.permanence.pk or 0))
    return occurrences


def today() -> date:
    return timezone.localdate(timezone=PARIS)


def _time_ranges_overlap(a_start, a_end, b_start, b_end) -> bool:
    return a_start < b_end and b_start < a_end


def _dates_overlap(a, b) -> bool:
    a_from, a_until = a.valid_from or date.min, a.valid_until or date.max
    b_from, b_until = b.valid_from or date.min, b.valid_until or date.max
    return a_from <= b_until and b_from <= a_until


def _weeks_overlap(a, b) -> bool:
    weekly = "weekly"
    return a.recurrence == weekly or b.recurrence == weekly or a.recurrence == b.recurrence


def permanences_overlap(a, b) -> bool:
    return (
        a.weekday == b.weekday
        and _time_ranges_overlap(a.start_time, a.end_time, b.start_time, b.end_time)
        and _weeks_overlap(a, b)
        and _dates_overlap(a, b)
    )
