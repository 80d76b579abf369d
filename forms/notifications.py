"""Notifications through a transactional outbox (DESIGN.md rules 2 and 4).

Call the `queue_*` functions inside the transaction that saves the request: they only
write `Notification` rows and, with `transaction.on_commit`, enqueue the delivery task. A
request that rolls back never sends anything; a mail server that is down never loses or
blocks a request: the rows wait, and `deliver_due` retries them with exponential backoff
(1, 2, 4... minutes, capped at 6 h) and gives up after MAX_ATTEMPTS.

What an e-mail may say: to a worker or the service mailbox, only a reference and a link to
the admin (professional secrecy: no name, phone, reason, message, school or child); to a
family, in their language, the date, place, the worker's public name, the mode, a cancel
link and an .ics, with the emergency numbers at the bottom. Never the reason.
"""

from __future__ import annotations

import logging
import smtplib
from dataclasses import asdict, dataclass
from datetime import date, datetime, time, timedelta

from django.conf import settings
from django.core.mail import EmailMultiAlternatives, get_connection
from django.db import transaction
from django.template.loader import render_to_string
from django.urls import NoReverseMatch, reverse
from django.utils import timezone, translation
from django.utils.dateformat import format as format_date
from django.utils.translation import gettext as _

from core.languages import text_direction
from forms import ics
from forms.cancel import absolute_url, cancel_url
from forms.models import AppointmentRequest, EveningRegistration, Notification, RequestEvent
from services.schedule import PARIS

logger = logging.getLogger(__name__)

Kind = Notification.Kind
State = Notification.State

MAX_ATTEMPTS = 10
BACKOFF_CAP = timedelta(hours=6)
FAMILY_KINDS = {
    Kind.PARENT_CONFIRMATION,
    Kind.PARENT_CANCELLED,
    Kind.PARENT_SCHEDULED,
    Kind.PARENT_REMINDER,
    Kind.EVENING_CONFIRMATION,
    Kind.EVENING_PROMOTED,
}
# Sent only while the request is active: no reminder for an appointment cancelled meanwhile.
ACTIVE_ONLY_KINDS = {Kind.PARENT_CONFIRMATION, Kind.PARENT_SCHEDULED, Kind.PARENT_REMINDER}
EVENING_KINDS = {Kind.EVENING_CONFIRMATION, Kind.EVENING_PROMOTED}


def admin_request_url(request: AppointmentRequest) -> str:
    """The link a worker follows from an e-mail to the request in the admin queue."""
    try:
        path = reverse("forms_admin:detail", args=[request.pk])
    except NoReverseMatch:  # the queue's admin views are not installed: the path they take
        path = f"/admin/demandes/{request.pk}/"
    return settings.WAGTAILADMIN_BASE_URL.rstrip("/") + path


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
    from forms.tasks import deliver_notifications

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


# Delivery


@dataclass
class DeliveryReport:
    sent: int = 0
    retrying: int = 0
    gave_up: int = 0
    skipped: int = 0
    # The mail server could not be reached: the rest of the batch waits for the next run.
    stopped_early: bool = False

    def as_dict(self) -> dict:
        return asdict(self)


def backoff(attempts: int) -> timedelta:
    """Delay before the next try after `attempts` failures: 1, 2, 4, 8... minutes, at most 6 h."""
    return min(timedelta(minutes=2 ** max(attempts - 1, 0)), BACKOFF_CAP)


def _is_connection_error(error: Exception) -> bool:
    # SMTPException is an OSError too; only socket-level errors and lost connections mean
    # "the server is unreachable", a refused recipient does not.
    if isinstance(error, smtplib.SMTPServerDisconnected | smtplib.SMTPConnectError):
        return True
    return isinstance(error, OSError) and not isinstance(error, smtplib.SMTPException)


def _describe(error: Exception) -> str:
    """A short error for last_error: the class and a code, never the message (SMTP replies
    quote recipient addresses)."""
    code = getattr(error, "smtp_code", None) or getattr(error, "errno", None)
    return f"{type(error).__name__} {code}" if code else type(error).__name__


def _obsolete(notification: Notification) -> str:
    """Why a pending row should no longer be sent, or ""."""
    request, registration = notification.request, notification.registration
    if request is not None:
        if request.anonymised_at is not None:
            return "anonymised"
        if notification.kind in ACTIVE_ONLY_KINDS and not request.is_active:
            return "request closed"
    if registration is not None and registration.status == EveningRegistration.Status.CANCELLED:
        return "registration cancelled"
    return ""


class _Mailer:
    """One connection for a batch, reopened after a failure."""

    def __init__(self):
        self.connection = get_connection()
        self.opened = False

    def send(self, message: EmailMultiAlternatives):
        if not self.opened:
            self.connection.open()
            self.opened = True
        message.connection = self.connection
        try:
            if not self.connection.send_messages([message]):
                raise RuntimeError("the mail backend sent nothing")
        except Exception:
            self.close()
            raise

    def close(self):
        if self.opened:
            self.opened = False
            try:
                self.connection.close()
            except Exception:  # noqa: BLE001 - closing a broken connection must not hide the real error
                logger.debug("closing the mail connection failed", exc_info=True)


