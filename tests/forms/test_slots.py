"""Free slots (DESIGN.md rule 3): permanences over the horizon, minus closures, public holidays,
absences without replacement, booked appointments and anything before the minimum notice;
Europe/Paris wall-clock times across daylight-saving changes."""

import uuid
from datetime import UTC, date, datetime, time, timedelta

import pytest

from forms.booking.create import SlotTaken, SlotUnavailable, create_request, next_free_slots
from forms.booking.slots import find_slot, free_slots
from forms.models import AppointmentRequest
from services.schedule import PARIS
from tests.factories import (
    BookingSettingsFactory,
    make_absence,
    make_closure,
    make_index,
    make_school,
    make_site,
    make_worker,
    permanence,
)

pytestmark = pytest.mark.django_db

TUESDAY = 2
DETAILS = {"reason": "schooling", "requester": "parent", "parent_name": "Amina Benali", "phone": "+33612345678"}


def paris(day: date, hour: int, minute: int = 0) -> datetime:
    return datetime.combine(day, time(hour, minute), tzinfo=PARIS)


# Monday 2 November 2026, 10:00: the next Tuesdays are 3, 10, 17, 24 Nov, 1, 8 Dec (6 weeks).
NOW = paris(date(2026, 11, 2), 10)


@pytest.fixture
def index(db):
    return make_index(make_site())


@pytest.fixture
def leroy(db):
    return make_worker("Mme Leroy")


@pytest.fixture
def martin(db):
    return make_worker("M. Martin")


@pytest.fixture
def school(index, leroy):
    # Tuesday 8:30-10:00: three 30-minute slots a week.
    return make_school(
        index,
        "École Jules-Ferry",
        referent=leroy,
        permanences=[permanence(weekday=TUESDAY, start="08:30", end="10:00")],
    )


def days(slots):
    return sorted({slot.start.astimezone(PARIS).date() for slot in slots})


def book(school, slot, now=NOW, **fields):
    return create_request(
        school=school,
        mode="school",
        slot=slot,
        data=DETAILS,
        language="fr",
        captcha="off",
        submission_key=uuid.uuid4(),
        now=now,
        **fields,
    )


def test_slots_are_cut_from_the_permanence_earliest_first(school, leroy):
    slots = free_slots(school, now=NOW)
    first_day = [slot for slot in slots if slot.start.astimezone(PARIS).date() == date(2026, 11, 10)]
    assert [slot.start for slot in first_day] == [
        paris(date(2026, 11, 10), h, m) for h, m in [(8, 30), (9, 0), (9, 30)]
    ]
    assert slots[0] == first_day[0]
    assert all(slot.end - slot.start == timedelta(minutes=30) for slot in slots)
    assert all(slot.worker_id == leroy.pk for slot in slots)
    assert [slot.start for slot in slots] == sorted(slot.start for slot in slots)


def test_minimum_notice_removes_slots_too_soon(school):
    # Monday 10:00 + 24 h: Tuesday 8:30 and 9:30 are too soon, so is every slot that day.
    slots = free_slots(school, now=paris(date(2026, 11, 2), 10))
    assert date(2026, 11, 3) not in days(slots)
    # Monday 8:00 + 24 h = Tuesday 8:00: the whole Tuesday morning is bookable.
    assert len([s for s in free_slots(school, now=paris(date(2026, 11, 2), 8)) if s.start.day == 3]) == 3
    # Monday 9:15 + 24 h: only 9:30 is left that Tuesday.
    tuesday = [s for s in free_slots(school, now=paris(date(2026, 11, 2), 9, 15)) if s.start.day == 3]
    assert [s.start for s in tuesday] == [paris(date(2026, 11, 3), 9, 30)]


def test_minimum_notice_is_a_setting(school):
    BookingSettingsFactory(minimum_notice_hours=72)
    assert date(2026, 11, 3) not in days(free_slots(school, now=paris(date(2026, 11, 2), 8)))


def test_horizon_limits_how_far_ahead(school):
    slots = free_slots(school, now=NOW)
    assert max(slot.start for slot in slots) <= NOW + timedelta(weeks=6)
    assert days(slots) == [date(2026, 11, 3) + timedelta(weeks=n) for n in range(1, 6)]
    BookingSettingsFactory(horizon_weeks=2)
    assert days(free_slots(school, now=NOW)) == [date(2026, 11, 10)]


def test_booked_slot_is_removed_and_cancelled_one_comes_back(school):
    slot = free_slots(school, now=NOW)[0]
    request = book(school, slot)
    assert slot.start not in [s.start for s in free_slots(school, now=NOW)]
    assert find_slot(school, slot.key, now=NOW) is None
    request.status = AppointmentRequest.Status.CANCELLED_FAMILY
    request.save()
    assert slot.start in [s.start for s in free_slots(school, now=NOW)]


def test_absence_without_replacement_removes_that_days_slots(school, leroy):
    make_absence(leroy, date(2026, 11, 10), date(2026, 11, 13))
    assert date(2026, 11, 10) not in days(free_slots(school, now=NOW))
    assert date(2026, 11, 17) in days(free_slots(school, now=NOW))


