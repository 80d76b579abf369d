"""The dated occurrences of permanences: DST, holidays, closures, even/odd weeks, validity."""

from datetime import UTC, date, datetime, time, timedelta

import pytest

from services.schedule import (
    PARIS,
    ClosedDays,
    closed_days,
    permanence_occurrences,
    permanences_overlap,
)
from tests.factories import ClosurePeriodFactory, PermanenceFactory

MONDAY, WEDNESDAY = 1, 3


def permanence(weekday=MONDAY, start=time(8, 30), end=time(12), **fields):
    """An unsaved permanence, on Mondays from 8:30 to 12:00 unless told otherwise."""
    return PermanenceFactory.build(weekday=weekday, start_time=start, end_time=end, **fields)


def starts(occurrences):
    return [o.start for o in occurrences]


def test_occurrences_keep_wall_clock_time_across_the_autumn_dst_change():
    # Summer time ends on Sunday 25 October 2026.
    occurrences = permanence_occurrences([permanence()], date(2026, 10, 19), date(2026, 11, 2), ClosedDays())
    assert [o.day for o in occurrences] == [date(2026, 10, 19), date(2026, 10, 26), date(2026, 11, 2)]
    assert all(o.start.astimezone(PARIS).time() == time(8, 30) for o in occurrences)
    assert occurrences[0].start.astimezone(UTC).hour == 6  # UTC+2
    assert occurrences[1].start.astimezone(UTC).hour == 7  # UTC+1
    assert occurrences[1].start.isoformat() == "2026-10-26T08:30:00+01:00"


def test_occurrences_across_the_spring_dst_change():
    # Summer time starts on Sunday 29 March 2026.
    occurrences = permanence_occurrences([permanence()], date(2026, 3, 23), date(2026, 3, 30), ClosedDays())
    assert [o.start.isoformat() for o in occurrences] == ["2026-03-23T08:30:00+01:00", "2026-03-30T08:30:00+02:00"]
    assert occurrences[1].end - occurrences[1].start == timedelta(hours=3, minutes=30)


def test_public_holiday_on_a_permanence_day_is_skipped():
    # 11 November 2026 (Armistice) is a Wednesday.
    occurrences = permanence_occurrences(
        [permanence(weekday=WEDNESDAY)], date(2026, 11, 2), date(2026, 11, 20), ClosedDays()
    )
    assert [o.day for o in occurrences] == [date(2026, 11, 4), date(2026, 11, 18)]


def test_school_holidays_remove_every_day_of_the_period():
    closed = ClosedDays(periods=[(date(2026, 12, 19), date(2027, 1, 3), "Vacances de Noël")])
    occurrences = permanence_occurrences([permanence()], date(2026, 12, 14), date(2027, 1, 11), closed)
    assert [o.day for o in occurrences] == [date(2026, 12, 14), date(2027, 1, 4), date(2027, 1, 11)]
    assert closed.reason(date(2026, 12, 21)) == "Vacances de Noël"


@pytest.mark.django_db
def test_closed_days_reads_closure_periods_overlapping_the_range():
    ClosurePeriodFactory(name="Toussaint", first_day=date(2026, 10, 17), last_day=date(2026, 11, 1))
    ClosurePeriodFactory(name="Hiver", first_day=date(2027, 2, 20), last_day=date(2027, 3, 7))
    closed = closed_days(date(2026, 10, 26), date(2026, 11, 30))
    assert date(2026, 10, 26) in closed
    assert date(2026, 11, 2) not in closed
    assert [p[2] for p in closed.periods] == ["Toussaint"]


def test_even_and_odd_iso_weeks():
    start, end = date(2026, 11, 2), date(2026, 11, 30)  # ISO weeks 45 to 49
    even = permanence_occurrences([permanence(recurrence="even")], start, end, ClosedDays())
    odd = permanence_occurrences([permanence(recurrence="odd")], start, end, ClosedDays())
    assert [o.day.isocalendar().week for o in even] == [46, 48]
    assert [o.day.isocalendar().week for o in odd] == [45, 47, 49]


def test_odd_weeks_follow_iso_numbering_across_a_53_week_year():
    # 2026 has 53 ISO weeks: week 53 (odd) is followed by week 1 (odd) of 2027, so an
    # "odd weeks" permanence happens two weeks running, as the school calendar counts them.
    odd = permanence_occurrences([permanence(recurrence="odd")], date(2026, 12, 21), date(2027, 1, 11), ClosedDays())
    assert [o.day for o in odd] == [date(2026, 12, 28), date(2027, 1, 4)]


def test_validity_dates_are_inclusive():
    p = permanence(valid_from=date(2026, 11, 9), valid_until=date(2026, 11, 23))
    occurrences = permanence_occurrences([p], date(2026, 11, 1), date(2026, 12, 31), ClosedDays())
    assert [o.day for o in occurrences] == [date(2026, 11, 9), date(2026, 11, 16), date(2026, 11, 23)]


def test_occurrences_of_several_permanences_are_sorted_by_start():
    tuesday_morning = permanence(weekday=2)
    monday_afternoon = permanence(start=time(13, 30), end=time(16, 30))
    occurrences = permanence_occurrences(
        [tuesday_morning, monday_afternoon], date(2026, 11, 16), date(2026, 11, 17), ClosedDays()
    )
    assert starts(occurrences) == [
        datetime(2026, 11, 16, 13, 30, tzinfo=PARIS),
        datetime(2026, 11, 17, 8, 30, tzinfo=PARIS),
    ]


@pytest.mark.parametrize(
    "a, b, overlap",
    [
        (permanence(), permanence(start=time(11), end=time(13)), True),
        (permanence(), permanence(start=time(12), end=time(13)), False),  # back to back
        (permanence(), permanence(weekday=2), False),
        (permanence(recurrence="even"), permanence(recurrence="odd"), False),
        (permanence(recurrence="even"), permanence(), True),
        (
            permanence(valid_until=date(2026, 12, 31)),
            permanence(valid_from=date(2027, 1, 1)),
            False,
        ),
    ],
)
def test_permanences_overlap(a, b, overlap):
    assert permanences_overlap(a, b) is overlap
    assert permanences_overlap(b, a) is overlap


def test_end_before_start_is_refused():
    from django.core.exceptions import ValidationError

    with pytest.raises(ValidationError):
        permanence(start=time(12), end=time(8, 30)).clean()


@pytest.mark.django_db
def test_next_permanences_skip_days_the_referent_is_away_without_replacement():
    from services.availability import next_occurrences
    from tests.factories import make_absence, make_index, make_school, make_site, make_worker
    from tests.factories import permanence as permanence_row

    referent, replacement = make_worker("Mme Leroy"), make_worker("M. Martin")
    school = make_school(make_index(make_site()), referent=referent, permanences=[permanence_row(weekday=MONDAY)])
    now = datetime(2026, 11, 2, 6, 0, tzinfo=UTC)  # Monday 2 November, before the permanence
    make_absence(referent, date(2026, 11, 2), date(2026, 11, 6))
    make_absence(referent, date(2026, 11, 9), date(2026, 11, 13), replacement=replacement)
    days = [o.day for o in next_occurrences(school, count=3, now=now)]
    assert days == [date(2026, 11, 9), date(2026, 11, 16), date(2026, 11, 23)]
