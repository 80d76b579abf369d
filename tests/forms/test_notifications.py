"""The notification outbox: committed before sent, nothing personal to workers, the family's
language, retried when the mail server is down, never sent twice."""

import smtplib
import threading
import time as time_module
from datetime import datetime, time, timedelta

import icalendar
import pytest
from django.core import mail
from django.core.mail.backends.base import BaseEmailBackend
from django.core.mail.backends.locmem import EmailBackend as LocmemBackend
from django.core.management import call_command
from django.db import connection, transaction
from django.utils import timezone, translation
from django.utils.dateformat import format as format_date

from forms.models import AppointmentRequest, BookingSettings, EveningRegistration, Notification, RequestEvent
from forms.notifications.delivery import MAX_ATTEMPTS, backoff, deliver_due
from forms.notifications.queueing import (
    queue_evening,
    queue_new_request,
    queue_request_cancelled,
    queue_request_scheduled,
)
from forms.notifications.rendering import admin_request_url, build_message
from forms.notifications.tasks import deliver_notifications
from services.schedule import PARIS
from tests.factories import (
    AppointmentRequestFactory,
    EveningRegistrationFactory,
    NotificationFactory,
    make_evening,
    make_evening_index,
    make_index,
    make_locales,
    make_school,
    make_worker,
)

pytestmark = pytest.mark.django_db

LOCMEM = "django.core.mail.backends.locmem.EmailBackend"
PERSONAL = {
    "parent_name": "Fatima Benali-Durand",
    "phone": "06 12 34 56 78",
    "email": "fatima.benali@example.org",
    "child_first_name": "Yasmine",
    "child_class": "CE1-B",
    "message": "Mon fils est harcelé à la cantine depuis septembre",
}


class RefusingBackend(BaseEmailBackend):
    """The mail server is down: every connection is refused."""

    calls = 0

    def send_messages(self, email_messages):
        type(self).calls += 1
        raise ConnectionRefusedError(111, "Connection refused")


class RecipientRefusingBackend(BaseEmailBackend):
    """The server is up but rejects the recipient, quoting the address in its reply."""

    def send_messages(self, email_messages):
        address = email_messages[0].to[0]
        raise smtplib.SMTPRecipientsRefused({address: (550, f"5.1.1 <{address}>: unknown".encode())})


def dotted(cls):
    return f"{cls.__module__}.{cls.__qualname__}"


def tomorrow_at(hour, minute=0):
    day = timezone.localtime(timezone.now(), PARIS).date() + timedelta(days=1)
    return datetime.combine(day, time(hour, minute), tzinfo=PARIS)


class FamilyRequest(AppointmentRequestFactory):
    """A request at the school's office, for family reasons, holding PERSONAL."""

    class Params:
        at_school = True

    reason = AppointmentRequest.Reason.FAMILY
    captcha = AppointmentRequest.Captcha.NOT_CONFIGURED
    parent_name = PERSONAL["parent_name"]
    phone = PERSONAL["phone"]
    email = PERSONAL["email"]
    child_first_name = PERSONAL["child_first_name"]
    child_class = PERSONAL["child_class"]
    message = PERSONAL["message"]


def submit(worker=None, **fields):
    """What the booking view does: save the request and queue in one transaction."""
    with transaction.atomic():
        request = FamilyRequest(assigned_worker=worker, **fields)
        queue_new_request(request)
    return request


def message_to(address):
    found = [m for m in mail.outbox if address in m.to]
    assert len(found) == 1, f"expected one message to {address}, got {len(found)}"
    return found[0]


def everything_in(message):
    html = "".join(content for content, _mimetype in message.alternatives)
    attached = "".join(
        content.decode() if isinstance(content, bytes) else content for _n, content, _m in message.attachments
    )
    return "\n".join([message.subject, message.body, html, attached])


@pytest.fixture
def worker():
    return make_worker("Mme Leroy", email="c.leroy@ccas.example.fr")


@pytest.fixture
def school(worker):
    make_locales()
    return make_school(make_index(), "École Jules-Ferry", referent=worker)


@pytest.fixture
def mail_server_down(settings):
    RefusingBackend.calls = 0
    settings.EMAIL_BACKEND = dotted(RefusingBackend)
    return settings


