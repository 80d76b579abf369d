"""Scheduling from free time (issue 15): the request page's schedule and reschedule actions
offer the assigned worker's free slots, the permanences she holds cut by the one availability
rule (services.availability) through the families' slot search, minus her taken time; or
another time typed in, which the database checks against her other appointments."""

import re
from datetime import UTC, date, datetime, time, timedelta

import pytest
from django.db import connection
from django.urls import reverse
from django.utils import formats, translation

from forms.booking.slots import booking_window, worker_free_slots
from forms.models import AppointmentRequest, Notification, RequestEvent
from forms.records import operations
from services.availability import held_slots, load_absences
from services.schedule import PARIS, closed_days, permanence_occurrences, today
from tests.factories import (
    AppointmentRequestFactory,
    make_absence,
    make_index,
    make_school,
    make_site,
    make_worker,
    permanence,
)
from tests.helpers import login_staff

pytestmark = pytest.mark.django_db

Status, Mode = AppointmentRequest.Status, AppointmentRequest.Mode
TUESDAY, THURSDAY = 2, 4


def paris(day: date, hour: int, minute: int = 0) -> datetime:
    return datetime.combine(day, time(hour, minute), tzinfo=PARIS)


# Monday 2 November 2026, 10:00: six weeks of Tuesdays from the 3rd.
NOW = paris(date(2026, 11, 2), 10)


def rule_slots(school, now):
    """What services.availability says the school's permanences give over the booking window."""
    earliest, latest = booking_window(now)
    first, last = earliest.astimezone(PARIS).date(), latest.astimezone(PARIS).date()
    occurrences = permanence_occurrences(school.permanences.all(), first, last, closed_days(first, last))
    return held_slots(occurrences, school.referent, load_absences([school.referent_id], first, last), earliest, latest)


def test_her_free_slots_are_the_rule_s_slots_of_her_permanences_and_those_she_replaces(db):
    index = make_index(make_site())
    leroy, martin = make_worker("Mme Leroy"), make_worker("M. Martin")
    hers = make_school(index, "École Jules-Ferry", referent=leroy, permanences=[permanence(weekday=TUESDAY)])
    his = make_school(
        index, "École Jean-Jaurès", referent=martin, permanences=[permanence(weekday=THURSDAY, end="10:00")]
    )
    # Martin is away on Thursday 5 November, she replaces him; on the 12th he is back.
    make_absence(martin, date(2026, 11, 5), date(2026, 11, 5), replacement=leroy)

    offered = worker_free_slots(leroy, now=NOW)

    replaced = [slot for slot in rule_slots(his, NOW) if slot.worker_id == leroy.pk]
    assert [slot for _school, slot in offered] == sorted(rule_slots(hers, NOW) + replaced, key=lambda s: s.start)
    assert {slot.start.date() for slot in replaced} == {date(2026, 11, 5)}
    # Tuesday the 3rd from 10:00 (a day's notice), five more Tuesdays of seven slots, one Thursday.
    assert len(offered) == 4 + 5 * 7 + 3
    assert {school.title for school, _slot in offered} == {"École Jules-Ferry", "École Jean-Jaurès"}


def test_a_taken_or_overlapped_slot_is_not_offered(db):
    index = make_index(make_site())
    leroy = make_worker("Mme Leroy")
    school = make_school(index, "École Jules-Ferry", referent=leroy, permanences=[permanence(weekday=TUESDAY)])
    tuesday = date(2026, 11, 10)
    # A family holds 9:00; a home visit from 10:15 to 10:45 overlaps the 10:00 and 10:30 slots.
    AppointmentRequestFactory(
        school=school, assigned_worker=leroy, status=Status.SCHEDULED, slot_start=paris(tuesday, 9)
    )
    AppointmentRequestFactory(
        assigned_worker=leroy, mode=Mode.HOME, status=Status.SCHEDULED, slot_start=paris(tuesday, 10, 15)
    )

    starts = {slot.start for _school, slot in worker_free_slots(leroy, now=NOW)}

    assert paris(tuesday, 8, 30) in starts and paris(tuesday, 9, 30) in starts and paris(tuesday, 11) in starts
    assert not {paris(tuesday, 9), paris(tuesday, 10), paris(tuesday, 10, 30)} & starts
    assert paris(date(2026, 11, 17), 9) in starts


# The request page, today


def next_weekday(weekday: int, after_days: int = 2) -> date:
    """The first `weekday` at least `after_days` from today (past the minimum notice)."""
    day = today() + timedelta(days=after_days)
    return day + timedelta(days=(weekday - day.isoweekday()) % 7)


