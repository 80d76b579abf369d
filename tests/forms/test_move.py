"""Moving an appointment from the family's page: the booking's own slot search, one atomic swap
held by the database, a slot taken meanwhile told as booking tells it, one cut-off, a harmless
double submit, the worker told without personal data and calendars updated (same UID, higher
SEQUENCE)."""

from __future__ import annotations

import threading
import time
import uuid
from datetime import UTC, datetime, timedelta

import icalendar
import pytest
from django.core import mail
from django.db import connection, transaction
from django.urls import reverse
from django.utils import timezone, translation

from forms.booking.create import SlotTaken, create_request
from forms.booking.move import RequestClosed, TooLate, can_change, move_request, moving_from_key
from forms.booking.slots import free_slots
from forms.links import make_cancel_token, make_ics_token
from forms.models import AppointmentRequest, Notification, RequestEvent
from forms.records.operations import reassign
from forms.records.permissions import MANAGER
from home.models import CCASSettings
from services.schedule import PARIS
from tests.factories import (
    AppointmentRequestFactory,
    BookingSettingsFactory,
    SchoolPageFactory,
    UserFactory,
    make_absence,
    make_worker,
    permanence,
)
from tests.helpers import login_staff, parse

Kind = Notification.Kind
FAMILY = {
    "reason": "health",
    "requester": "parent",
    "parent_name": "Fatima Benali",
    "phone": "+33612345678",
    "email": "fatima@example.org",
    "child_first_name": "Yanis",
    "message": "Mon fils ne dort plus.",
}


def book(school, slot, language="fr", **data):
    """A booking as the booking flow stores it (create_request), by default Fatima Benali's."""
    return create_request(
        school=school,
        mode="school",
        slot=slot,
        data={**FAMILY, **data},
        language=language,
        captcha="off",
        submission_key=uuid.uuid4(),
    )


def move_path(appointment):
    with translation.override(appointment.language):
        return reverse("booking_move", args=[make_cancel_token(appointment)])


def page_path(move):
    """The appointment page of a move page's link (the same token)."""
    return move.removesuffix("deplacer/")


def radio_keys(response):
    return [radio["value"] for radio in parse(response).select('input[type="radio"][name="slot"]')]


def confirm_form(client, appointment, key):
    """The hidden fields of the confirmation step for `key`, as the family's browser posts them."""
    response = client.get(move_path(appointment), {"slot": key})
    assert response.status_code == 200
    form = parse(response).find("form", method="post")
    return {field["name"]: field["value"] for field in form.find_all("input", type="hidden")}


def bookable_school():
    """École Jules-Ferry with slots every weekday morning, the first of them at least 48 hours
    ahead: every slot booked here is still before the 24-hour cut-off while a test runs."""
    BookingSettingsFactory(minimum_notice_hours=48)
    return SchoolPageFactory(bookable_every_weekday=True)


@pytest.fixture
def school(db):
    return bookable_school()


@pytest.fixture
def slots(school):
    return free_slots(school)


@pytest.fixture
def appointment(school, slots):
    return book(school, slots[0])


# The happy path


def test_the_move_page_offers_the_bookings_free_slots_grouped_by_day_without_javascript(client, appointment, slots):
    path = move_path(appointment)
    response = client.get(path)
    assert response.status_code == 200
    page = parse(response)
    form = page.find("form", method="get")
    assert form is not None and form.find("button", type="submit") is not None
    # The same slot search as booking: every free slot but the one the family holds.
    assert radio_keys(response) == [slot.key for slot in slots[1:]]
    days = {slot.start.astimezone(PARIS).date() for slot in slots[1:]}
    assert len(page.select("fieldset.booking__day")) == len(days)
    assert page.find("a", href=page_path(path)) is not None


