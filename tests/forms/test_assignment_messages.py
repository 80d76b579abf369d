"""A request given to a worker by triage or reassignment: she is told (reference and link only);
the family is told the new worker's name when an appointment to come changes hands; an
appointment is never given to, or scheduled for, a worker on a day of her absence."""

from datetime import timedelta

import pytest
from django.core import mail

from forms.models import AppointmentRequest, Notification
from forms.notifications.delivery import deliver_due
from forms.records.operations import OperationError, reassign, reschedule, schedule
from tests.factories import AppointmentRequestFactory, make_absence
from tests.forms.workers_side import future

Kind = Notification.Kind
Status = AppointmentRequest.Status


@pytest.fixture
def appointment(world):
    world.benali.email = "k.benali@ccas.example.fr"
    world.benali.save()
    return AppointmentRequestFactory(
        school=world.school,
        assigned_worker=world.leroy,
        status=Status.SCHEDULED,
        slot_start=future(5, 9),
        slot_end=future(5, 9, 30),
        parent_name="Amina Benali",
        email="amina@example.org",
        notify_by="email",
        message="Mon fils ne dort plus.",
    )


def test_triage_from_the_service_queue_tells_the_worker_with_the_reference_only(world):
    world.benali.email = "k.benali@ccas.example.fr"
    world.benali.save()
    request = world.service_request
    reassign(request, world.manager, world.benali, "Triage")
    [row] = Notification.objects.filter(request=request, kind=Kind.WORKER_NEW, recipient="k.benali@ccas.example.fr")
    mail.outbox.clear()
    deliver_due()
    [message] = [m for m in mail.outbox if m.to == ["k.benali@ccas.example.fr"]]
    assert request.reference in message.subject or request.reference in message.body
    for secret in (request.parent_name, request.phone, request.email, request.message):
        if secret:
            assert secret not in message.body
    # No appointment: the family hears nothing.
    assert not Notification.objects.filter(request=request, kind=Kind.PARENT_SCHEDULED).exists()


def test_an_appointment_handed_to_a_colleague_tells_the_family_her_name(world, appointment):
    reassign(appointment, world.manager, world.benali, "Congé de Mme Leroy")
    kinds = set(Notification.objects.filter(request=appointment).values_list("kind", "recipient"))
    assert (Kind.WORKER_NEW, "k.benali@ccas.example.fr") in kinds
    assert (Kind.PARENT_SCHEDULED, "amina@example.org") in kinds
    mail.outbox.clear()
    deliver_due()
    [to_family] = [m for m in mail.outbox if m.to == ["amina@example.org"]]
    assert "M. Karim Benali" in to_family.body and "Mme Claire Leroy" not in to_family.body


def test_reassigning_onto_a_day_of_absence_is_refused_with_the_reason(world, appointment):
    day = appointment.slot_start.date()
    make_absence(world.benali, day - timedelta(days=1), day + timedelta(days=1))
    with pytest.raises(OperationError, match="absent"):
        reassign(appointment, world.manager, world.benali, "Congé")
    appointment.refresh_from_db()
    assert appointment.assigned_worker == world.leroy
    assert not Notification.objects.filter(request=appointment, kind=Kind.WORKER_NEW).exists()


def test_scheduling_or_rescheduling_on_a_day_of_absence_is_refused(world, appointment):
    absent_day = future(9, 10)
    make_absence(world.leroy, absent_day.date(), absent_day.date())
    with pytest.raises(OperationError, match="absent"):
        reschedule(appointment, world.worker, absent_day, absent_day + timedelta(minutes=30), "CCAS")
    request = world.request
    with pytest.raises(OperationError, match="absent"):
        schedule(request, world.worker, absent_day, absent_day + timedelta(minutes=30), "CCAS")
    schedule(request, world.worker, future(10, 10), future(10, 10, 30), "CCAS")  # another day is fine
