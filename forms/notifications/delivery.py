"""Delivery of the notification outbox: sending the rows that are due, with retries.

`deliver_due` is run by the task `forms.notifications.tasks.deliver_notifications` (right after the
request's transaction commits) and by cron's `send_notifications`. Each row is locked while
it is sent and marked sent in the same transaction, so concurrent runs never send one twice.
A failure is retried with exponential backoff (1, 2, 4... minutes, capped at 6 h) and given up
after MAX_ATTEMPTS; a mail server that cannot be reached stops the batch, the rest waits.
A row that should no longer be sent (request anonymised or closed, registration cancelled)
is skipped. What the e-mail says is forms.notifications.rendering's business.
"""

from __future__ import annotations

import logging
import smtplib
from dataclasses import asdict, dataclass
from datetime import datetime, timedelta

from django.core.mail import EmailMultiAlternatives, get_connection
from django.db import transaction
from django.utils import timezone

from forms.models import EveningRegistration, Notification, RequestEvent
from forms.notifications.rendering import build_message

logger = logging.getLogger(__name__)

Kind = Notification.Kind
State = Notification.State

MAX_ATTEMPTS = 10
BACKOFF_CAP = timedelta(hours=6)
# Sent only while the request is active: no reminder for an appointment cancelled meanwhile.
ACTIVE_ONLY_KINDS = {Kind.PARENT_CONFIRMATION, Kind.PARENT_SCHEDULED, Kind.PARENT_REMINDER}


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