# Committed before sent


def test_nothing_is_sent_until_the_request_commits(worker, django_capture_on_commit_callbacks):
    BookingSettings.load()  # as in production: the settings row exists (its creation empties caches)
    with django_capture_on_commit_callbacks(execute=True) as callbacks:
        request = submit(worker, slot_start=tomorrow_at(9))
        assert Notification.objects.filter(request=request).count() == 2
        assert mail.outbox == []
    assert len(callbacks) == 1
    assert len(mail.outbox) == 2
    assert set(Notification.objects.values_list("state", flat=True)) == {Notification.State.SENT}


def test_a_rolled_back_request_sends_nothing(worker, django_capture_on_commit_callbacks):
    with django_capture_on_commit_callbacks(execute=True), pytest.raises(RuntimeError):
        with transaction.atomic():
            queue_new_request(FamilyRequest(assigned_worker=worker))
            raise RuntimeError("the booking failed after queueing")
    assert mail.outbox == []
    assert not Notification.objects.exists()
    assert not AppointmentRequest.objects.exists()


def test_with_the_database_queue_the_task_is_written_in_the_requests_transaction(worker, settings):
    """Production's queue: the delivery task is a row of the request's own transaction, so a
    rolled-back request leaves no task, and a committed one is seen by the worker with it."""
    from django_tasks_db.models import DBTaskResult

    settings.TASKS = {"default": {"BACKEND": "django_tasks_db.DatabaseBackend"}}
    with pytest.raises(RuntimeError), transaction.atomic():
        queue_new_request(FamilyRequest(assigned_worker=worker))
        assert DBTaskResult.objects.filter(task_path="forms.notifications.tasks.deliver_notifications").count() == 1
        raise RuntimeError("the booking failed after queueing")
    assert not DBTaskResult.objects.exists() and not Notification.objects.exists()

    request = submit(worker, slot_start=tomorrow_at(9))
    assert DBTaskResult.objects.filter(task_path="forms.notifications.tasks.deliver_notifications").count() == 1
    assert mail.outbox == []  # sent by the worker process (db_worker), not by the request
    assert Notification.objects.filter(request=request, state=Notification.State.PENDING).count() == 2


# What a worker receives


def test_worker_email_has_the_reference_and_admin_link_and_nothing_personal(
    worker, school, django_capture_on_commit_callbacks
):
    with django_capture_on_commit_callbacks(execute=True):
        request = submit(worker, school=school, slot_start=tomorrow_at(9))
    message = message_to("c.leroy@ccas.example.fr")
    content = everything_in(message)
    assert request.reference in message.subject
    assert f"http://testserver/admin/demandes/{request.pk}/" in content
    assert admin_request_url(request) == f"http://testserver/admin/demandes/{request.pk}/"
    for value in [*PERSONAL.values(), "0612345678", "École Jules-Ferry", "Difficultés familiales"]:
        assert value not in content
    assert message.attachments == []


@pytest.mark.parametrize("worker_email", [None, ""])
def test_service_queue_requests_notify_the_service_mailbox(settings, worker_email, django_capture_on_commit_callbacks):
    worker = None if worker_email is None else make_worker(email=worker_email)
    with django_capture_on_commit_callbacks(execute=True):
        request = submit(worker, email="")
    [message] = mail.outbox
    assert message.to == [settings.SERVICE_MAILBOX]
    assert request.reference in message.subject


def test_the_timeline_records_the_notification_without_the_address(worker, django_capture_on_commit_callbacks):
    with django_capture_on_commit_callbacks(execute=True):
        request = submit(worker)
    events = list(request.events.filter(kind=RequestEvent.Kind.NOTIFIED))
    assert sorted(e.data["kind"] for e in events) == ["parent_confirmation", "worker_new"]
    assert all("@" not in str(e.data) for e in events)


# What a family receives