def test_moving_swaps_the_slot_in_the_same_row_and_frees_the_old_one(
    client, school, appointment, slots, django_capture_on_commit_callbacks
):
    old, new = slots[0], slots[3]
    fields = confirm_form(client, appointment, new.key)
    assert fields == {"slot": new.key, "from": old.key}
    path = move_path(appointment)
    with django_capture_on_commit_callbacks(execute=True):
        response = client.post(path, fields)
    assert response.status_code == 302
    assert response["Location"] == page_path(path) + "?deplace=1"

    moved = AppointmentRequest.objects.get()
    assert moved.pk == appointment.pk and moved.reference == appointment.reference
    assert (moved.slot_start, moved.slot_end) == (new.start, new.end)
    assert moved.assigned_worker == school.referent
    assert moved.is_active
    # The old slot is free for the next family, the new one is held.
    keys = [slot.key for slot in free_slots(school)]
    assert old.key in keys and new.key not in keys

    event = moved.events.get(kind=RequestEvent.Kind.RESCHEDULED)
    assert event.data["by"] == "family"
    assert datetime.fromisoformat(event.data["previous_start"]) == old.start
    assert datetime.fromisoformat(event.data["start"]) == new.start

    page = client.get(response["Location"])
    status = parse(page).find(attrs={"role": "status"})
    assert "Votre rendez-vous est déplacé." in status.get_text()
    assert new.start.astimezone(PARIS).strftime("%H:%M") in page.text


def test_the_worker_is_told_without_personal_data_and_the_family_gets_a_new_confirmation(
    client, school, appointment, slots, django_capture_on_commit_callbacks
):
    mail.outbox.clear()
    with django_capture_on_commit_callbacks(execute=True):
        client.post(move_path(appointment), confirm_form(client, appointment, slots[2].key))
    rows = Notification.objects.filter(request=appointment).exclude(
        kind__in=[Kind.WORKER_NEW, Kind.PARENT_CONFIRMATION, Kind.PARENT_REMINDER]
    )
    assert sorted(rows.values_list("kind", "recipient")) == [
        (Kind.PARENT_SCHEDULED, "fatima@example.org"),
        (Kind.WORKER_MOVED, school.referent.email),
    ]
    # The reminder follows the appointment to its new slot (the old slot's is never sent).
    reminders = Notification.objects.filter(request=appointment, kind=Kind.PARENT_REMINDER, state="pending")
    assert slots[2].start in set(reminders.values_list("about_slot", flat=True))
    [to_worker] = [m for m in mail.outbox if m.to == [school.referent.email] and "déplacé" in m.subject]
    assert appointment.reference in to_worker.subject
    assert "déplacé" in to_worker.subject
    for secret in ("Fatima", "Benali", "0612345678", "+33612345678", "Yanis", "dort", "fatima@example.org"):
        assert secret not in to_worker.body
        assert secret not in to_worker.alternatives[0][0]
    [to_family] = [m for m in mail.outbox if m.to == ["fatima@example.org"] and "fixé" in m.subject]
    [(_name, calendar_file, _type)] = to_family.attachments
    [event] = icalendar.Calendar.from_ical(calendar_file).walk("VEVENT")
    assert event.decoded("DTSTART") == slots[2].start


def test_a_move_to_a_day_the_referent_is_away_goes_to_the_replacement(client, school, appointment, slots):
    replacement = make_worker("M. Diallo", email="m.diallo@ccas.example.fr")
    later = slots[-1]
    day = later.start.astimezone(PARIS).date()
    make_absence(school.referent, day, day, replacement=replacement)
    target = next(slot for slot in free_slots(school) if slot.start.astimezone(PARIS).date() == day)
    client.post(move_path(appointment), confirm_form(client, appointment, target.key))
    appointment.refresh_from_db()
    assert appointment.slot_start == target.start
    assert appointment.assigned_worker == replacement
    assert appointment.routed_as == AppointmentRequest.Routing.REPLACEMENT
    assert appointment.events.filter(kind=RequestEvent.Kind.ROUTED).count() == 2
    assert Notification.objects.get(kind=Kind.WORKER_MOVED).recipient == "m.diallo@ccas.example.fr"


