"""A real race (DESIGN.md rule 2): twenty families book the same slot at the same moment from
twenty threads with their own database connections. The unique constraint decides: exactly
one request, nineteen clear SlotTaken refusals, no other error. And races for times that
overlap without sharing a start: the exclusion constraint on a worker's time decides."""

import threading
import time
import uuid
from datetime import timedelta

import pytest
from django.db import connection, transaction
from django.utils import timezone

from forms.booking.create import SlotTaken, create_request
from forms.booking.slots import TimeContended, free_slots, save_slot
from forms.models import AppointmentRequest
from forms.records import operations
from services.schedule import PARIS
from tests.factories import AppointmentRequestFactory, SchoolPageFactory, SocialWorkerFactory

FAMILIES = 20


@pytest.mark.django_db(transaction=True, serialized_rollback=True)
def test_twenty_families_racing_for_one_slot_get_one_booking_and_nineteen_refusals():
    if connection.vendor != "postgresql":
        pytest.skip("SQLite serialises every writer on one database lock: the race needs PostgreSQL")
    school = SchoolPageFactory(bookable_every_weekday=True)
    slot = free_slots(school)[0]
    start = threading.Barrier(FAMILIES)
    outcomes = []
    lock = threading.Lock()

    def family(number):
        try:
            start.wait(timeout=30)
            request = create_request(
                school=school,
                mode="school",
                slot=slot.key,
                data={
                    "reason": "schooling",
                    "requester": "parent",
                    "parent_name": f"Famille {number}",
                    "phone": "+33612345678",
                },
                language="fr",
                captcha="off",
                submission_key=uuid.uuid4(),
            )
            outcome = ("booked", request.pk)
        except SlotTaken:
            outcome = ("taken", None)
        except Exception as error:  # noqa: BLE001  anything else is a failure to report
            outcome = ("error", repr(error))
        finally:
            connection.close()
        with lock:
            outcomes.append(outcome)

    threads = [threading.Thread(target=family, args=(n,)) for n in range(FAMILIES)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join(timeout=120)

    kinds = [kind for kind, _detail in outcomes]
    assert [outcome for outcome in outcomes if outcome[0] == "error"] == []
    assert kinds.count("booked") == 1
    assert kinds.count("taken") == FAMILIES - 1
    assert AppointmentRequest.objects.filter(slot_start=slot.start).count() == 1


def _race(callables):
    """Run the callables at the same moment from threads with their own connections; returns
    their outcomes: ("ok", value), ("taken", None) or ("error", repr)."""
    barrier = threading.Barrier(len(callables))
    outcomes = []
    lock = threading.Lock()

    def run(call):
        try:
            barrier.wait(timeout=30)
            outcome = ("ok", call())
        except (SlotTaken, operations.SlotTaken):
            outcome = ("taken", None)
        except Exception as error:  # noqa: BLE001  anything else is a failure to report
            outcome = ("error", repr(error))
        finally:
            connection.close()
        with lock:
            outcomes.append(outcome)

    threads = [threading.Thread(target=run, args=(call,)) for call in callables]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join(timeout=120)
    return outcomes


def _booking(school, slot, number):
    return lambda: (
        create_request(
            school=school,
            mode="school",
            slot=slot.key,
            data={
                "reason": "schooling",
                "requester": "parent",
                "parent_name": f"Famille {number}",
                "phone": "+33612345678",
            },
            language="fr",
            captcha="off",
            submission_key=uuid.uuid4(),
        ).pk
    )


@pytest.mark.django_db(transaction=True, serialized_rollback=True)
def test_ten_families_and_ten_home_visits_racing_for_overlapping_times_of_one_worker_give_one_appointment():
    """Ten families book 09:00-09:30 while the service schedules ten home visits at 09:15-09:45
    for the same worker (a permanence's slots never overlap each other, and one worker's
    permanences never overlap: overlapping times come from appointments off the grid)."""
    if connection.vendor != "postgresql":
        pytest.skip("SQLite serialises every writer on one database lock: the race needs PostgreSQL")
    school = SchoolPageFactory(bookable_every_weekday=True)
    worker = school.referent
    slot = free_slots(school)[0]
    visit = slot.start + timedelta(minutes=15)
    waiting = [AppointmentRequestFactory(assigned_worker=worker, mode="home") for _n in range(FAMILIES // 2)]

    def home_visit(request):
        return lambda: operations.schedule(request, None, visit, visit + timedelta(minutes=30), "Domicile").pk

    outcomes = _race(
        [_booking(school, slot, n) for n in range(FAMILIES // 2)] + [home_visit(request) for request in waiting]
    )

    kinds = [kind for kind, _detail in outcomes]
    assert [outcome for outcome in outcomes if outcome[0] == "error"] == []
    assert kinds.count("ok") == 1
    assert kinds.count("taken") == FAMILIES - 1
    held = AppointmentRequest.objects.filter(assigned_worker=worker, slot_start__isnull=False)
    assert held.count() == 1


@pytest.mark.django_db(transaction=True, serialized_rollback=True)
def test_a_family_booking_and_the_worker_scheduling_a_home_visit_over_it_at_the_same_moment():
    """The worker schedules 09:15-09:45 while a family books 09:00-09:30: one of them wins, the
    other is told the time is taken, round after round."""
    if connection.vendor != "postgresql":
        pytest.skip("SQLite serialises every writer on one database lock: the race needs PostgreSQL")
    school = SchoolPageFactory(bookable_every_weekday=True)
    worker = school.referent
    slots = free_slots(school)[:10:2]  # five slots, an hour apart: one round each
    waiting = [AppointmentRequestFactory(assigned_worker=worker, mode="home") for _slot in slots]

    for slot, request in zip(slots, waiting, strict=True):
        visit = slot.start + timedelta(minutes=15)
        outcomes = _race(
            [
                _booking(school, slot, slot.start.minute),
                lambda request=request, visit=visit: (
                    operations.schedule(request, None, visit, visit + timedelta(minutes=30), "Domicile").pk
                ),
            ]
        )

        kinds = sorted(kind for kind, _detail in outcomes)
        assert kinds == ["ok", "taken"], outcomes
        held = AppointmentRequest.objects.filter(
            assigned_worker=worker, slot_start__lt=slot.end + timedelta(minutes=15), slot_end__gt=slot.start
        )
        assert held.count() == 1


@pytest.mark.django_db(transaction=True, serialized_rollback=True)
def test_two_writers_deadlocked_in_the_exclusion_check_get_a_refusal_not_an_error():
    """Writer A gives the worker 09:00-09:30 and, uncommitted, 10:00-10:30; writer B meanwhile
    gives her 09:15-10:15, which overlaps both. B's check waits on A's first row, A's second
    check waits on B's row: PostgreSQL aborts the writer that waited longest (B) with
    deadlock_detected, which save_slot() turns into TimeContended, a refusal every writer
    already tells apart (before, the family got a 500)."""
    if connection.vendor != "postgresql":
        pytest.skip("SQLite serialises every writer on one database lock: no deadlock there")
    worker = SocialWorkerFactory()
    first, second, third = (AppointmentRequestFactory(assigned_worker=worker, mode="home") for _n in range(3))
    nine = (timezone.now() + timedelta(days=7)).astimezone(PARIS).replace(hour=9, minute=0, second=0, microsecond=0)
    b_waiting = threading.Event()
    outcome = {}

    def give(request, start, minutes):
        request.slot_start, request.slot_end = start, start + timedelta(minutes=minutes)
        request.status = AppointmentRequest.Status.SCHEDULED
        save_slot(request, update_fields=["slot_start", "slot_end", "status"])

    def writer_a():
        try:
            with transaction.atomic():
                give(first, nine, 30)
                a_first.set()
                b_waiting.wait(timeout=10)
                time.sleep(0.3)  # B is now waiting on this row
                give(third, nine + timedelta(hours=1), 30)
            outcome["a"] = "ok"
        except Exception as error:  # noqa: BLE001  reported by the assertion
            outcome["a"] = error
        finally:
            connection.close()

    def writer_b():
        try:
            a_first.wait(timeout=10)
            with transaction.atomic():
                b_waiting.set()
                give(second, nine + timedelta(minutes=15), 60)
            outcome["b"] = "ok"
        except Exception as error:  # noqa: BLE001
            outcome["b"] = error
        finally:
            connection.close()

    a_first = threading.Event()
    threads = [threading.Thread(target=writer_a), threading.Thread(target=writer_b)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join(timeout=60)

    results = sorted((outcome["a"], outcome["b"]), key=lambda value: value != "ok")
    assert results[0] == "ok"
    assert isinstance(results[1], TimeContended), outcome
    held = AppointmentRequest.objects.filter(assigned_worker=worker, slot_start__isnull=False)
    assert held.count() in (1, 2)
