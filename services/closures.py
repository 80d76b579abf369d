"""Seed school holidays of the town's zone as editable closure periods."""

from datetime import date, timedelta

import holidays
from django.conf import settings

from services.models import ClosurePeriod


def school_holiday_periods(zone: str, years) -> list[tuple[str, date, date]]:
    """Consecutive days of the same school holiday grouped into (name, first, last)."""
    days = holidays.France(subdiv=f"Zone {zone}", categories=(holidays.SCHOOL,), years=list(years), language="fr")
    periods: list[tuple[str, date, date]] = []
    for day, name in sorted(days.items()):
        if periods and periods[-1][0] == name and periods[-1][2] + timedelta(days=1) == day:
            periods[-1] = (name, periods[-1][1], day)
        else:
            periods.append((name, day, day))
    return periods


def seed_school_holidays(years, zone: str | None = None) -> int:
    """Create missing periods; periods already there (possibly edited by staff) are left alone."""
    zone = zone or settings.SCHOOL_HOLIDAY_ZONE
    created = 0
    for name, first, last in school_holiday_periods(zone, years):
        overlapping = ClosurePeriod.objects.filter(
            kind=ClosurePeriod.Kind.SCHOOL_HOLIDAYS, first_day__lte=last, last_day__gte=first
        )
        if not overlapping.exists():
            ClosurePeriod.objects.create(
                name=f"{name} {first.year}", kind=ClosurePeriod.Kind.SCHOOL_HOLIDAYS, first_day=first, last_day=last
            )
            created += 1
    return created
