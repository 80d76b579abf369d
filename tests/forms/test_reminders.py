"""The day-before reminder: tomorrow in Paris, active appointments with an e-mail, once."""

from datetime import UTC, datetime, time, timedelta
from io import StringIO

import pytest
from django.core import mail
from django.core.management import call_command
from django.utils import timezone

from forms.models import AppointmentRequest, Notification
from forms.notifications.delivery import deliver_due
from forms.notifications.queueing import queue_reminders
from services.schedule import PARIS
from tests.factories import AppointmentRequestFactory, make_worker

pytestmark = pytest.mark.django_db

Status = AppointmentRequest.Status
REMINDER = Notification.Kind.PARENT_REMINDER


def paris(day, hour, minute=0):
    return datetime.combine(day, time(hour, minute), tzinfo=PARIS)


def tomorrow():
    return timezone.localtime(timezone.now(), PARIS).date() + timedelta(days=1)


@pytest.fixture
def worker():
    return make_worker("Mme Leroy", email="c.leroy@ccas.example.fr")


class Appointment(AppointmentRequestFactory):
    """An appointment fixed at the school's office, for a family with an e-mail."""

    class Params:
        at_school = True

    status = Status.SCHEDULED


def run_command():
    call_command("send_reminders", stdout=StringIO())


def test_reminders_go_to_active_appointments_of_tomorrow_with_an_email(worker):
    day = tomorrow()
    reminded = [
        Appointment(assigned_worker=worker, slot_start=paris(day, 8, 30), email="early@example.org", status=Status.NEW),
        Appointment(
            assigned_worker=worker,
            slot_start=paris(day, 9),
            email="ar@example.org",
            language="ar",
            status=Status.ACKNOWLEDGED,
        ),
        Appointment(assigned_worker=worker, slot_start=paris(day, 23, 30), email="late@example.org"),
    ]
    Appointment(assigned_worker=worker, slot_start=paris(day, 10), email="")
    Appointment(
        assigned_worker=worker, slot_start=paris(day, 11), email="gone@example.org", status=Status.CANCELLED_FAMILY
    )
    Appointment(assigned_worker=worker, slot_start=paris(day + timedelta(days=1), 0, 0), email="after@example.org")
    Appointment(assigned_worker=worker, slot_start=paris(day - timedelta(days=1), 23, 59), email="today@example.org")

    run_command()

    assert sorted(m.to[0] for m in mail.outbox) == ["ar@example.org", "early@example.org", "late@example.org"]
    rows = Notification.objects.filter(kind=REMINDER)
    assert {(row.request_id, row.language) for row in rows} == {(r.pk, r.language) for r in reminded}
    arabic = next(m for m in mail.outbox if m.to == ["ar@example.org"])
    assert arabic.extra_headers["Content-Language"] == "ar"
    assert 'dir="rtl"' in arabic.alternatives[0][0]
    assert len(arabic.attachments) == 1


def test_reminders_are_queued_once_however_often_the_command_runs(worker):
    Appointment(assigned_worker=worker, slot_start=paris(tomorrow(), 9))
    run_command()
    run_command()
    assert Notification.objects.filter(kind=REMINDER).count() == 1
    assert len(mail.outbox) == 1


def test_a_reminder_still_waiting_for_the_mail_server_is_not_queued_again(worker):
    appointment = Appointment(assigned_worker=worker, slot_start=paris(tomorrow(), 9))
    assert len(queue_reminders()) == 1
    assert queue_reminders() == []
    assert appointment.notifications.filter(kind=REMINDER, state=Notification.State.PENDING).count() == 1


def test_tomorrow_is_counted_in_paris_time():
    # 23:30 UTC on 14 March is already 00:30 on the 15th in Paris: tomorrow is the 16th.
    now = datetime(2027, 3, 14, 23, 30, tzinfo=UTC)
    worker = make_worker()
    on_16th = Appointment(assigned_worker=worker, slot_start=paris(datetime(2027, 3, 16).date(), 9))
    Appointment(assigned_worker=worker, slot_start=paris(datetime(2027, 3, 15).date(), 9))
    assert [row.request_id for row in queue_reminders(now=now)] == [on_16th.pk]


def test_an_appointment_cancelled_after_its_reminder_was_queued_is_not_reminded(worker):
    appointment = Appointment(assigned_worker=worker, slot_start=paris(tomorrow(), 9))
    queue_reminders()
    appointment.status = Status.CANCELLED_FAMILY
    appointment.save()
    assert deliver_due().skipped == 1
    assert mail.outbox == []


def test_the_command_takes_a_date(worker):
    day = tomorrow() + timedelta(days=6)
    Appointment(assigned_worker=worker, slot_start=paris(day, 9))
    call_command("send_reminders", "--date", day.isoformat(), stdout=StringIO())
    assert len(mail.outbox) == 1