def test_absence_with_replacement_keeps_slots_and_books_the_replacement(school, leroy, martin):
    make_absence(leroy, date(2026, 11, 10), date(2026, 11, 13), replacement=martin)
    slots = [s for s in free_slots(school, now=NOW) if s.start.astimezone(PARIS).date() == date(2026, 11, 10)]
    assert len(slots) == 3
    assert {slot.worker_id for slot in slots} == {martin.pk}
    request = book(school, slots[0])
    assert request.assigned_worker == martin
    assert request.routed_as == AppointmentRequest.Routing.REPLACEMENT


def test_slot_booked_with_the_replacement_is_removed(school, leroy, martin):
    make_absence(leroy, date(2026, 11, 10), date(2026, 11, 10), replacement=martin)
    slot = next(s for s in free_slots(school, now=NOW) if s.start.astimezone(PARIS).date() == date(2026, 11, 10))
    book(school, slot)
    remaining = [s.start for s in free_slots(school, now=NOW)]
    assert slot.start not in remaining


def test_public_holiday_has_no_slot(index, leroy):
    # Tuesday 14 July 2026 is Bastille Day.
    school = make_school(index, referent=leroy, permanences=[permanence(weekday=TUESDAY)])
    slots = free_slots(school, now=paris(date(2026, 7, 6), 10))
    assert date(2026, 7, 14) not in days(slots)
    assert date(2026, 7, 7) in days(slots)
    assert date(2026, 7, 21) in days(slots)


def test_school_holidays_have_no_slot(school):
    make_closure(date(2026, 11, 14), date(2026, 11, 22), name="Fermeture")
    assert days(free_slots(school, now=NOW)) == [
        date(2026, 11, 10),
        date(2026, 11, 24),
        date(2026, 12, 1),
        date(2026, 12, 8),
    ]


def test_slots_keep_wall_clock_time_across_the_spring_dst_change(school):
    # Summer time starts on Sunday 29 March 2026.
    slots = free_slots(school, now=paris(date(2026, 3, 16), 10))
    before = next(s for s in slots if s.start.astimezone(PARIS).date() == date(2026, 3, 24))
    after = next(s for s in slots if s.start.astimezone(PARIS).date() == date(2026, 3, 31))
    assert before.start.astimezone(PARIS).time() == after.start.astimezone(PARIS).time() == time(8, 30)
    assert before.start.astimezone(UTC).hour == 7
    assert after.start.astimezone(UTC).hour == 6
    assert (before.key, after.key) == ("20260324T073000Z", "20260331T063000Z")


def test_slot_in_the_autumn_dst_week_is_found_and_booked_at_the_right_instant(school):
    # Summer time ends on Sunday 25 October 2026.
    now = paris(date(2026, 10, 19), 10)
    slot = next(s for s in free_slots(school, now=now) if s.start.astimezone(PARIS).date() == date(2026, 10, 27))
    assert slot.key == "20261027T073000Z"
    request = book(school, slot.key, now=now)
    assert request.slot_start.astimezone(PARIS).isoformat() == "2026-10-27T08:30:00+01:00"


def test_find_slot_refuses_tampered_past_and_out_of_hours_keys(school):
    assert find_slot(school, "20261110T073000Z", now=NOW) is not None
    assert find_slot(school, "20261110T073100Z", now=NOW) is None  # not a slot start
    assert find_slot(school, "20201110T073000Z", now=NOW) is None  # past
    assert find_slot(school, "20271110T073000Z", now=NOW) is None  # beyond the horizon
    assert find_slot(school, "not-a-key", now=NOW) is None
    assert find_slot(school, "", now=NOW) is None


def test_create_request_refuses_a_slot_that_is_not_offered(school):
    with pytest.raises(SlotUnavailable):
        book(school, "20201110T073000Z")
    with pytest.raises(SlotUnavailable):
        book(school, "<script>")
    assert AppointmentRequest.objects.count() == 0


def test_create_request_refuses_a_taken_slot_with_slot_taken(school):
    slot = free_slots(school, now=NOW)[0]
    book(school, slot)
    with pytest.raises(SlotTaken):
        book(school, slot)
    assert AppointmentRequest.objects.count() == 1


def test_database_constraint_catches_a_slot_the_python_check_missed(school, monkeypatch):
    """The race a check in Python cannot close: both families saw the slot free."""
    slot = free_slots(school, now=NOW)[0]
    book(school, slot)
    monkeypatch.setattr("forms.booking.create.find_slot", lambda school, key, now=None, **kwargs: slot)
    with pytest.raises(SlotTaken):
        book(school, slot)
    assert AppointmentRequest.objects.filter(slot_start=slot.start).count() == 1


def test_next_free_slots_after_a_taken_one(school):
    slots = free_slots(school, now=NOW)
    following = next_free_slots(school, after=slots[0].start, count=2, now=NOW)
    assert [s.start for s in following] == [slots[1].start, slots[2].start]
    assert len(next_free_slots(school, now=NOW)) == 5
