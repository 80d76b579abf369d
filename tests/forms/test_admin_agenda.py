"""A worker's week (permanences and appointments) and the dashboard panels."""

from datetime import date, timedelta

from django.urls import reverse

from forms.admin.agenda import parse_week, week_label
from forms.models import AppointmentRequest
from services.schedule import today
from tests.factories import AppointmentRequestFactory, make_absence
from tests.forms.workers_side import future
from tests.helpers import login_staff

Status = AppointmentRequest.Status


def agenda(client, user, query=""):
    login_staff(client, user)
    response = client.get(reverse("forms_admin:agenda") + query)
    assert response.status_code == 200
    return response


def test_weeks_are_read_and_written_as_iso_weeks():
    assert parse_week("2026-W48") == date(2026, 11, 23)
    assert week_label(date(2026, 11, 23)) == "2026-W48"
    assert parse_week("2026-W99") == parse_week(None) == today() - timedelta(days=today().weekday())


def test_the_week_shows_the_workers_permanences_and_appointments_by_day(client, world):
    monday = future(days=7).date() - timedelta(days=future(days=7).date().weekday())
    start = future(days=(monday - today()).days + 1, hour=9)  # Tuesday, the permanence day
    appointment = AppointmentRequestFactory(
        school=world.school, assigned_worker=world.leroy, status=Status.SCHEDULED, slot_start=start
    )
    cancelled = AppointmentRequestFactory(
        school=world.school,
        assigned_worker=world.leroy,
        status=Status.CANCELLED_FAMILY,
        slot_start=start + timedelta(hours=1),
    )

    response = agenda(client, world.worker, f"?week={week_label(monday)}")

    days = {d["day"]: d for d in response.context["days"]}
    tuesday = days[monday + timedelta(days=1)]
    assert [s.occurrence.permanence.school.title for s in tuesday["permanences"]] == ["École Jules-Ferry"]
    assert tuesday["appointments"] == [appointment]
    assert cancelled.reference not in response.content.decode()
    assert response.context["next_week"] == week_label(monday + timedelta(days=7))


def test_a_replacement_sees_the_absent_referents_permanences(client, world):
    monday = future(days=14).date() - timedelta(days=future(days=14).date().weekday())
    make_absence(world.leroy, monday, monday + timedelta(days=4), replacement=world.benali)

    response = agenda(client, world.other_worker, f"?week={week_label(monday)}")

    tuesday = next(d for d in response.context["days"] if d["day"] == monday + timedelta(days=1))
    assert tuesday["permanences"][0].replacing == world.leroy


def test_the_manager_switches_worker(client, world):
    response = agenda(client, world.manager, f"?worker={world.benali.pk}")

    assert response.context["worker"] == world.benali
    assert world.leroy in response.context["workers"]


def test_the_agenda_is_printable(client, world):
    assert "@media print" in agenda(client, world.worker).content.decode()


def test_the_dashboard_shows_my_new_requests_and_my_appointments_today_and_tomorrow(client, world):
    tomorrow = future(days=1, hour=11)
    later = AppointmentRequestFactory(
        school=world.school, assigned_worker=world.leroy, status=Status.SCHEDULED, slot_start=tomorrow
    )
    far = AppointmentRequestFactory(
        school=world.school, assigned_worker=world.leroy, status=Status.SCHEDULED, slot_start=future(days=9)
    )
    login_staff(client, world.worker)

    content = client.get("/admin/").content.decode()

    assert "Mes nouvelles demandes (1)" in content and world.request.reference in content
    assert world.other_request.reference not in content
    assert later.reference in content and far.reference not in content


def test_the_manager_dashboard_shows_the_new_requests_of_the_service_queue(client, world):
    login_staff(client, world.manager)

    content = client.get("/admin/").content.decode()

    assert world.service_request.reference in content
    assert world.request.reference not in content
