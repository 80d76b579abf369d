"""Going on leave in one step (forms.admin.leave): the absence form lists the appointments and open
requests of the period and moves them in one action, through the operations' rules (the slot
rules, the absence rule, the messages on assignment); what cannot move stays, with the reason."""

import importlib
from datetime import timedelta

import pytest
from django.contrib.messages import get_messages
from django.urls import reverse

from forms.models import AppointmentRequest, Notification
from services.models import WorkerAbsence
from services.schedule import today
from tests.factories import AppointmentRequestFactory, make_absence
from tests.forms.workers_side import future
from tests.helpers import login_staff, parse

Kind = Notification.Kind
Status = AppointmentRequest.Status
URL = reverse("forms_admin:leave")


def next_week():
    return today() + timedelta(days=7), today() + timedelta(days=11)


def leave_data(world, worker=None, replacement=None, **extra):
    first_day, last_day = next_week()
    data = {
        "worker": (worker or world.leroy).pk,
        "first_day": first_day.isoformat(),
        "last_day": last_day.isoformat(),
        "replacement": replacement.pk if replacement else "",
        "note": "Congé",
    }
    data.update(extra)
    return data


def appointment(world, worker, days, hour=10, **fields):
    return AppointmentRequestFactory(
        school=world.school,
        assigned_worker=worker,
        status=Status.SCHEDULED,
        slot_start=future(days, hour),
        slot_end=future(days, hour, 30),
        notify_by="email",
        **fields,
    )


@pytest.fixture
def three(world):
    world.benali.email = "k.benali@ccas.example.fr"
    world.benali.save()
    return [appointment(world, world.leroy, days) for days in (8, 9, 10)]


def messages_of(response):
    return [str(m) for m in get_messages(response.wsgi_request)]


def test_the_worker_moves_her_three_appointments_to_her_replacement_in_one_step(client, world, three):
    login_staff(client, world.worker)
    data = leave_data(world, replacement=world.benali, step="preview")

    preview = client.post(URL, data)

    assert preview.status_code == 200
    listed = preview.content.decode()
    for request in [*three, world.request]:
        assert request.reference in listed
    assert not WorkerAbsence.objects.exists(), "the preview records nothing"
    assert not Notification.objects.filter(kind=Kind.WORKER_NEW).exists()

    response = client.post(URL, {**data, "step": "confirm", "move": "replacement"})

    assert response.status_code == 302
    assert client.get(response["Location"]).status_code == 200, "she lands on a page she may see"
    absence = WorkerAbsence.objects.get()
    assert (absence.worker, absence.replacement, absence.note) == (world.leroy, world.benali, "Congé")
    for request in [*three, world.request]:
        request.refresh_from_db()
        assert request.assigned_worker == world.benali
    # The families are told the new worker's name; the replacement gets each request's message.
    for request in three:
        assert Notification.objects.filter(request=request, kind=Kind.PARENT_SCHEDULED, recipient=request.email)
    received = Notification.objects.filter(kind=Kind.WORKER_NEW, recipient="k.benali@ccas.example.fr")
    assert set(received.values_list("request", flat=True)) == {r.pk for r in [*three, world.request]}
    assert "4 demandes confiées à M. Karim Benali." in messages_of(response)


def test_the_manager_moves_a_workers_requests_to_the_service_queue_and_the_appointments_stay(client, world, three):
    login_staff(client, world.manager)

    response = client.post(URL, leave_data(world, step="confirm", move="service"))

    assert response.status_code == 302
    world.request.refresh_from_db()
    assert world.request.assigned_worker is None, "an open request without appointment goes to the service queue"
    for request in three:
        request.refresh_from_db()
        # The service queue holds nobody's time: an appointment stays with its worker, the reason said.
        assert request.assigned_worker == world.leroy
    said = messages_of(response)
    assert "1 demande mise dans la file du service." in said
    assert sum("confiez-le à un travailleur social" in m for m in said) == 3
    assert WorkerAbsence.objects.filter(worker=world.leroy, replacement=None).exists()


def test_leaving_them_records_the_absence_and_moves_nothing(client, world, three):
    login_staff(client, world.assistant)

    client.post(URL, leave_data(world, replacement=world.benali, step="confirm", move="leave"))

    assert WorkerAbsence.objects.filter(worker=world.leroy, replacement=world.benali).exists()
    assert set(
        AppointmentRequest.objects.filter(pk__in=[r.pk for r in three]).values_list("assigned_worker", flat=True)
    ) == {world.leroy.pk}


def test_an_absent_replacement_is_refused_with_the_reason(client, world, three):
    first_day, _last = next_week()
    make_absence(world.benali, first_day + timedelta(days=1), first_day + timedelta(days=2))
    login_staff(client, world.worker)

    response = client.post(URL, leave_data(world, replacement=world.benali, step="confirm", move="replacement"))

    assert response.status_code == 400
    assert "M. Karim Benali est absent·e pendant cette période" in response.content.decode()
    assert not WorkerAbsence.objects.filter(worker=world.leroy).exists()
    for request in three:
        request.refresh_from_db()
        assert request.assigned_worker == world.leroy