def detail(client, user, request):
    login_staff(client, user)
    return client.get(reverse("forms_admin:detail", args=[request.pk])).content.decode()


def act(client, user, request, action, data):
    login_staff(client, user)
    return client.post(reverse("forms_admin:action", args=[request.pk, action]), data)


def offered_keys(content, name="schedule"):
    return re.findall(rf'name="{name}-slot" id="[^"]+" value="(\d{{8}}T\d{{6}}Z)"', content)


def test_the_schedule_form_offers_her_free_slots_one_fieldset_per_day(client, world):
    tuesday = next_weekday(TUESDAY)
    AppointmentRequestFactory(
        school=world.school, assigned_worker=world.leroy, status=Status.SCHEDULED, slot_start=paris(tuesday, 9)
    )
    request = AppointmentRequestFactory(school=world.school, assigned_worker=world.leroy)

    content = detail(client, world.worker, request)
    translation.activate("fr")

    free = [slot for _school, slot in worker_free_slots(world.leroy)]
    assert free and offered_keys(content) == [slot.key for slot in free]
    assert paris(tuesday, 9).astimezone(UTC).strftime("%Y%m%dT%H%M%SZ") not in offered_keys(content)
    days = sorted({slot.start.astimezone(PARIS).date() for slot in free})
    assert content.count('<fieldset class="request-slot-day">') == len(days)
    first_legend = formats.date_format(days[0], "l j F Y")
    assert f"<legend>{first_legend}</legend>" in content
    assert "<legend>Un autre moment</legend>" in content and "<legend>Modalité</legend>" in content
    assert 'value="other"' in content and "Un autre moment" in content


def test_choosing_a_free_slot_schedules_it_at_the_school_and_tells_the_family(client, world):
    request = AppointmentRequestFactory(
        school=world.school, assigned_worker=world.leroy, mode=Mode.PHONE, email="famille@example.org"
    )
    _school, slot = worker_free_slots(world.leroy)[0]

    response = act(client, world.worker, request, "schedule", {"schedule-slot": slot.key})

    assert response.status_code == 302
    request.refresh_from_db()
    assert (request.slot_start, request.slot_end, request.status) == (slot.start, slot.end, Status.SCHEDULED)
    assert request.mode == Mode.SCHOOL and request.place.startswith("École Jules-Ferry")
    assert Notification.objects.filter(request=request, kind=Notification.Kind.PARENT_SCHEDULED).exists()
    assert request.events.filter(kind=RequestEvent.Kind.SCHEDULED).count() == 1


def test_rescheduling_moves_to_another_of_her_free_slots(client, world):
    first, second = [slot for _school, slot in worker_free_slots(world.leroy)[:2]]
    request = AppointmentRequestFactory(
        school=world.school, assigned_worker=world.leroy, status=Status.SCHEDULED, slot_start=first.start
    )
    # Its own slot is her time already: not offered again.
    assert first.key not in offered_keys(detail(client, world.worker, request), "reschedule")

    act(client, world.worker, request, "reschedule", {"reschedule-slot": second.key})

    request.refresh_from_db()
    assert request.slot_start == second.start
    event = request.events.get(kind=RequestEvent.Kind.RESCHEDULED)
    assert datetime.fromisoformat(event.data["previous_start"]) == first.start


def test_a_slot_taken_since_the_page_was_shown_is_refused_and_the_others_offered(client, world):
    _school, slot = worker_free_slots(world.leroy)[0]
    request = AppointmentRequestFactory(school=world.school, assigned_worker=world.leroy)
    AppointmentRequestFactory(
        school=world.school, assigned_worker=world.leroy, status=Status.SCHEDULED, slot_start=slot.start
    )

    response = act(client, world.worker, request, "schedule", {"schedule-slot": slot.key})

    assert response.status_code == 400
    content = response.content.decode()
    assert "Ce créneau n&#x27;est plus libre" in content or "Ce créneau n'est plus libre" in content
    assert offered_keys(content) and slot.key not in offered_keys(content)
    request.refresh_from_db()
    assert request.slot_start is None


