"""What gets queued when: a row per message and channel, written in the caller's transaction.

Call these inside the transaction that saves the request or registration: they only write
`Notification` rows and enqueue the delivery task (forms.notifications.tasks), which runs only once that
transaction has committed. A request that rolls back never sends anything; a mail server or
an SMS provider that is down never loses or blocks a request (see forms.notifications.delivery).

A family's message goes by the channels it chose (forms.notifications.channels: text message,
e-mail or both); a worker's always by e-mail. Reminders are scheduled in the outbox itself:
a row whose `next_attempt_at` is the reminder's hour (BookingSettings.reminder_hours before
the appointment), delivered when it is due; `queue_reminders` (the daily command) only
catches appointments that have none.
"""

from __future__ import annotations

from datetime import date, datetime, time, timedelta

from django.conf import settings
from django.db import transaction
from django.db.models import Exists, OuterRef, Q
from django.utils import timezone

from forms.models import AppointmentRequest, BookingSettings, EveningRegistration, Notification
from forms.notifications.channels import EMAIL, family_recipients
from forms.notifications.tasks import deliver_notifications
from services.schedule import PARIS

Kind = Notification.Kind

EVENING_KINDS = {Kind.EVENING_CONFIRMATION, Kind.EVENING_PROMOTED}


def worker_recipient(request: AppointmentRequest) -> str:
    """The assigned worker's private e-mail, or the service mailbox for the service-wide queue."""
    worker = request.assigned_worker
    if worker is not None and worker.email:
        return worker.email
    return settings.SERVICE_MAILBOX


def _row(kind, recipient, language, *, channel=EMAIL, request=None, registration=None, **fields) -> Notification:
    return Notification(
        kind=kind,
        channel=channel,
        recipient=recipient,
        language=language,
        request=request,
        registration=registration,
        **fields,
    )


def _family_rows(kind, row, **fields) -> list[Notification]:
    """One row per channel the family chose and can be reached by (`row`: a request or a
    registration)."""
    owner = {"registration": row} if isinstance(row, EveningRegistration) else {"request": row}
    return [
        _row(kind, recipient, row.language, channel=channel, **owner, **fields)
        for channel, recipient in family_recipients(row)
    ]


def _worker_row(kind, request) -> Notification:
    return _row(kind, worker_recipient(request), settings.LANGUAGE_CODE, request=request)


def _save(rows: list[Notification], deliver: bool = True) -> list[Notification]:
    """One insert for the rows of one event, then the delivery task (after commit)."""
    if rows:
        Notification.objects.bulk_create(rows)
        if deliver:
            _deliver_after_commit()
    return rows


def _reminder_rows(request: AppointmentRequest, rules=None, new: bool = False) -> list[Notification]:
    """The family's reminder, due BookingSettings.reminder_hours before the appointment; none
    when that hour is already past (the confirmation has just told the family) or 0 hours."""
    if request.slot_start is None:
        return []
    hours = (rules or BookingSettings.load()).reminder_hours
    due = request.slot_start - timedelta(hours=hours)
    if not hours or due <= timezone.now():
        return []
    pending = _reminders_of_slot(request.pk, request.slot_start).filter(state=Notification.State.PENDING)
    if not new and pending.exists():
        return []  # the slot has its reminder already (a reschedule that kept the start time)
    return _family_rows(Kind.PARENT_REMINDER, request, next_attempt_at=due, about_slot=request.slot_start)


def _enqueue_delivery():
    deliver_notifications.enqueue()


def _deliver_after_commit():
    if settings.TASKS["default"]["BACKEND"] == "django_tasks_db.DatabaseBackend":
        # The task is a row of the same database, written in the request's own transaction: the
        # worker sees it once the request is committed, never before (a transactional outbox,
        # and no second round trip and commit after the request's).
        _enqueue_delivery()
    else:
        # Another queue: only once committed. robust: a queue that cannot be reached is logged,
        # not raised into the view that has already committed; cron's send_notifications picks
        # the rows up.
        transaction.on_commit(_enqueue_delivery, robust=True)


def queue_new_request(request: AppointmentRequest, rules=None) -> list[Notification]:
    """To the worker (or service mailbox): a new request. To the family, by its channels: the
    confirmation with the link to its appointment page (and the .ics by e-mail), and the
    reminder, scheduled. `rules`: the booking settings when the caller has read them.

    A professional's referral (DESIGN.md rule 8): the family is told who referred it, with
    its link to refuse contact or book, and the referrer gets an acknowledgement carrying
    the reference only, in French (the form's language)."""
    slot = request.slot_start
    if request.is_referral:
        return _save(
            [
                _worker_row(Kind.WORKER_NEW, request),
                *_family_rows(Kind.PARENT_REFERRED, request),
                _row(
                    Kind.REFERRER_ACKNOWLEDGEMENT,
                    request.referral.referrer_email,
                    settings.LANGUAGE_CODE,
                    request=request,
                ),
            ]
        )
    rows = [
        _worker_row(Kind.WORKER_NEW, request),
        *_family_rows(Kind.PARENT_CONFIRMATION, request, about_slot=slot),
        *_reminder_rows(request, rules=rules, new=True),
    ]
    return _save(rows)