def test_the_worker_a_move_leaves_is_told_with_the_reference_and_no_link(
    client, school, appointment, slots, django_capture_on_commit_callbacks
):
    # A manager had handed the request to a colleague; the family moves to another morning of
    # the school's permanence, which the referent holds: the referent gets it back, routed like
    # a booking, and the colleague is told it left her queue.
    colleague = make_worker("Mme Petit", email="s.petit@ccas.example.fr")
    manager = UserFactory(groups=[MANAGER])
    reassign(appointment, manager, colleague, "Parle turc")
    mail.outbox.clear()
    with django_capture_on_commit_callbacks(execute=True):
        client.post(move_path(appointment), confirm_form(client, appointment, slots[2].key))
    appointment.refresh_from_db()
    assert appointment.assigned_worker == school.referent
    assert appointment.routed_as == AppointmentRequest.Routing.REFERENT
    told = Notification.objects.filter(request=appointment, kind__in=[Kind.WORKER_MOVED, Kind.WORKER_HANDED_OVER])
    assert sorted(told.values_list("kind", "recipient")) == [
        (Kind.WORKER_HANDED_OVER, "s.petit@ccas.example.fr"),
        (Kind.WORKER_MOVED, school.referent.email),
    ]
    # (She was told of the request when the manager gave it to her, then of its leaving.)
    [to_colleague] = [m for m in mail.outbox if m.to == ["s.petit@ccas.example.fr"] and "collègue" in m.subject]
    assert appointment.reference in to_colleague.subject and "collègue" in to_colleague.subject
    html = to_colleague.alternatives[0][0]
    assert "/admin/" not in to_colleague.body and "/admin/" not in html
    for secret in ("Fatima", "Benali", "0612345678", "+33612345678", "Yanis", "dort", "fatima@example.org"):
        assert secret not in to_colleague.body and secret not in html


def test_a_move_that_stays_with_the_worker_tells_nobody_else(client, school, appointment, slots):
    client.post(move_path(appointment), confirm_form(client, appointment, slots[2].key))
    assert not Notification.objects.filter(kind=Kind.WORKER_HANDED_OVER).exists()
    assert Notification.objects.get(kind=Kind.WORKER_MOVED).recipient == school.referent.email


def test_the_workers_request_page_shows_the_move_by_the_family(client, school, appointment, slots):
    client.post(move_path(appointment), confirm_form(client, appointment, slots[1].key))
    login_staff(client, UserFactory(username="responsable", groups=[MANAGER]))
    response = client.get(reverse("forms_admin:detail", args=[appointment.pk]))
    assert response.status_code == 200
    [row] = [row for row in parse(response).select(".request-timeline tbody tr") if "déplacé" in row.get_text()]
    assert "la famille, en ligne" in row.get_text()


# A slot taken meanwhile


def test_a_slot_taken_meanwhile_gets_the_bookings_message_and_the_next_free_slots(client, school, appointment, slots):
    fields = confirm_form(client, appointment, slots[1].key)
    book(school, slots[1], parent_name="Autre famille", email="")  # another family, first
    response = client.post(move_path(appointment), fields)
    assert response.status_code == 409
    notice = parse(response).select_one('[role="alert"]')
    assert "Ce créneau vient d'être pris." in notice.get_text()
    assert len(notice.select("li")) == 5
    assert slots[1].key not in radio_keys(response)
    appointment.refresh_from_db()
    assert appointment.slot_start == slots[0].start
    assert not appointment.events.filter(kind=RequestEvent.Kind.RESCHEDULED).exists()
    # Nothing is lost: another slot moves it.
    client.post(move_path(appointment), confirm_form(client, appointment, slots[2].key))
    appointment.refresh_from_db()
    assert appointment.slot_start == slots[2].start


