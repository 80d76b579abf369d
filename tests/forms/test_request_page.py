"""The request page (issue 15): the family's contact, language, interpreter need and message
come first, then the actions, and only the actions that make sense for the request's state;
a family whose request never had an appointment is not told "your appointment is cancelled"."""

from datetime import timedelta

import pytest
from django.urls import reverse
from django.utils import timezone, translation

from forms.booking.cancel import cancel_request
from forms.models import AppointmentRequest, Notification
from forms.notifications.rendering import build_message
from tests.factories import AppointmentRequestFactory
from tests.forms.workers_side import future
from tests.helpers import login_staff

Status = AppointmentRequest.Status
ACTIONS = ["acknowledge", "schedule", "reschedule", "done", "no_show", "cancel", "reassign", "note"]


def page(client, user, request):
    login_staff(client, user)
    response = client.get(reverse("forms_admin:detail", args=[request.pk]))
    assert response.status_code == 200
    return response.content.decode()


def offered(content, request):
    return {action for action in ACTIONS if reverse("forms_admin:action", args=[request.pk, action]) in content}


def test_the_family_s_contact_language_and_message_come_before_the_actions(client, world):
    request = AppointmentRequestFactory(
        school=world.school,
        assigned_worker=world.leroy,
        parent_name="Fatima Benali",
        phone="06 12 34 56 78",
        email="famille@example.org",
        language="ar",
        interpreter_needed=True,
        message="Merci de m'appeler après 17 h.",
    )

    content = page(client, world.worker, request)

    contact = content.index('id="contact-heading"')
    actions = content.index('id="actions-heading"')
    for value in [
        "Fatima Benali",
        "06 12 34 56 78",
        "famille@example.org",
        "Prévenue par",
        "العربية",
        "interprète demandé",
        "Merci de m&#x27;appeler après 17 h.",
    ]:
        assert contact < content.index(value) < actions, value


@pytest.mark.parametrize(
    "state,expected",
    [
        ({}, {"acknowledge", "schedule", "cancel", "reassign", "note"}),
        ({"status": Status.ACKNOWLEDGED}, {"schedule", "cancel", "reassign", "note"}),
        ({"status": Status.SCHEDULED, "slot_start": future(days=3)}, {"reschedule", "cancel", "reassign", "note"}),
        (
            {"status": Status.SCHEDULED, "slot_start": future(days=-1)},
            {"reschedule", "done", "no_show", "cancel", "reassign", "note"},
        ),
        ({"status": Status.DONE, "slot_start": future(days=-3)}, {"note"}),
        ({"status": Status.CANCELLED_FAMILY}, {"note"}),
    ],
    ids=["new", "acknowledged", "appointment_to_come", "appointment_started", "done", "cancelled"],
)
def test_only_the_actions_that_make_sense_for_the_state_are_offered(client, world, state, expected):
    request = AppointmentRequestFactory(school=world.school, assigned_worker=world.leroy, **state)

    assert offered(page(client, world.worker, request), request) == expected


def test_a_request_of_the_service_queue_is_assigned_before_it_is_scheduled(client, world):
    assert offered(page(client, world.manager, world.service_request), world.service_request) == {
        "acknowledge",
        "cancel",
        "reassign",
        "note",
    }


@pytest.mark.parametrize("action", ["done", "no_show"])
def test_an_appointment_to_come_cannot_be_marked_honoured_or_missed(client, world, action):
    request = AppointmentRequestFactory(
        school=world.school, assigned_worker=world.leroy, status=Status.SCHEDULED, slot_start=future(days=2)
    )
    login_staff(client, world.worker)

    response = client.post(reverse("forms_admin:action", args=[request.pk, action]))

    assert response.status_code == 302
    request.refresh_from_db()
    assert request.status == Status.SCHEDULED and request.closed_at is None


def text_of(notification, language):
    notification.language = language
    message = build_message(notification)
    return message.subject + "\n" + message.body


@pytest.mark.parametrize("language", ["fr", "en"])
def test_a_request_without_appointment_cancelled_by_the_service_is_not_an_appointment_cancelled(
    client, world, language
):
    request = AppointmentRequestFactory(school=world.school, assigned_worker=world.leroy, email="famille@example.org")
    login_staff(client, world.worker)
    client.post(reverse("forms_admin:action", args=[request.pk, "cancel"]), {"cancel-reason": "Doublon"})

    notification = Notification.objects.get(request=request, kind=Notification.Kind.PARENT_CANCELLED)
    text = text_of(notification, language)

    with translation.override(language):
        appointment_cancelled = translation.gettext("Votre rendez-vous %(reference)s est annulé") % {
            "reference": request.reference
        }
        request_cancelled = translation.gettext("Votre demande de rendez-vous %(reference)s est annulée") % {
            "reference": request.reference
        }
    assert appointment_cancelled not in text and request_cancelled in text
    assert "Doublon" not in text


def test_an_appointment_cancelled_by_the_service_still_says_so(world):
    request = AppointmentRequestFactory(
        school=world.school,
        assigned_worker=world.leroy,
        status=Status.SCHEDULED,
        slot_start=timezone.now() + timedelta(days=3),
        email="famille@example.org",
    )
    cancel_request(request, by_family=False)

    text = text_of(Notification.objects.get(request=request, kind=Notification.Kind.PARENT_CANCELLED), "fr")

    assert f"Votre rendez-vous {request.reference} est annulé" in text
    assert "a dû annuler votre rendez-vous" in text


def test_a_family_cancelling_its_request_without_appointment_is_told_its_request_is_cancelled(world):
    request = AppointmentRequestFactory(school=world.school, assigned_worker=world.leroy, email="famille@example.org")
    cancel_request(request, by_family=True)

    notification = Notification.objects.get(request=request, kind=Notification.Kind.PARENT_CANCELLED_BY_FAMILY)
    text = text_of(notification, "fr")

    assert f"Annulation enregistrée : demande {request.reference}" in text
    assert "votre rendez-vous" not in text.lower().replace("votre demande de rendez-vous", "")
    assert "Le créneau est proposé" not in text