def test_parent_confirmation_in_arabic_is_right_to_left_with_a_calendar_file(
    worker, django_capture_on_commit_callbacks
):
    start = tomorrow_at(9, 30)
    with django_capture_on_commit_callbacks(execute=True):
        request = submit(worker, slot_start=start, language="ar", place="مكتب الطابق الأرضي")
    message = message_to(PERSONAL["email"])
    html = message.alternatives[0][0]
    assert message.extra_headers["Content-Language"] == "ar"
    assert '<html lang="ar" dir="rtl">' in html
    with translation.override("ar"):
        arabic_month = format_date(start, "F")
        arabic_summary = translation.gettext("Rendez-vous service social scolaire")
        arabic_subject = translation.gettext("Votre rendez-vous %(reference)s est réservé") % {
            "reference": request.reference
        }
    assert arabic_summary != "Rendez-vous service social scolaire", "locale/ar lacks the e-mail strings"
    assert message.subject == arabic_subject
    assert arabic_month in message.body and arabic_month in html  # Django's own Arabic month names
    assert "مكتب الطابق الأرضي" in message.body
    assert "Mme Leroy" in message.body
    assert "http://testserver/ar/annuler/" in message.body
    assert "119" in message.body and 'href="tel:119"' in html
    for value in ("Difficultés familiales", PERSONAL["message"], PERSONAL["child_first_name"]):
        assert value not in everything_in(message)

    [(filename, content, mimetype)] = message.attachments
    assert filename.endswith(".ics") and mimetype == "text/calendar"
    calendar = icalendar.Calendar.from_ical(content)
    [event] = calendar.walk("VEVENT")
    assert str(event["UID"]) == f"{request.reference}@testserver"
    assert event.decoded("DTSTART") == start
    assert event.decoded("DTEND") == start + timedelta(minutes=30)
    assert str(event["SUMMARY"]) == arabic_summary
    assert str(event["LOCATION"]) == "مكتب الطابق الأرضي"
    calendar_text = content.decode() if isinstance(content, bytes) else content
    for value in [*PERSONAL.values(), "Difficultés familiales"]:
        assert value not in calendar_text


def test_parent_confirmation_time_is_paris_time_in_the_parents_language(worker):
    start = tomorrow_at(14, 15)
    request = FamilyRequest(assigned_worker=worker, slot_start=start, language="en")
    [_worker_row, parent_row] = queue_new_request(request)
    message = build_message(parent_row)
    with translation.override("en"):
        assert format_date(start, "l j F Y") in message.body
    assert "14:15" in message.body and "14:45" in message.body
    assert "http://testserver/en/annuler/" in message.body


def test_a_request_without_a_slot_is_acknowledged_without_a_calendar_file(worker):
    request = FamilyRequest(assigned_worker=worker, mode=AppointmentRequest.Mode.PHONE, place="")
    [_worker_row, parent_row] = queue_new_request(request)
    message = build_message(parent_row)
    assert message.attachments == []
    assert request.reference in message.subject


def test_a_family_without_email_gets_no_message(worker):
    rows = queue_new_request(FamilyRequest(assigned_worker=worker, email=""))
    assert [row.kind for row in rows] == [Notification.Kind.WORKER_NEW]
    assert queue_request_scheduled(FamilyRequest(assigned_worker=worker, email="")) == []


def test_cancellation_by_the_service_tells_the_family_and_the_worker(worker):
    request = FamilyRequest(
        assigned_worker=worker, slot_start=tomorrow_at(10), status=AppointmentRequest.Status.CANCELLED_SERVICE
    )
    rows = queue_request_cancelled(request, by_family=False)
    assert {(r.kind, r.recipient) for r in rows} == {
        (Notification.Kind.WORKER_CANCELLED, "c.leroy@ccas.example.fr"),
        (Notification.Kind.PARENT_CANCELLED, PERSONAL["email"]),
    }
    worker_message = build_message(rows[0])
    assert PERSONAL["parent_name"] not in everything_in(worker_message)
    assert request.reference in worker_message.subject


def test_cancellation_by_the_family_tells_the_worker_and_acknowledges_it_to_the_family(worker):
    request = FamilyRequest(assigned_worker=worker, status=AppointmentRequest.Status.CANCELLED_FAMILY)
    rows = queue_request_cancelled(request, by_family=True)
    assert {(r.kind, r.recipient) for r in rows} == {
        (Notification.Kind.WORKER_CANCELLED, "c.leroy@ccas.example.fr"),
        (Notification.Kind.PARENT_CANCELLED_BY_FAMILY, PERSONAL["email"]),
    }


