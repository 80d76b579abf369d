"""The request page and its actions: what it shows, what each action records and sends."""

from datetime import datetime, timedelta

from django.urls import reverse
from django.utils import timezone
from wagtail.models import ModelLogEntry

from forms.models import AppointmentRequest, Notification, RequestEvent
from tests.factories import AppointmentRequestFactory
from tests.forms.workers_side import future
from tests.helpers import login_staff

Status, Kind = AppointmentRequest.Status, RequestEvent.Kind


def act(client, user, request, action, data=None):
    login_staff(client, user)
    return client.post(reverse("forms_admin:action", args=[request.pk, action]), data or {})


def log_entries(request, action):
    return ModelLogEntry.objects.filter(object_id=str(request.pk), action=f"forms.request.{action}")


def test_the_page_shows_everything_the_family_sent(client, world):
    request = AppointmentRequestFactory(
        school=world.school,
        assigned_worker=world.leroy,
        language="ar",
        interpreter_needed=True,
        availabilities="Mardi matin",
        message="Mon fils a des difficultés.",
        child_first_name="Yanis",
        child_class="CM1",
    )
    login_staff(client, world.worker)

    content = client.get(reverse("forms_admin:detail", args=[request.pk])).content.decode()

    for value in [
        request.reference,
        request.parent_name,
        request.phone,
        request.email,
        "Yanis",
        "CM1",
        "Mardi matin",
        "Mon fils a des difficultés.",
        "École Jules-Ferry",
        "العربية",
        "interprète",
    ]:
        assert value in content, value


def test_each_reading_is_recorded_with_the_user_and_time(client, world):
    login_staff(client, world.manager)
    before = timezone.now()

    client.get(reverse("forms_admin:detail", args=[world.request.pk]))

    event = world.request.events.get(kind=Kind.VIEWED)
    assert event.user == world.manager and event.at >= before
    entry = log_entries(world.request, "viewed").get()
    assert entry.user_id == world.manager.pk and entry.timestamp >= before
    assert entry.label == world.request.reference


def test_the_history_page_lists_the_log_entries(client, world):
    login_staff(client, world.worker)
    client.get(reverse("forms_admin:detail", args=[world.request.pk]))
    act(client, world.worker, world.request, "acknowledge")

    content = client.get(reverse("forms_admin:history", args=[world.request.pk])).content.decode()

    assert "Demande consultée" in content and "Demande prise en compte" in content


def test_reassigning_moves_the_request_and_records_who_when_why_and_the_previous_worker(client, world):
    before = timezone.now()

    response = act(
        client,
        world.manager,
        world.request,
        "reassign",
        {"reassign-worker": world.benali.pk, "reassign-reason": "Mme Leroy en congé long"},
    )

    assert response.status_code == 302
    world.request.refresh_from_db()
    assert world.request.assigned_worker == world.benali
    assert world.request.routed_as == AppointmentRequest.Routing.MANUAL
    assert world.request.routed_at >= before
    event = world.request.events.get(kind=Kind.REASSIGNED)
    assert event.user == world.manager and event.at >= before
    assert event.data["reason"] == "Mme Leroy en congé long"
    assert event.data["from_worker_id"] == world.leroy.pk and event.data["to_worker_id"] == world.benali.pk
    entry = log_entries(world.request, "reassigned").get()
    assert entry.user_id == world.manager.pk
    assert "Mme Leroy en congé long" not in str(entry.data), "free text stays out of Wagtail's log"
    # The request now belongs to the other queue.
    login_staff(client, world.worker)
    assert client.get(reverse("forms_admin:detail", args=[world.request.pk])).status_code == 404
    login_staff(client, world.other_worker)
    assert client.get(reverse("forms_admin:detail", args=[world.request.pk])).status_code == 200


def test_reassigning_to_the_service_queue(client, world):
    act(client, world.worker, world.request, "reassign", {"reassign-worker": "", "reassign-reason": "Pas mon école"})

    world.request.refresh_from_db()
    assert world.request.assigned_worker is None
    assert world.request.events.get(kind=Kind.REASSIGNED).data["to_worker_id"] is None


def test_reassigning_needs_a_reason(client, world):
    response = act(client, world.manager, world.request, "reassign", {"reassign-worker": world.benali.pk})

    assert response.status_code == 400
    assert "reassign-reason" in response.content.decode()
    world.request.refresh_from_db()
    assert world.request.assigned_worker == world.leroy


def test_scheduling_notifies_the_parent_in_their_language(client, world):
    request = AppointmentRequestFactory(
        school=world.school, assigned_worker=world.leroy, language="ar", email="famille@example.org"
    )
    start = future(days=6, hour=14)

    response = act(
        client,
        world.worker,
        request,
        "schedule",
        {
            "schedule-day": start.date().isoformat(),
            "schedule-time": "14:00",
            "schedule-duration": "45",
            "schedule-place": "CCAS, bureau 2",
        },
    )

    assert response.status_code == 302
    request.refresh_from_db()
    assert request.status == Status.SCHEDULED
    assert (request.slot_start, request.slot_end) == (start, start + (future(hour=14, minute=45) - future(hour=14)))
    assert request.place == "CCAS, bureau 2"
    notification = Notification.objects.get(request=request, kind=Notification.Kind.PARENT_SCHEDULED)
    assert (notification.recipient, notification.language) == ("famille@example.org", "ar")