@pytest.mark.django_db(transaction=True, serialized_rollback=True)
def test_a_slot_booked_by_a_concurrent_family_is_refused_by_the_database():
    """Another family's booking of the target slot is not yet committed when the move checks the
    slot search: the move's UPDATE waits on the unique constraint, then the database refuses it."""
    if connection.vendor != "postgresql":
        pytest.skip("the race needs PostgreSQL's row-level waits")
    school = bookable_school()
    slots = free_slots(school)
    appointment = book(school, slots[0])
    target = slots[1]
    inserted, outcome = threading.Event(), {}

    def other_family():
        try:
            with transaction.atomic():
                book(school, target, parent_name="Autre famille", email="")
                inserted.set()
                # Commit only once the move is waiting on this uncommitted row.
                deadline = time.monotonic() + 20
                while time.monotonic() < deadline and not outcome.get("move_waited"):
                    with connection.cursor() as cursor:
                        cursor.execute(
                            "SELECT count(*) FROM pg_stat_activity "
                            "WHERE datname = current_database() AND wait_event_type = 'Lock'"
                        )
                        outcome["move_waited"] = cursor.fetchone()[0] > 0
                    time.sleep(0.05)
        finally:
            connection.close()

    thread = threading.Thread(target=other_family)
    thread.start()
    assert inserted.wait(20)
    with pytest.raises(SlotTaken):
        move_request(appointment, target.key, moving_from_key(appointment))
    thread.join(30)
    assert outcome["move_waited"]
    appointment.refresh_from_db()
    assert appointment.slot_start == slots[0].start and appointment.is_active
    assert AppointmentRequest.objects.filter(slot_start=target.start).count() == 1
    assert not appointment.events.filter(kind=RequestEvent.Kind.RESCHEDULED).exists()


# Refusals


def test_past_the_cut_off_the_move_is_refused_and_the_page_gives_the_phones(client, school):
    ccas = CCASSettings.load()
    ccas.phone = "01 99 88 77 66"
    ccas.save()
    soon = AppointmentRequestFactory(
        at_school=True,
        school=school,
        assigned_worker=school.referent,
        slot_start=timezone.now() + timedelta(hours=10),
        email="fatima@example.org",
    )
    target = free_slots(school)[0]
    response = client.post(move_path(soon), {"slot": target.key, "from": moving_from_key(soon)})
    assert response.status_code == 409
    assert parse(response).find(attrs={"role": "alert"}) is not None
    assert "01 99 88 77 66" in response.text
    assert school.referent.public_phone in response.text
    assert parse(response).find("form", method="post") is None
    # The move page itself is not offered.
    path = move_path(soon)
    assert client.get(path)["Location"] == page_path(path)
    soon.refresh_from_db()
    assert soon.slot_start != target.start
    assert not Notification.objects.filter(kind=Kind.WORKER_MOVED).exists()


def test_the_cut_off_is_the_booking_setting(school, appointment, slots):
    hours_ahead = (appointment.slot_start - timezone.now()) / timedelta(hours=1)
    BookingSettingsFactory(change_cutoff_hours=int(hours_ahead) + 1)
    assert not can_change(appointment)
    with pytest.raises(TooLate):
        move_request(appointment, slots[1].key, moving_from_key(appointment))
    BookingSettingsFactory(change_cutoff_hours=int(hours_ahead) - 1)
    assert can_change(appointment)


@pytest.mark.parametrize("which", ["past", "beyond the horizon", "another school's", "garbled"])
def test_a_slot_the_search_does_not_offer_is_refused_clearly(client, school, appointment, slots, which):
    other = SchoolPageFactory(
        referent=make_worker("M. Martin"),
        permanences=[permanence(weekday=day, start="14:00", end="16:00") for day in range(1, 6)],
    )
    key = {
        "past": slots[0].key.replace(str(slots[0].start.year), str(slots[0].start.year - 1), 1),
        "beyond the horizon": (slots[0].start + timedelta(weeks=20)).astimezone(UTC).strftime("%Y%m%dT%H%M%SZ"),
        "another school's": free_slots(other)[0].key,
        "garbled": "not-a-slot",
    }[which]
    response = client.post(move_path(appointment), {"slot": key, "from": slots[0].key})
    assert response.status_code == 400
    summary = parse(response).select_one(".error-summary")
    assert "Ce créneau n'est pas disponible" in summary.get_text()
    appointment.refresh_from_db()
    assert appointment.slot_start == slots[0].start
    assert not Notification.objects.filter(kind=Kind.WORKER_MOVED).exists()