def _record(notification: Notification, event: str, **data):
    # The timeline names the kind of e-mail, never its recipient.
    if notification.request_id:
        RequestEvent.objects.create(
            request_id=notification.request_id, kind=event, data={"kind": notification.kind, **data}
        )


def _attempt(notification: Notification, now: datetime, mailer: _Mailer, report: DeliveryReport) -> bool:
    """Send one locked row and record the outcome. False when the server is unreachable."""
    reason = _obsolete(notification)
    if reason:
        notification.state = State.FAILED
        notification.last_error = f"skipped: {reason}"
        notification.save(update_fields=["state", "last_error"])
        report.skipped += 1
        return True
    try:
        mailer.send(build_message(notification))
    except Exception as error:  # noqa: BLE001 - any failure of the outside world is retried
        notification.attempts += 1
        notification.last_error = _describe(error)[:300]
        gave_up = notification.attempts >= MAX_ATTEMPTS
        if gave_up:
            notification.state = State.FAILED
            report.gave_up += 1
        else:
            notification.next_attempt_at = now + backoff(notification.attempts)
            report.retrying += 1
        notification.save(update_fields=["attempts", "last_error", "state", "next_attempt_at"])
        _record(
            notification,
            RequestEvent.Kind.NOTIFY_FAILED,
            attempts=notification.attempts,
            error=notification.last_error,
            gave_up=gave_up,
        )
        logger.warning(
            "notification %s (%s) failed, attempt %s: %s",
            notification.pk,
            notification.kind,
            notification.attempts,
            notification.last_error,
        )
        return not _is_connection_error(error)
    notification.state = State.SENT
    notification.sent_at = timezone.now()
    notification.attempts += 1
    notification.last_error = ""
    notification.save(update_fields=["state", "sent_at", "attempts", "last_error"])
    _record(notification, RequestEvent.Kind.NOTIFIED, attempts=notification.attempts)
    report.sent += 1
    return True


def deliver_due(now: datetime | None = None, limit: int = 100, ignore_schedule: bool = False) -> DeliveryReport:
    """Send the pending notifications that are due, oldest first, at most `limit`.

    Each row is locked (`SELECT ... FOR UPDATE SKIP LOCKED` on PostgreSQL) while it is sent,
    so concurrent workers never send one twice. `ignore_schedule` also sends rows waiting
    for their next attempt (after an outage is over)."""
    now = now or timezone.now()
    report = DeliveryReport()
    mailer = _Mailer()
    tried: list[int] = []
    try:
        for _ in range(limit):
            with transaction.atomic():
                due = Notification.objects.select_for_update(skip_locked=True).filter(state=State.PENDING)
                if not ignore_schedule:
                    due = due.filter(next_attempt_at__lte=now)
                notification = due.exclude(pk__in=tried).order_by("next_attempt_at", "pk").first()
                if notification is None:
                    break
                tried.append(notification.pk)
                if not _attempt(notification, now, mailer, report):
                    report.stopped_early = True
                    break
    finally:
        mailer.close()
    return report


# Rendering


def local_when(start: datetime | None, end: datetime | None) -> dict:
    """Date and times in Europe/Paris, with day and month names in the active language."""
    if start is None:
        return {}
    start = start.astimezone(PARIS)
    when = {"date": format_date(start, "l j F Y"), "start_time": format_date(start, "H:i")}
    if end is not None:
        when["end_time"] = format_date(end.astimezone(PARIS), "H:i")
    return when


def _worker_message(notification: Notification):
    request = notification.request
    reference = request.reference
    if notification.kind == Kind.WORKER_NEW:
        subject = _("Nouvelle demande %(reference)s") % {"reference": reference}
        if notification.recipient == settings.SERVICE_MAILBOX:
            intro = _("Une nouvelle demande est arrivée dans la file du service.")
        else:
            intro = _("Une nouvelle demande vous est attribuée.")
    else:
        subject = _("Demande annulée %(reference)s") % {"reference": reference}
        if request.status == AppointmentRequest.Status.CANCELLED_SERVICE:
            intro = _("Cette demande a été annulée par le service.")
        else:
            intro = _("Cette demande a été annulée par la famille.")
    context = {"intro": intro, "reference": reference, "admin_url": admin_request_url(request)}
    return subject, "worker", context, []