def test_rescheduling_notifies_the_parent_and_keeps_the_previous_time(client, world):
    old = future(days=3, hour=9)
    request = AppointmentRequestFactory(
        school=world.school, assigned_worker=world.leroy, status=Status.SCHEDULED, slot_start=old, language="tr"
    )

    act(
        client,
        world.worker,
        request,
        "reschedule",
        {
            "reschedule-day": future(days=8).date().isoformat(),
            "reschedule-time": "16:30",
            "reschedule-duration": "30",
            "reschedule-place": "CCAS",
        },
    )

    request.refresh_from_db()
    assert request.slot_start == future(days=8, hour=16, minute=30)
    event = request.events.get(kind=Kind.RESCHEDULED)
    assert datetime.fromisoformat(event.data["previous_start"]) == old
    assert Notification.objects.get(request=request, kind=Notification.Kind.PARENT_SCHEDULED).language == "tr"


def test_a_taken_slot_is_a_form_error_not_a_500(client, world):
    start = future(days=6, hour=10)
    AppointmentRequestFactory(
        school=world.school, assigned_worker=world.leroy, status=Status.SCHEDULED, slot_start=start
    )
    request = AppointmentRequestFactory(school=world.school, assigned_worker=world.leroy)
    data = {
        "schedule-day": start.date().isoformat(),
        "schedule-time": "10:00",
        "schedule-duration": "30",
        "schedule-place": "CCAS",
    }

    response = act(client, world.worker, request, "schedule", data)

    assert response.status_code == 400
    assert "Ce créneau est déjà pris" in response.content.decode()
    request.refresh_from_db()
    assert request.slot_start is None and request.status == Status.NEW


def test_the_database_refusal_of_an_overlap_gives_a_form_error(client, world):
    # A home visit from 10:15 to 10:45: scheduling 10:00 for 30 minutes overlaps it without
    # sharing its start (PostgreSQL's exclusion constraint, or save_slot's check on SQLite).
    start = future(days=6, hour=10)
    AppointmentRequestFactory(
        school=world.school,
        assigned_worker=world.leroy,
        status=Status.SCHEDULED,
        slot_start=start + timedelta(minutes=15),
    )
    request = AppointmentRequestFactory(school=world.school, assigned_worker=world.leroy)
    data = {
        "schedule-day": start.date().isoformat(),
        "schedule-time": "10:00",
        "schedule-duration": "30",
        "schedule-place": "CCAS",
    }

    response = act(client, world.worker, request, "schedule", data)

    assert response.status_code == 400
    assert "Ce créneau est déjà pris" in response.content.decode()
    assert not request.events.filter(kind=Kind.SCHEDULED).exists()
    assert not Notification.objects.filter(request=request).exists()


def test_a_time_in_the_past_is_refused(client, world):
    response = act(
        client,
        world.worker,
        world.request,
        "schedule",
        {"schedule-day": "2020-01-06", "schedule-time": "10:00", "schedule-duration": "30", "schedule-place": "CCAS"},
    )

    assert response.status_code == 400
    assert "à venir" in response.content.decode()


def test_cancelling_needs_a_reason_and_tells_the_family(client, world):
    assert act(client, world.worker, world.request, "cancel", {}).status_code == 400

    act(client, world.worker, world.request, "cancel", {"cancel-reason": "Situation réglée"})

    world.request.refresh_from_db()
    assert world.request.status == Status.CANCELLED_SERVICE and world.request.closed_at
    assert world.request.events.get(kind=Kind.CANCELLED).data["reason"] == "Situation réglée"
    kinds = set(Notification.objects.filter(request=world.request).values_list("kind", flat=True))
    assert Notification.Kind.PARENT_CANCELLED in kinds
    assert log_entries(world.request, "cancelled").get().user_id == world.worker.pk


def test_a_worker_takes_a_request_from_new_to_done(client, world):
    request = world.request
    act(client, world.worker, request, "acknowledge")
    act(
        client,
        world.worker,
        request,
        "schedule",
        {
            "schedule-day": future().date().isoformat(),
            "schedule-time": "09:30",
            "schedule-duration": "30",
            "schedule-place": "CCAS",
        },
    )
    # The appointment has taken place: only then is it marked honoured.
    AppointmentRequest.objects.filter(pk=request.pk).update(
        slot_start=timezone.now() - timedelta(hours=1), slot_end=timezone.now() - timedelta(minutes=30)
    )
    act(client, world.worker, request, "done")

    request.refresh_from_db()
    assert request.status == Status.DONE and request.closed_at is not None
    kinds = list(request.events.exclude(kind=Kind.CREATED).values_list("kind", flat=True))
    assert kinds == [Kind.ACKNOWLEDGED, Kind.SCHEDULED, Kind.DONE]


def test_an_internal_note_is_kept_and_never_sent(client, world):
    act(client, world.worker, world.request, "note", {"note-text": "Famille suivie par la PMI"})

    assert world.request.events.get(kind=Kind.NOTE).data["text"] == "Famille suivie par la PMI"
    assert not Notification.objects.filter(request=world.request).exists()
    assert "PMI" not in str(log_entries(world.request, "note").get().data)


def test_an_action_that_no_longer_applies_is_a_message_not_an_error(client, world):
    world.request.status = Status.DONE
    world.request.save()

    response = act(client, world.worker, world.request, "acknowledge")

    assert response.status_code == 302
    world.request.refresh_from_db()
    assert world.request.status == Status.DONE


def test_an_anonymised_request_is_read_only(client, world):
    world.request.status, world.request.anonymised_at = Status.DONE, timezone.now()
    world.request.save()

    response = act(client, world.worker, world.request, "note", {"note-text": "x"})

    assert response.status_code == 302
    assert not world.request.events.filter(kind=Kind.NOTE).exists()


def test_an_unknown_action_is_a_404(client, world):
    assert act(client, world.worker, world.request, "delete").status_code == 404