def test_scheduled_appointment_is_sent_to_the_family_with_a_calendar_file(worker):
    request = FamilyRequest(assigned_worker=worker, slot_start=tomorrow_at(11), language="pt")
    [row] = queue_request_scheduled(request)
    message = build_message(row)
    assert row.language == "pt"
    assert message.extra_headers["Content-Language"] == "pt"
    assert len(message.attachments) == 1


def test_evening_registration_confirmed_and_waiting(settings):
    make_locales()
    evening = make_evening(make_evening_index(), "Le sommeil des enfants", day=timezone.localdate() + timedelta(days=9))
    confirmed = EveningRegistrationFactory(
        evening=evening, name="Ali Kaya", email="ali@example.org", language="tr", status="confirmed"
    )
    waiting = EveningRegistrationFactory(
        evening=evening, name="Ana Silva", email="ana@example.org", language="pt", status="waiting"
    )
    [row] = queue_evening(confirmed, Notification.Kind.EVENING_CONFIRMATION)
    message = build_message(row)
    assert "Le sommeil des enfants" in message.subject
    assert "Ali Kaya" not in everything_in(message)
    [(_name, content, _mimetype)] = message.attachments
    [event] = icalendar.Calendar.from_ical(content).walk("VEVENT")
    assert str(event["UID"]) == f"{confirmed.reference}@testserver"
    assert "http://testserver/tr/soirees/annuler/" in message.body

    [row] = queue_evening(waiting, Notification.Kind.EVENING_CONFIRMATION)
    assert build_message(row).attachments == []
    assert queue_evening(EveningRegistration(evening=evening, name="x", status="confirmed"), "evening_promoted") == []
    with pytest.raises(ValueError):
        queue_evening(confirmed, Notification.Kind.WORKER_NEW)


# The mail server is down


def test_mail_server_down_keeps_the_request_and_retries_later(
    worker, mail_server_down, django_capture_on_commit_callbacks
):
    before = timezone.now()
    with django_capture_on_commit_callbacks(execute=True):
        request = submit(worker, email="")
    assert AppointmentRequest.objects.filter(pk=request.pk).exists()
    [row] = Notification.objects.all()
    assert row.state == Notification.State.PENDING
    assert row.attempts == 1
    assert row.next_attempt_at > before
    assert row.last_error.startswith("ConnectionRefusedError")
    assert "@" not in row.last_error
    failed = request.events.get(kind=RequestEvent.Kind.NOTIFY_FAILED)
    assert failed.data["kind"] == "worker_new" and "@" not in str(failed.data)
    assert mail.outbox == []

    # Too early: the backoff holds it back even once the server is up again.
    mail_server_down.EMAIL_BACKEND = LOCMEM
    assert deliver_due().sent == 0
    report = deliver_due(now=timezone.now() + timedelta(minutes=5))
    assert report.sent == 1
    assert deliver_due(now=timezone.now() + timedelta(hours=12)).sent == 0
    assert len(mail.outbox) == 1
    row.refresh_from_db()
    assert (row.state, row.attempts, row.last_error) == (Notification.State.SENT, 2, "")


def test_hundred_requests_while_down_are_all_stored_then_all_sent(
    worker, mail_server_down, django_capture_on_commit_callbacks
):
    for n in range(100):
        with django_capture_on_commit_callbacks(execute=True):
            submit(worker, email=f"parent{n}@example.org")
    assert AppointmentRequest.objects.count() == 100
    assert Notification.objects.filter(state=Notification.State.PENDING).count() == 200
    assert mail.outbox == []

    mail_server_down.EMAIL_BACKEND = LOCMEM
    report = deliver_due(now=timezone.now() + timedelta(hours=1), limit=1000)
    assert report.sent == 200
    assert len(mail.outbox) == 200
    assert len({m.to[0] for m in mail.outbox if m.to[0].startswith("parent")}) == 100
    assert not Notification.objects.exclude(state=Notification.State.SENT).exists()