def _appointment_message(notification: Notification):
    request = notification.request
    reference = request.reference
    has_slot = request.slot_start is not None
    if notification.kind == Kind.PARENT_CONFIRMATION:
        if has_slot:
            subject = _("Votre rendez-vous %(reference)s est réservé") % {"reference": reference}
            intro = _("Votre rendez-vous avec le service social scolaire est réservé.")
        else:
            subject = _("Votre demande %(reference)s est bien reçue") % {"reference": reference}
            intro = _("Votre demande de rendez-vous est bien reçue. Nous vous contacterons pour fixer un rendez-vous.")
    elif notification.kind == Kind.PARENT_SCHEDULED:
        subject = _("Votre rendez-vous %(reference)s est fixé") % {"reference": reference}
        intro = _("Votre rendez-vous avec le service social scolaire est fixé.")
    else:
        subject = _("Rappel : votre rendez-vous de demain (%(reference)s)") % {"reference": reference}
        intro = _("Nous vous rappelons votre rendez-vous de demain avec le service social scolaire.")
    worker = request.assigned_worker
    context = {
        "intro": intro,
        "reference": reference,
        "when": local_when(request.slot_start, request.slot_end),
        "place": request.place,
        "mode": request.get_mode_display(),
        "worker_name": worker.public_name if worker else "",
        "cancel_url": cancel_url(request) if request.is_active else "",
    }
    attachments = []
    if has_slot:
        attachments.append(("rendez-vous.ics", ics.to_bytes(ics.appointment_calendar(request)), "text/calendar"))
    return subject, "appointment", context, attachments


def _cancelled_message(notification: Notification):
    request = notification.request
    subject = _("Votre rendez-vous %(reference)s est annulé") % {"reference": request.reference}
    context = {
        "intro": _("Le service social scolaire a dû annuler votre rendez-vous. Nous vous prions de nous en excuser."),
        "reference": request.reference,
        "when": local_when(request.slot_start, request.slot_end),
        "booking_url": absolute_url(reverse("booking_start")),
    }
    return subject, "appointment_cancelled", context, []


def _evening_message(notification: Notification):
    from forms.evenings import cancel_path  # evening notifications exist only with that module

    registration = notification.registration
    # The registration holds the source page; the family reads the page of their language.
    evening = registration.evening.localized
    title = evening.title
    waiting = registration.status == EveningRegistration.Status.WAITING
    if notification.kind == Kind.EVENING_PROMOTED:
        subject = _("Une place s'est libérée : %(title)s") % {"title": title}
        intro = _("Une place s'est libérée : votre inscription à la soirée est confirmée.")
    elif waiting:
        subject = _("Liste d'attente : %(title)s") % {"title": title}
        intro = _(
            "La soirée est complète : vous êtes sur la liste d'attente. Nous vous écrirons si une place se libère."
        )
    else:
        subject = _("Inscription confirmée : %(title)s") % {"title": title}
        intro = _("Votre inscription à la soirée est confirmée.")
    context = {
        "intro": intro,
        "reference": registration.reference,
        "title": title,
        "when": local_when(evening.starts_at, evening.ends_at),
        "place": evening.place,
        "address": evening.address,
        "seats": registration.seats,
        "cancel_url": absolute_url(cancel_path(registration)),
    }
    attachments = []
    if registration.status == EveningRegistration.Status.CONFIRMED:
        calendar = ics.evening_calendar(registration, evening)
        attachments.append(("soiree.ics", ics.to_bytes(calendar), "text/calendar"))
    context["attached"] = bool(attachments)
    return subject, "evening", context, attachments


BUILDERS = {
    Kind.WORKER_NEW: _worker_message,
    Kind.WORKER_CANCELLED: _worker_message,
    Kind.PARENT_CONFIRMATION: _appointment_message,
    Kind.PARENT_SCHEDULED: _appointment_message,
    Kind.PARENT_REMINDER: _appointment_message,
    Kind.PARENT_CANCELLED: _cancelled_message,
    Kind.EVENING_CONFIRMATION: _evening_message,
    Kind.EVENING_PROMOTED: _evening_message,
}


def build_message(notification: Notification) -> EmailMultiAlternatives:
    """The e-mail for a row, in the row's language: plain text, HTML, attachments."""
    with translation.override(notification.language):
        subject, template, context, attachments = BUILDERS[notification.kind](notification)
        context.update(
            {
                "subject": subject,
                "language": translation.get_language(),
                "direction": text_direction(),
                "for_family": notification.kind in FAMILY_KINDS,
                "emergency_numbers": settings.EMERGENCY_NUMBERS,
            }
        )
        text = render_to_string(f"forms/email/{template}.txt", context)
        html = render_to_string(f"forms/email/{template}.html", context)
        language = translation.get_language()
    message = EmailMultiAlternatives(
        subject=subject,
        body=text,
        from_email=settings.DEFAULT_FROM_EMAIL,
        to=[notification.recipient],
        headers={"Content-Language": language, "Auto-Submitted": "auto-generated"},
    )
    message.attach_alternative(html, "text/html")
    for filename, content, mimetype in attachments:
        message.attach(filename, content, mimetype)
    return message