def test_an_appointment_that_clashes_with_the_replacements_own_stays_and_is_reported(client, world, three):
    appointment(world, world.benali, 9)  # the replacement's own appointment, at the time of the second one
    login_staff(client, world.worker)
    data = leave_data(world, replacement=world.benali)

    preview = client.post(URL, {**data, "step": "preview"})
    response = client.post(URL, {**data, "step": "confirm", "move": "replacement"})

    # Reference, appointment, then what moving it to the replacement would do.
    to_replacement = {row.find("a").text: row.find_all("td")[2].text for row in parse(preview).select("tbody tr")}
    assert "a déjà un rendez-vous à cette heure-là" in to_replacement[three[1].reference]
    assert to_replacement[three[0].reference] == "Déplacée"
    assert response.status_code == 302
    assigned = {r.pk: r.assigned_worker for r in AppointmentRequest.objects.filter(pk__in=[r.pk for r in three])}
    assert assigned == {three[0].pk: world.benali, three[1].pk: world.leroy, three[2].pk: world.benali}
    warning = next(m for m in messages_of(response) if three[1].reference in m)
    assert "M. Karim Benali a déjà un rendez-vous à cette heure-là." in warning
    assert not Notification.objects.filter(request=three[1], kind=Kind.PARENT_SCHEDULED).exists()


def test_a_worker_cannot_declare_a_colleagues_absence(client, world, three):
    login_staff(client, world.worker)

    page = client.get(URL)
    response = client.post(URL, leave_data(world, worker=world.benali, step="confirm", move="service"))

    assert f'value="{world.leroy.pk}"' in page.content.decode()
    assert world.benali.public_name not in str(parse(page).find("fieldset").find_all("p"))
    assert response.status_code == 403
    assert not WorkerAbsence.objects.exists()


def test_bad_input_is_a_form_error_not_a_500(client, world):
    login_staff(client, world.manager)
    first_day, last_day = next_week()

    for data in [
        {"worker": "x", "first_day": "demain", "last_day": ""},
        {"worker": world.leroy.pk, "first_day": last_day.isoformat(), "last_day": first_day.isoformat()},
        {**leave_data(world, replacement=world.leroy)},
        {**leave_data(world), "step": "confirm", "move": "replacement"},
    ]:
        response = client.post(URL, data)
        assert response.status_code in (200, 400)
    assert not WorkerAbsence.objects.exists()


def test_an_absence_over_an_existing_one_is_refused(client, world):
    first_day, last_day = next_week()
    make_absence(world.leroy, last_day, last_day + timedelta(days=3))
    login_staff(client, world.manager)

    response = client.post(URL, leave_data(world, step="confirm", move="leave"))

    assert response.status_code == 400
    assert "Mme Claire Leroy a déjà une absence sur ces jours" in response.content.decode()
    assert WorkerAbsence.objects.count() == 1


def test_a_request_is_not_given_to_a_worker_absent_today(client, world):
    make_absence(world.benali, today(), today())
    login_staff(client, world.manager)

    response = client.post(
        reverse("forms_admin:action", args=[world.service_request.pk, "reassign"]),
        {"reassign-worker": world.benali.pk, "reassign-reason": "Triage"},
    )

    assert response.status_code == 400
    assert "M. Karim Benali est absent·e aujourd&#x27;hui" in response.content.decode()
    world.service_request.refresh_from_db()
    assert world.service_request.assigned_worker is None


def test_after_handing_a_request_away_the_worker_lands_on_her_queue(client, world):
    login_staff(client, world.worker)

    response = client.post(
        reverse("forms_admin:action", args=[world.request.pk, "reassign"]),
        {"reassign-worker": world.benali.pk, "reassign-reason": "Hors secteur"},
    )

    assert response["Location"] == reverse("forms_admin:index")
    assert client.get(response["Location"]).status_code == 200


def test_the_migration_takes_the_absences_from_an_existing_communication_group(db):
    # A database migrated before: the communication group still holds the absences' permissions.
    from django.contrib.auth.models import Group, Permission
    from django.db import connection
    from django.db.migrations.loader import MigrationLoader

    from forms.records.permissions import ASSISTANTS, MANAGER
    from services.roles import COMMUNICATION

    migration = importlib.import_module("forms.migrations.0014_leave")
    communication = Group.objects.get(name=COMMUNICATION)
    absences = Permission.objects.filter(content_type__app_label="services", codename__endswith="_workerabsence")
    communication.permissions.add(*absences)

    # The models as the migration sees them (never the live registry, which it would alter).
    migration.grant(MigrationLoader(connection).project_state(("forms", "0014_leave")).apps, None)

    assert not communication.permissions.filter(codename__endswith="_workerabsence").exists()
    assert communication.permissions.filter(codename="change_socialworker").exists(), "the directory stays theirs"
    for name in (MANAGER, ASSISTANTS):
        held = set(Group.objects.get(name=name).permissions.values_list("codename", flat=True))
        assert {"manage_worker_routing", "change_socialworker", "publish_socialworker", "add_workerabsence"} <= held


def test_the_menu_and_the_workers_dashboard_link_to_the_leave_page(client, world):
    worker = login_staff(client, world.worker).get("/admin/").content.decode()
    manager = login_staff(client, world.manager).get("/admin/").content.decode()
    communication = login_staff(client, world.communication).get("/admin/").content.decode()

    # Her appointments' panel links to it; the sidebar's menu (its JSON) names it for every declaring role.
    assert f'href="{URL}"' in worker
    assert URL in manager
    assert URL not in communication