def test_an_unreachable_server_stops_the_batch_instead_of_waiting_on_each_row(worker, mail_server_down):
    for _ in range(5):
        queue_new_request(FamilyRequest(assigned_worker=worker, email=""))
    report = deliver_due()
    assert RefusingBackend.calls == 1
    assert report.stopped_early and report.retrying == 1
    assert Notification.objects.filter(attempts=0, state=Notification.State.PENDING).count() == 4


def test_a_refused_recipient_does_not_stop_the_others_and_leaks_no_address(worker, settings):
    settings.EMAIL_BACKEND = dotted(RecipientRefusingBackend)
    for _ in range(3):
        queue_new_request(FamilyRequest(assigned_worker=worker, email=""))
    report = deliver_due()
    assert report.retrying == 3 and not report.stopped_early
    assert set(Notification.objects.values_list("last_error", flat=True)) == {"SMTPRecipientsRefused"}


def test_retries_back_off_exponentially_and_give_up_after_ten_attempts(worker, mail_server_down):
    [row] = queue_new_request(FamilyRequest(assigned_worker=worker, email=""))
    delays = []
    for _ in range(MAX_ATTEMPTS):
        now = row.next_attempt_at
        deliver_due(now=now)
        row.refresh_from_db()
        delays.append(row.next_attempt_at - now)
    assert [d.total_seconds() / 60 for d in delays[:9]] == [1, 2, 4, 8, 16, 32, 64, 128, 256]
    assert row.state == Notification.State.FAILED
    assert row.attempts == MAX_ATTEMPTS
    assert row.request.events.filter(kind="notify_failed", data__gave_up=True).count() == 1
    assert backoff(12) == timedelta(hours=6)


def test_send_notifications_command_retries_everything_with_all(worker, mail_server_down):
    queue_new_request(FamilyRequest(assigned_worker=worker, email=""))
    deliver_due()
    mail_server_down.EMAIL_BACKEND = LOCMEM
    call_command("send_notifications")
    assert mail.outbox == []
    call_command("send_notifications", "--all")
    assert len(mail.outbox) == 1


def test_the_task_delivers_due_notifications(worker):
    queue_new_request(FamilyRequest(assigned_worker=worker, email=""))
    result = deliver_notifications.enqueue()
    assert result.return_value["sent"] == 1
    assert len(mail.outbox) == 1


def test_a_confirmation_for_a_request_closed_meanwhile_is_not_sent(worker):
    request = FamilyRequest(assigned_worker=worker, slot_start=tomorrow_at(9))
    queue_new_request(request)
    request.status = AppointmentRequest.Status.CANCELLED_FAMILY
    request.save()
    report = deliver_due()
    assert (report.sent, report.skipped) == (1, 1)
    assert [m.to for m in mail.outbox] == [["c.leroy@ccas.example.fr"]]


class SlowBackend(LocmemBackend):
    """A real server takes a while: workers overlap."""

    def send_messages(self, messages):
        time_module.sleep(0.005)
        return super().send_messages(messages)


@pytest.mark.skipif(connection.vendor != "postgresql", reason="row locks with SKIP LOCKED need PostgreSQL")
@pytest.mark.django_db(transaction=True, serialized_rollback=True)
def test_concurrent_workers_send_each_notification_once(worker, settings):
    settings.EMAIL_BACKEND = dotted(SlowBackend)
    for _ in range(40):
        request = FamilyRequest(assigned_worker=worker, email="")
        NotificationFactory(kind=Notification.Kind.WORKER_NEW, request=request, recipient=worker.email)
    reports, errors = [], []

    def work():
        try:
            reports.append(deliver_due(limit=1000))
        except Exception as error:  # noqa: BLE001
            errors.append(error)
        finally:
            connection.close()

    threads = [threading.Thread(target=work) for _ in range(4)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join()
    assert errors == []
    assert sum(report.sent for report in reports) == 40
    assert sum(1 for report in reports if report.sent) > 1, "the workers did not overlap"
    assert len(mail.outbox) == 40
    assert Notification.objects.filter(state=Notification.State.SENT).count() == 40


def test_rows_queued_under_the_tasks_former_path_still_run_it():
    """DBTaskResult rows written before the task moved name forms.tasks.deliver_notifications:
    the worker imports that path and must find the same task."""
    from django.utils.module_loading import import_string

    assert import_string("forms.tasks.deliver_notifications") is deliver_notifications
