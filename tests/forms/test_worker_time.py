"""A worker's time is held by the database (DESIGN.md rules 2 and 3), every minute of it: no two
active appointments of a worker overlap, whoever wrote them (a family's booking or move, the
worker's own schedule, a reassignment), on PostgreSQL (an exclusion constraint) and on SQLite
(the same refusal from forms.booking.slots.save_slot); the slot search hides every slot that
overlaps one; a coming appointment never leaves its worker's time by going to the service queue.

Run on both databases: `DATABASE_URL=postgres://... pytest tests/forms/test_worker_time.py`,
and without DATABASE_URL for SQLite."""

import uuid
from datetime import UTC, date, datetime, time, timedelta

import pytest
from django.db import IntegrityError, connection, transaction

from forms.booking.create import SlotTaken, create_request
from forms.booking.move import move_request, moving_from_key
from forms.booking.slots import TimeTaken, ensure_time_free, free_slots, save_slot
from forms.models import AppointmentRequest
from forms.records import operations
from services.schedule import PARIS
from tests.factories import AppointmentRequestFactory, make_index, make_school, make_site, make_worker, permanence

pytestmark = pytest.mark.django_db

Status = AppointmentRequest.Status
TUESDAY = 2
DETAILS = {
    "reason": "schooling",
    "requester": "parent",
    "parent_name": "Amina Benali",
    "phone": "+33612345678",
    "email": "amina@example.org",
}


def paris(day: date, hour: int, minute: int = 0) -> datetime:
    return datetime.combine(day, time(hour, minute), tzinfo=PARIS)


# Monday 2 November 2026, 10:00; the permanence of Tuesday 10 November: 08:30, 09:00 and 09:30.
NOW = paris(date(2026, 11, 2), 10)
DAY = date(2026, 11, 10)


@pytest.fixture
def leroy(db):
    return make_worker("Mme Leroy")


@pytest.fixture
def school(leroy):
    return make_school(
        make_index(make_site()),
        "École Jules-Ferry",
        referent=leroy,
        permanences=[permanence(weekday=TUESDAY, start="08:30", end="10:00")],
    )


def home_visit(worker, start, minutes=30, status=Status.SCHEDULED, **fields):
    """An appointment the worker scheduled herself (at home, at the CCAS): not on the slot grid."""
    return AppointmentRequestFactory(
        assigned_worker=worker,
        mode=AppointmentRequest.Mode.HOME,
        status=status,
        slot_start=start,
        slot_end=start + timedelta(minutes=minutes),
        **fields,
    )


def starts(slots, day=DAY):
    return [slot.start for slot in slots if slot.start.astimezone(PARIS).date() == day]


def _key(start):
    return start.astimezone(UTC).strftime("%Y%m%dT%H%M%SZ")


def book(school, start, now=NOW):
    return create_request(
        school=school,
        mode="school",
        slot=_key(start),
        data=DETAILS,
        language="fr",
        captcha="off",
        submission_key=uuid.uuid4(),
        now=now,
    )


def test_a_home_visit_from_9_15_to_9_45_hides_the_9_00_and_9_30_slots(school, leroy):
    home_visit(leroy, paris(DAY, 9, 15))

    assert starts(free_slots(school, NOW)) == [paris(DAY, 8, 30)]


def test_back_to_back_appointments_do_not_hide_a_slot(school, leroy):
    home_visit(leroy, paris(DAY, 8, 0))  # 08:00-08:30
    home_visit(leroy, paris(DAY, 10, 0))  # 10:00-10:30

    assert starts(free_slots(school, NOW)) == [paris(DAY, 8, 30), paris(DAY, 9, 0), paris(DAY, 9, 30)]


def test_an_appointment_that_started_before_the_permanence_and_runs_into_it_hides_the_first_slot(school, leroy):
    home_visit(leroy, paris(DAY, 8, 0), minutes=45)  # 08:00-08:45

    assert starts(free_slots(school, NOW)) == [paris(DAY, 9, 0), paris(DAY, 9, 30)]


def test_closed_appointments_and_other_workers_hold_no_time(school, leroy):
    home_visit(leroy, paris(DAY, 9, 15), status=Status.CANCELLED_SERVICE)
    home_visit(leroy, paris(DAY, 8, 30), status=Status.DONE)
    home_visit(make_worker("M. Martin"), paris(DAY, 9, 0))

    assert starts(free_slots(school, NOW)) == [paris(DAY, 8, 30), paris(DAY, 9, 0), paris(DAY, 9, 30)]


def test_booking_a_slot_that_overlaps_a_home_visit_is_refused_as_just_taken(school, leroy):
    # The family saw 09:00 free; the worker scheduled 09:15-09:45 before the family submitted.
    home_visit(leroy, paris(DAY, 9, 15))

    with pytest.raises(SlotTaken):
        book(school, paris(DAY, 9, 0))

    assert not AppointmentRequest.objects.filter(mode="school").exists()


def test_a_family_cannot_move_onto_a_time_the_worker_took(school, leroy):
    appointment = book(school, paris(DAY, 8, 30))
    home_visit(leroy, paris(DAY, 9, 40), minutes=20)  # 09:40-10:00

    with pytest.raises(SlotTaken):
        move_request(appointment, _key(paris(DAY, 9, 30)), moving_from_key(appointment), now=NOW)

    appointment.refresh_from_db()
    assert appointment.slot_start == paris(DAY, 8, 30)