def queue_referral_booked(request: AppointmentRequest) -> list[Notification]:
    """A referred family chose a slot itself: to the worker now holding it (or the service
    mailbox), the reference and the link; to the family, by its channels, the confirmation
    of its appointment (PARENT_SCHEDULED, with the .ics by e-mail) and the reminder."""
    slot = request.slot_start
    return _save(
        [
            _worker_row(Kind.WORKER_BOOKED, request),
            *_family_rows(Kind.PARENT_SCHEDULED, request, about_slot=slot),
            *_reminder_rows(request),
        ]
    )


def queue_contact_refused(request: AppointmentRequest) -> list[Notification]:
    """The family refused a referral's contact: the worker (or service mailbox) is told, with
    the reference and the link only; the family, which has just seen it on its page, is not."""
    return _save([_worker_row(Kind.WORKER_CANCELLED, request)])


def queue_request_cancelled(request: AppointmentRequest, by_family: bool) -> list[Notification]:
    """To the worker (or service mailbox) always; to the family, by its channels: that the
    service cancelled, or that its own cancellation is recorded."""
    kind = Kind.PARENT_CANCELLED_BY_FAMILY if by_family else Kind.PARENT_CANCELLED
    return _save([_worker_row(Kind.WORKER_CANCELLED, request), *_family_rows(kind, request)])


def queue_request_scheduled(request: AppointmentRequest) -> list[Notification]:
    """To the family, when a worker schedules or reschedules the appointment, with the new
    reminder (the one of the old slot is then never sent: see delivery)."""
    slot = request.slot_start
    return _save([*_family_rows(Kind.PARENT_SCHEDULED, request, about_slot=slot), *_reminder_rows(request)])


def queue_no_show(request: AppointmentRequest, rules=None) -> list[Notification]:
    """ "We missed you", once, with the link to book again, unless the manager turned it off."""
    if not (rules or BookingSettings.load()).no_show_message:
        return []
    if request.notifications.filter(kind=Kind.PARENT_NO_SHOW).exists():
        return []
    return _save(_family_rows(Kind.PARENT_NO_SHOW, request))


def queue_evening(registration: EveningRegistration, kind: str) -> list[Notification]:
    """EVENING_CONFIRMATION (confirmed or on the waiting list) or EVENING_PROMOTED."""
    if kind not in EVENING_KINDS:
        raise ValueError(f"not an evening notification: {kind}")
    return _save(_family_rows(kind, registration))


def queue_reminders(day: date | None = None, now: datetime | None = None) -> list[Notification]:
    """A PARENT_REMINDER, by the family's channels, for each active appointment on `day`
    (default: tomorrow, Paris time) that has no reminder for its slot yet (booked before
    reminders were scheduled, or less than reminder_hours ahead), at most once however often
    this runs, and makes the reminders already scheduled for that day's appointments due now
    (a run by hand, or a day when the scheduled hour was missed). Does not deliver."""
    now = now or timezone.now()
    day = day or timezone.localtime(now, PARIS).date() + timedelta(days=1)
    start = datetime.combine(day, time.min, tzinfo=PARIS)
    end = datetime.combine(day + timedelta(days=1), time.min, tzinfo=PARIS)
    active = AppointmentRequest.ACTIVE_STATUSES
    candidates = (
        AppointmentRequest.objects.filter(
            slot_start__gte=start, slot_start__lt=end, status__in=active, anonymised_at__isnull=True
        )
        .exclude(email="", phone="")
        .exclude(Exists(_reminders_of_slot(OuterRef("pk"), OuterRef("slot_start"))))
        .order_by("slot_start", "pk")
        .values_list("pk", flat=True)
    )
    scheduled = Notification.objects.filter(
        kind=Kind.PARENT_REMINDER,
        state=Notification.State.PENDING,
        attempts=0,
        request__slot_start__gte=start,
        request__slot_start__lt=end,
        request__status__in=active,
        next_attempt_at__gt=now,
    )
    queued = list(scheduled)
    scheduled.update(next_attempt_at=now)
    for pk in list(candidates):
        # The row lock makes two overlapping runs queue one reminder, not two.
        with transaction.atomic():
            request = AppointmentRequest.objects.select_for_update().filter(pk=pk, status__in=active).first()
            if request is None or _reminders_of_slot(request.pk, request.slot_start).exists():
                continue
            queued += _save(
                _family_rows(Kind.PARENT_REMINDER, request, next_attempt_at=now, about_slot=request.slot_start),
                deliver=False,
            )
    return queued


def _reminders_of_slot(request, slot_start):
    """The reminders queued for this slot of a request (those of before reminders named their
    slot count for any)."""
    return Notification.objects.filter(request=request, kind=Kind.PARENT_REMINDER).filter(
        Q(about_slot=slot_start) | Q(about_slot__isnull=True)
    )


def queue_request_moved(request: AppointmentRequest) -> list[Notification]:
    """The family moved its appointment: to the worker now holding it (or the service mailbox),
    a notice with no personal data; to the family, by its channels, the new confirmation (the
    PARENT_SCHEDULED message, with the .ics of higher SEQUENCE by e-mail) and the new reminder
    (the old slot's is then never sent: see delivery)."""
    slot = request.slot_start
    return _save(
        [
            _worker_row(Kind.WORKER_MOVED, request),
            *_family_rows(Kind.PARENT_SCHEDULED, request, about_slot=slot),
            *_reminder_rows(request),
        ]
    )
