"""What gets queued when: a row per e-mail, written in the caller's transaction.

Call these inside the transaction that saves the request or registration: they only write
`Notification` rows and enqueue the delivery task (forms.notifications.tasks), which runs only once that
transaction has committed. A request that rolls back never sends anything; a mail server that
is down never loses or blocks a request (see forms.notifications.delivery).
"""

from __future__ import annotations

from datetime import date, datetime, time, timedelta

from django.conf import settings
from django.db import transaction
from django.utils import timezone

from forms.models import AppointmentRequest, EveningRegistration, Notification
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


def _add(kind, recipient, language, *, request=None, registration=None) -> Notification:
    return Notification.objects.create(
        kind=kind, recipient=recipient, language=language, request=request, registration=registration
    )


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


def queue_new_request(request: AppointmentRequest) -> list[Notification]:
    """To the worker (or service mailbox): a new request; to the family, if an e-mail was given:
    the confirmation with the cancel link and the .ics."""
    rows = [_add(Kind.WORKER_NEW, worker_recipient(request), settings.LANGUAGE_CODE, request=request)]
    if request.email:
        rows.append(_add(Kind.PARENT_CONFIRMATION, request.email, request.language, request=request))
    _deliver_after_commit()
    return rows


def queue_request_cancelled(request: AppointmentRequest, by_family: bool) -> list[Notification]:
    """To the worker (or service mailbox) always; to the family when the service cancelled."""
    rows = [_add(Kind.WORKER_CANCELLED, worker_recipient(request), settings.LANGUAGE_CODE, request=request)]
    if not by_family and request.email:
        rows.append(_add(Kind.PARENT_CANCELLED, request.email, request.language, request=request))
    _deliver_after_commit()
    return rows


def queue_request_scheduled(request: AppointmentRequest) -> list[Notification]:
    """To the family, when a worker schedules or reschedules the appointment."""
    if not request.email:
        return []
    rows = [_add(Kind.PARENT_SCHEDULED, request.email, request.language, request=request)]
    _deliver_after_commit()
    return rows


def queue_evening(registration: EveningRegistration, kind: str) -> list[Notification]:
    """EVENING_CONFIRMATION (confirmed or on the waiting list) or EVENING_PROMOTED."""
    if kind not in EVENING_KINDS:
        raise ValueError(f"not an evening notification: {kind}")
    if not registration.email:
        return []
    rows = [_add(kind, registration.email, registration.language, registration=registration)]
    _deliver_after_commit()
    return rows


def queue_reminders(day: date | None = None, now: datetime | None = None) -> list[Notification]:
    """A PARENT_REMINDER for each active appointment on `day` (default: tomorrow, Paris time)
    with an e-mail, at most once per request however often this runs. Does not deliver."""
    now = now or timezone.now()
    day = day or timezone.localtime(now, PARIS).date() + timedelta(days=1)
    start = datetime.combine(day, time.min, tzinfo=PARIS)
    end = datetime.combine(day + timedelta(days=1), time.min, tzinfo=PARIS)
    active = AppointmentRequest.ACTIVE_STATUSES
    candidates = (
        AppointmentRequest.objects.filter(
            slot_start__gte=start, slot_start__lt=end, status__in=active, anonymised_at__isnull=True
        )
        .exclude(email="")
        .exclude(notifications__kind=Kind.PARENT_REMINDER)
        .order_by("slot_start", "pk")
        .values_list("pk", flat=True)
    )
    queued = []
    for pk in list(candidates):
        # The row lock makes two overlapping runs queue one reminder, not two.
        with transaction.atomic():
            request = AppointmentRequest.objects.select_for_update().filter(pk=pk, status__in=active).first()
            if request is None or request.notifications.filter(kind=Kind.PARENT_REMINDER).exists():
                continue
            queued.append(_add(Kind.PARENT_REMINDER, request.email, request.language, request=request))
    return queued


def queue_request_moved(request: AppointmentRequest) -> list[Notification]:
    """The family moved its appointment: to the worker now holding it (or the service mailbox),
    a notice with no personal data; to the family, if it left an e-mail, the new confirmation
    (the PARENT_SCHEDULED message, with the .ics of higher SEQUENCE)."""
    rows = [_add(Kind.WORKER_MOVED, worker_recipient(request), settings.LANGUAGE_CODE, request=request)]
    if request.email:
        rows.append(_add(Kind.PARENT_SCHEDULED, request.email, request.language, request=request))
    _deliver_after_commit()
    return rows