def test_a_worker_cannot_schedule_over_a_booked_slot(school, leroy):
    book(school, paris(DAY, 9, 0))  # 09:00-09:30
    request = AppointmentRequestFactory(assigned_worker=leroy)

    with pytest.raises(operations.SlotTaken):
        operations.schedule(request, None, paris(DAY, 9, 15), paris(DAY, 10, 0), "Domicile")

    request.refresh_from_db()
    assert request.slot_start is None and request.status == Status.NEW


def test_a_worker_cannot_reschedule_into_another_appointment(leroy):
    home_visit(leroy, paris(DAY, 14, 0), minutes=60)
    moved = home_visit(leroy, paris(DAY, 16, 0))

    with pytest.raises(operations.SlotTaken):
        operations.reschedule(moved, None, paris(DAY, 14, 45), paris(DAY, 15, 15), "CCAS")

    moved.refresh_from_db()
    assert moved.slot_start == paris(DAY, 16, 0)


def test_reassigning_an_appointment_to_a_worker_who_is_busy_then_is_refused(leroy):
    martin = make_worker("M. Martin")
    home_visit(martin, paris(DAY, 9, 0), minutes=60)
    appointment = home_visit(leroy, paris(DAY, 9, 30))

    with pytest.raises(operations.SlotTaken):
        operations.reassign(appointment, None, martin, "Mme Leroy en congé")

    appointment.refresh_from_db()
    assert appointment.assigned_worker == leroy


def test_a_coming_appointment_cannot_go_to_the_service_queue_and_its_slot_stays_taken(leroy):
    # The real clock: the operation judges "coming" by it.
    school = make_school(
        make_index(make_site()),
        "École Jean-Jaurès",
        referent=leroy,
        permanences=[permanence(weekday=day) for day in range(1, 6)],
    )
    slot = free_slots(school)[0]
    appointment = book(school, slot.start, now=None)

    with pytest.raises(operations.OperationError, match="confiez-le à un travailleur social, ou annulez-le"):
        operations.reassign(appointment, None, None, "Tri")

    appointment.refresh_from_db()
    assert appointment.assigned_worker == leroy
    assert slot.start not in [s.start for s in free_slots(school)]
    with pytest.raises(SlotTaken):
        book(school, slot.start, now=None)
    # The explicit way out: cancelled by the service, the family told, the slot free again.
    operations.cancel(appointment, None, "Mme Leroy absente")
    assert appointment.notifications.filter(kind="parent_cancelled").exists()
    assert slot.start in [s.start for s in free_slots(school)]


def test_a_past_appointment_may_still_go_to_the_service_queue(leroy):
    past = home_visit(leroy, datetime.now(PARIS) - timedelta(days=2))

    operations.reassign(past, None, None, "Tri des dossiers")

    past.refresh_from_db()
    assert past.assigned_worker is None


def test_the_python_check_refuses_an_overlap_and_nothing_else(leroy):
    """The rule save_slot() asks on SQLite, called directly (on either database)."""
    home_visit(leroy, paris(DAY, 9, 15))
    overlapping = AppointmentRequestFactory.build(
        assigned_worker=leroy, status=Status.SCHEDULED, slot_start=paris(DAY, 9, 0), slot_end=paris(DAY, 9, 30)
    )
    after = AppointmentRequestFactory.build(
        assigned_worker=leroy, status=Status.SCHEDULED, slot_start=paris(DAY, 9, 45), slot_end=paris(DAY, 10, 15)
    )
    cancelled = AppointmentRequestFactory.build(
        assigned_worker=leroy, status=Status.CANCELLED_FAMILY, slot_start=paris(DAY, 9, 0), slot_end=paris(DAY, 9, 30)
    )

    with pytest.raises(TimeTaken):
        ensure_time_free(overlapping, adding=True)
    ensure_time_free(after, adding=True)
    ensure_time_free(cancelled, adding=True)
    assert issubclass(TimeTaken, IntegrityError)


def test_a_request_does_not_clash_with_itself(leroy):
    visit = home_visit(leroy, paris(DAY, 9, 0))
    visit.slot_end = paris(DAY, 9, 45)

    save_slot(visit, update_fields=["slot_end"])

    visit.refresh_from_db()
    assert visit.slot_end == paris(DAY, 9, 45)


def test_the_database_refuses_an_overlap_written_around_the_writers(leroy):
    """Even a write that skips save_slot (a bulk insert, a script): PostgreSQL's exclusion
    constraint. SQLite has none; there, save_slot is the guard (tested above)."""
    if connection.vendor != "postgresql":
        pytest.skip("SQLite has no exclusion constraint: save_slot() refuses there")
    home_visit(leroy, paris(DAY, 9, 15))
    overlapping = AppointmentRequestFactory.build(
        assigned_worker=leroy, status=Status.NEW, slot_start=paris(DAY, 9, 0), slot_end=paris(DAY, 9, 30)
    )

    with pytest.raises(IntegrityError, match="active_appointments_of_a_worker_never_overlap"):
        with transaction.atomic():
            AppointmentRequest.objects.bulk_create([overlapping])


def test_save_slot_refuses_on_every_database(leroy):
    home_visit(leroy, paris(DAY, 9, 15))
    overlapping = AppointmentRequestFactory.build(
        assigned_worker=leroy, status=Status.NEW, slot_start=paris(DAY, 9, 0), slot_end=paris(DAY, 9, 30)
    )

    with pytest.raises(IntegrityError):
        with transaction.atomic():
            save_slot(overlapping, force_insert=True)

    assert AppointmentRequest.objects.filter(assigned_worker=leroy).count() == 1