def test_choosing_no_slot_on_the_move_page_is_a_clear_error(client, appointment):
    response = client.get(move_path(appointment), {"slot": ""})
    assert response.status_code == 200
    assert "Choisissez un créneau." in parse(response).select_one(".error-summary").get_text()


@pytest.mark.parametrize("method", ["get", "post"])
def test_a_tampered_move_link_gets_a_clear_400(client, appointment, slots, method):
    path = move_path(appointment)
    token = path.split("/")[-3]
    tampered = path.replace(token, token[:-1] + ("A" if token[-1] != "A" else "B"))
    response = getattr(client, method)(tampered, {"slot": slots[1].key, "from": slots[0].key})
    assert response.status_code == 400
    assert "Lien d'annulation non valable" in response.text
    # Nothing of the request the token names, beyond what the link itself says.
    main = parse(response).find("main").get_text()
    assert "Fatima" not in response.text and appointment.reference not in main
    appointment.refresh_from_db()
    assert appointment.slot_start == slots[0].start


def test_a_cancelled_request_cannot_be_moved(client, appointment, slots):
    path = move_path(appointment)
    client.post(page_path(path))
    response = client.post(path, {"slot": slots[1].key, "from": slots[0].key})
    assert response.status_code == 410
    with pytest.raises(RequestClosed):
        move_request(appointment, slots[1].key, slots[0].key)


# A double submit


def test_a_double_submitted_move_moves_once(client, appointment, slots, django_capture_on_commit_callbacks):
    fields = confirm_form(client, appointment, slots[1].key)
    path = move_path(appointment)  # the page's one link, posted twice
    with django_capture_on_commit_callbacks(execute=True):
        first = client.post(path, fields)
        second = client.post(path, fields)
    assert first.status_code == second.status_code == 302
    assert second["Location"] == first["Location"]
    appointment.refresh_from_db()
    assert appointment.slot_start == slots[1].start
    assert appointment.events.filter(kind=RequestEvent.Kind.RESCHEDULED).count() == 1
    assert Notification.objects.filter(kind=Kind.WORKER_MOVED).count() == 1
    # A late click on another slot from the old page changes nothing either.
    stale = {**fields, "slot": slots[4].key}
    assert client.post(move_path(appointment), stale).status_code == 302
    appointment.refresh_from_db()
    assert appointment.slot_start == slots[1].start
    page = client.get(first["Location"])
    assert slots[1].start.astimezone(PARIS).strftime("%H:%M") in page.text


# Calendars


def ics_event(client, appointment):
    response = client.get(reverse("booking_ics", args=[make_ics_token(appointment)]))
    assert response.status_code == 200
    [event] = icalendar.Calendar.from_ical(response.content).walk("VEVENT")
    return event


def test_a_moved_appointments_calendar_file_keeps_its_uid_with_a_higher_sequence(client, appointment, slots):
    before = ics_event(client, appointment)
    assert int(before.get("SEQUENCE", 0)) == 0
    client.post(move_path(appointment), confirm_form(client, appointment, slots[1].key))
    appointment.refresh_from_db()
    once = ics_event(client, appointment)
    client.post(move_path(appointment), confirm_form(client, appointment, slots[2].key))
    appointment.refresh_from_db()
    twice = ics_event(client, appointment)
    assert str(before["UID"]) == str(once["UID"]) == str(twice["UID"]) == f"{appointment.reference}@testserver"
    assert (int(once["SEQUENCE"]), int(twice["SEQUENCE"])) == (1, 2)
    assert once.decoded("DTSTART") == slots[1].start
    assert twice.decoded("DTSTART") == slots[2].start
