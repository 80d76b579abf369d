"""The queue's bulk actions (issue 15): acknowledge, or reassign with a reason, the ticked
requests, each through its single-request operation, only on requests the user may see."""

import pytest
from django.contrib.messages import get_messages
from django.test import Client
from django.urls import reverse

from forms.models import AccessRecord, AppointmentRequest, Notification, RequestEvent
from tests.factories import AppointmentRequestFactory, make_absence
from tests.forms.workers_side import future
from tests.helpers import login_staff

Status, Kind = AppointmentRequest.Status, RequestEvent.Kind
BULK = "forms_admin:bulk_action"


def bulk(client, user, requests, action, **fields):
    login_staff(client, user)
    data = {"selected": [r.pk for r in requests], "action": action, **fields}
    return client.post(reverse(BULK), data)


def said(response):
    return [str(message) for message in get_messages(response.wsgi_request)]


def statuses(*requests):
    return [AppointmentRequest.objects.get(pk=r.pk).status for r in requests]


def test_a_worker_acknowledges_her_ticked_requests_and_lands_back_on_the_queue(client, world):
    second = AppointmentRequestFactory(school=world.school, assigned_worker=world.leroy)
    back = reverse("forms_admin:index") + "?tab=new"

    response = bulk(client, world.worker, [world.request, second], "acknowledge", next=back)

    assert response.status_code == 302 and response["Location"] == back
    assert statuses(world.request, second) == [Status.ACKNOWLEDGED, Status.ACKNOWLEDGED]
    assert world.request.events.filter(kind=Kind.ACKNOWLEDGED, user=world.worker).count() == 1
    assert said(response) == ["2 demandes sont prises en compte."]


def test_reassigning_in_bulk_keeps_the_reason_and_tells_the_new_worker_once_per_request(client, world):
    world.leroy.email = "c.leroy@ccas.example.fr"
    world.leroy.save()
    triaged = [world.service_request, AppointmentRequestFactory(), AppointmentRequestFactory()]

    response = bulk(
        client, world.manager, triaged, "reassign", worker=world.leroy.pk, reason="École Jules-Ferry, triage"
    )

    assert said(response) == ["3 demandes sont réaffectées."]
    for request in triaged:
        request.refresh_from_db()
        assert request.assigned_worker == world.leroy
        event = request.events.get(kind=Kind.REASSIGNED)
        assert (event.data["reason"], event.user) == ("École Jules-Ferry, triage", world.manager)
        told = Notification.objects.filter(request=request, kind=Notification.Kind.WORKER_NEW)
        assert list(told.values_list("recipient", flat=True)) == ["c.leroy@ccas.example.fr"]


def test_reassigning_needs_a_reason_and_changes_nothing_without_one(client, world):
    response = bulk(client, world.manager, [world.service_request], "reassign", worker=world.leroy.pk, reason=" ")

    assert response.status_code == 302
    assert said(response) == ["Donnez la raison de la réaffectation."]
    world.service_request.refresh_from_db()
    assert world.service_request.assigned_worker is None


def test_each_refused_request_is_reported_with_its_reason(client, world):
    closed = AppointmentRequestFactory(school=world.school, assigned_worker=world.leroy, status=Status.DONE)
    acknowledged = AppointmentRequestFactory(
        school=world.school, assigned_worker=world.leroy, status=Status.ACKNOWLEDGED
    )

    response = bulk(client, world.worker, [world.request, closed, acknowledged], "acknowledge")

    assert statuses(world.request, closed, acknowledged) == [Status.ACKNOWLEDGED, Status.DONE, Status.ACKNOWLEDGED]
    assert said(response) == [
        "1 demande est prise en compte.",
        f"{closed.reference} non traitée : elle n'est pas nouvelle",
        f"{acknowledged.reference} non traitée : elle n'est pas nouvelle",
    ]


def test_an_appointment_is_not_reassigned_in_bulk_to_a_colleague_absent_that_day(client, world):
    appointment = AppointmentRequestFactory(
        school=world.school, assigned_worker=world.leroy, status=Status.SCHEDULED, slot_start=future(days=5)
    )
    make_absence(world.benali, future(days=5).date(), future(days=5).date())

    response = bulk(
        client, world.manager, [appointment, world.request], "reassign", worker=world.benali.pk, reason="Congé"
    )

    appointment.refresh_from_db()
    assert appointment.assigned_worker == world.leroy
    messages = said(response)
    assert messages[0] == "1 demande est réaffectée."
    assert messages[1].startswith(f"{appointment.reference} non traitée : M. Karim Benali est absent·e ce jour-là")


def test_a_worker_cannot_bulk_act_on_another_worker_s_request_and_the_attempt_is_logged(client, world):
    response = bulk(
        client, world.worker, [world.other_request, world.service_request], "reassign", worker="", reason="x"
    )

    assert response.status_code == 302
    assert statuses(world.other_request, world.service_request) == [Status.NEW, Status.NEW]
    assert world.other_request.assigned_worker == world.benali
    assert not RequestEvent.objects.filter(kind=Kind.REASSIGNED).exists()
    assert said(response) == ["2 demandes cochées sont introuvables dans vos files."]
    refused = AccessRecord.objects.filter(user=world.worker, what=AccessRecord.What.REFUSED)
    assert sorted(r.detail["request"] for r in refused) == sorted([world.other_request.pk, world.service_request.pk])


def test_communication_staff_are_refused(client, world):
    response = bulk(client, world.communication, [world.request], "acknowledge")

    assert response.status_code == 403
    assert statuses(world.request) == [Status.NEW]


def test_bulk_actions_need_a_post_with_the_csrf_token(client, world):
    login_staff(client, world.worker)
    assert client.get(reverse(BULK)).status_code == 405
    checked = Client(enforce_csrf_checks=True)
    login_staff(checked, world.worker)

    response = checked.post(reverse(BULK), {"selected": [world.request.pk], "action": "acknowledge"})

    assert response.status_code == 403
    assert statuses(world.request) == [Status.NEW]


@pytest.mark.parametrize(
    "data",
    [
        {},
        {"action": "acknowledge"},
        {"selected": ["abc"], "action": "acknowledge"},
        {"selected": ["9" * 40], "action": "acknowledge"},
        {"selected": ["1"], "action": "delete"},
        {"selected": ["1"], "action": "reassign", "worker": "nobody", "reason": "x"},
        {"selected": ["1"], "action": "acknowledge", "next": "https://evil.example/"},
    ],
)
def test_bad_input_lands_back_on_the_queue_with_a_message_never_a_500(client, world, data):
    login_staff(client, world.worker)

    response = client.post(reverse(BULK), data)

    assert response.status_code == 302 and response["Location"] == reverse("forms_admin:index")
    assert said(response)


def test_the_queue_offers_the_bulk_form_without_javascript(client, world):
    login_staff(client, world.worker)

    content = client.get(reverse("forms_admin:index") + "?tab=new").content.decode()

    assert f'action="{reverse(BULK)}"' in content and 'name="csrfmiddlewaretoken"' in content
    assert f'name="selected" value="{world.request.pk}" id="select-{world.request.pk}" form="queue-bulk" ' in content
    assert f'aria-label="Cocher la demande {world.request.reference}"' in content
    assert 'name="next" value="/admin/demandes/?tab=new"' in content
    assert "Accuser réception" in content and "<legend>Pour les demandes cochées</legend>" in content
    assert "<legend>Action</legend>" in content and 'name="action" value="reassign"' in content