def test_a_slot_taken_after_the_form_was_checked_is_refused_by_the_shared_sequence(world):
    _school, slot = worker_free_slots(world.leroy)[0]
    request = AppointmentRequestFactory(school=world.school, assigned_worker=world.leroy)
    AppointmentRequestFactory(
        school=world.school, assigned_worker=world.leroy, status=Status.SCHEDULED, slot_start=slot.start
    )

    with pytest.raises(operations.SlotTaken, match="vient d'être pris"):
        operations.schedule_free_slot(request, world.worker, slot.key)

    request.refresh_from_db()
    assert request.slot_start is None and not request.events.filter(kind=RequestEvent.Kind.SCHEDULED).exists()


def test_another_time_at_home_is_scheduled_with_its_mode(client, world):
    request = AppointmentRequestFactory(school=world.school, assigned_worker=world.leroy)
    day = next_weekday(5)

    response = act(
        client,
        world.worker,
        request,
        "schedule",
        {
            "schedule-slot": "other",
            "schedule-day": day.isoformat(),
            "schedule-time": "15:00",
            "schedule-duration": "60",
            "schedule-mode": Mode.HOME,
            "schedule-place": "12 rue des Lilas",
        },
    )

    assert response.status_code == 302
    request.refresh_from_db()
    assert (request.slot_start, request.slot_end) == (paris(day, 15), paris(day, 16))
    assert (request.mode, request.place) == (Mode.HOME, "12 rue des Lilas")


def test_another_time_over_her_other_appointment_is_refused_by_the_database_and_keeps_the_input(client, world):
    assert connection.vendor == "postgresql"  # the exclusion constraint refuses it, not Python
    day = next_weekday(5)
    AppointmentRequestFactory(
        assigned_worker=world.leroy, mode=Mode.CCAS, status=Status.SCHEDULED, slot_start=paris(day, 15, 30)
    )
    request = AppointmentRequestFactory(school=world.school, assigned_worker=world.leroy)

    response = act(
        client,
        world.worker,
        request,
        "schedule",
        {
            "schedule-day": day.isoformat(),
            "schedule-time": "15:00",
            "schedule-duration": "60",
            "schedule-mode": Mode.HOME,
            "schedule-place": "12 rue des Lilas",
        },
    )

    assert response.status_code == 400
    content = response.content.decode()
    assert "Ce créneau est déjà pris" in content
    assert 'value="12 rue des Lilas"' in content and f'value="{day.isoformat()}"' in content
    request.refresh_from_db()
    assert request.slot_start is None and request.status == Status.NEW


def test_another_time_needs_its_date_time_and_place(client, world):
    response = act(client, world.worker, world.request, "schedule", {"schedule-slot": "other"})

    assert response.status_code == 400
    content = response.content.decode()
    # Each missing field is marked invalid (date, time, place), the typed entry kept open.
    assert content.count('aria-invalid="true"') >= 3
    assert '<details class="request-form" open>' in content


def test_a_day_she_is_absent_is_refused_with_the_reason_and_offers_no_slot(client, world):
    tuesday = next_weekday(TUESDAY)
    make_absence(world.leroy, tuesday, tuesday)
    request = AppointmentRequestFactory(school=world.school, assigned_worker=world.leroy)

    assert not [s for _school, s in worker_free_slots(world.leroy) if s.start.astimezone(PARIS).date() == tuesday]
    response = act(
        client,
        world.worker,
        request,
        "schedule",
        {
            "schedule-day": tuesday.isoformat(),
            "schedule-time": "14:00",
            "schedule-duration": "30",
            "schedule-mode": Mode.CCAS,
            "schedule-place": "CCAS",
        },
    )

    assert response.status_code == 400
    assert "absent·e ce jour-là" in response.content.decode()
    request.refresh_from_db()
    assert request.slot_start is None


def test_a_bad_slot_key_is_a_form_error_not_a_500(client, world):
    for value in ["20301301T250000Z", "x" * 300, "other'"]:
        response = act(client, world.worker, world.request, "schedule", {"schedule-slot": value})
        assert response.status_code == 400


def test_her_free_slots_cost_the_same_queries_whatever_her_number_of_schools(db, django_assert_num_queries):
    index = make_index(make_site())
    leroy = make_worker("Mme Leroy")
    make_school(index, "École 1", referent=leroy, permanences=[permanence(weekday=1)])
    worker_free_slots(leroy, now=NOW)  # the booking settings are created on their first reading
    with django_assert_num_queries(7):
        worker_free_slots(leroy, now=NOW)
    for weekday in (2, 3, 4, 5):
        make_school(index, f"École {weekday}", referent=leroy, permanences=[permanence(weekday=weekday)])

    with django_assert_num_queries(7):
        assert len({school for school, _slot in worker_free_slots(leroy, now=NOW)}) == 5
