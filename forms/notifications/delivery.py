"""Delivery of the notification outbox: sending the rows that are due, with retries.

`deliver_due` is run by the task `forms.notifications.tasks.deliver_notifications` (right after the
request's transaction commits) and by cron's `send_notifications`. Each row is locked while
it is sent and marked sent in the same transaction, so concurrent runs never send one twice.
A failure is retried with exponential backoff (1, 2, 4... minutes, capped at 6 h) and given up
after MAX_ATTEMPTS; a permanent one (an SMS to an invalid number) is given up at once. A
channel that cannot be reached (the mail server, the SMS provider) stops for the rest of the
batch, the other channel goes on; its rows wait.

A row that is pointless is never sent: the request anonymised or closed, the registration
cancelled, a reminder whose appointment has started, a confirmation or reminder of a slot
the appointment has left.

Text messages also obey two limits (BookingSettings): at most `sms_per_number_per_day` to one
number (beyond, the message is dropped: nobody can use the form to flood a stranger's
phone) and `sms_daily_budget` for the whole service (beyond, messages wait, tried again every
half hour but never at night, and the manager's dashboard says so). A text message that cannot be delivered (refused at
once, or reported failed later by the provider: `apply_delivery_report`) flags the request
in the worker's queue and sends the e-mail instead when the family gave an address.

What a message says is forms.notifications.rendering's business.
"""

from __future__ import annotations

import logging
import smtplib
from dataclasses import asdict, dataclass
from datetime import datetime, time, timedelta

from django.core.mail import EmailMultiAlternatives, get_connection
from django.db import transaction
from django.db.models import Count, Exists, OuterRef, Q
from django.utils import timezone

from forms.models import BookingSettings, EveningRegistration, Notification, RequestEvent
from forms.notifications.rendering import build_message, sms_text
from forms.notifications.sms import PermanentSmsError, SmsMessage, TemporarySmsError, get_backend, send_sms
from forms.notifications.sms.reports import DELIVERED, FAILED, SENT
from forms.phone import mask_phone
from services.schedule import PARIS

logger = logging.getLogger(__name__)

Kind = Notification.Kind
State = Notification.State
Channel = Notification.Channel
Delivery = Notification.Delivery

# last_error of the rows held by the limits (the dashboard counts the budget's).
OVER_NUMBER_LIMIT = "skipped: daily limit for this number"
OVER_BUDGET = "waiting: daily SMS budget"
# Text messages held by the daily budget are tried again every BUDGET_RETRY (the manager may
# raise the budget), never at night: after QUIET_FROM they wait for QUIET_UNTIL (Paris).
BUDGET_RETRY = timedelta(minutes=30)
QUIET_FROM, QUIET_UNTIL = time(21, 0), time(8, 0)

MAX_ATTEMPTS = 10
BACKOFF_CAP = timedelta(hours=6)
# Sent only while the request is active: no reminder for an appointment cancelled meanwhile.
ACTIVE_ONLY_KINDS = {Kind.PARENT_CONFIRMATION, Kind.PARENT_SCHEDULED, Kind.PARENT_REMINDER, Kind.PARENT_REFERRED}
# Only about the slot they were written for (Notification.about_slot).
SLOT_KINDS = ACTIVE_ONLY_KINDS


@dataclass
class DeliveryReport:
    sent: int = 0
    retrying: int = 0
    gave_up: int = 0
    skipped: int = 0
    # Text messages held by the daily budget until the next day.
    postponed: int = 0
    # A channel (the mail server, the SMS provider) could not be reached: its rest of the
    # batch waits for the next run.
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


def _obsolete(notification: Notification, now: datetime) -> str:
    """Why a pending row should no longer be sent, or ""."""
    request, registration = notification.request, notification.registration
    if request is not None:
        if request.anonymised_at is not None:
            return "anonymised"
        if notification.kind in ACTIVE_ONLY_KINDS and not request.is_active:
            return "request closed"
        if notification.kind in SLOT_KINDS and notification.about_slot is not None:
            if request.slot_start != notification.about_slot:
                return "appointment moved"
        if notification.kind == Kind.PARENT_REMINDER and request.slot_start and request.slot_start <= now:
            return "appointment started"
    if registration is not None:
        if registration.anonymised_at is not None:
            return "anonymised"
        if registration.status == EveningRegistration.Status.CANCELLED:
            return "registration cancelled"
    return ""


def _paris_day_start(now: datetime) -> datetime:
    return datetime.combine(timezone.localtime(now, PARIS).date(), time.min, tzinfo=PARIS)


def _over_sms_limit(notification: Notification, now: datetime, rules) -> str:
    """OVER_NUMBER_LIMIT, OVER_BUDGET or "" for a text message about to be sent."""
    sent_today = Notification.objects.filter(
        channel=Channel.SMS, state=State.SENT, sent_at__gte=_paris_day_start(now)
    ).aggregate(all=Count("pk"), to_number=Count("pk", filter=Q(recipient=notification.recipient)))
    if sent_today["to_number"] >= rules.sms_per_number_per_day:
        return OVER_NUMBER_LIMIT
    if sent_today["all"] >= rules.sms_daily_budget:
        return OVER_BUDGET
    return ""


def budget_retry_at(now: datetime) -> datetime:
    """When a text message held by the daily budget is tried again: in BUDGET_RETRY, or at
    08:00 (Paris) when that falls in the night."""
    later = timezone.localtime(now + BUDGET_RETRY, PARIS)
    if QUIET_UNTIL <= later.time() < QUIET_FROM:
        return later
    day = later.date() if later.time() < QUIET_UNTIL else later.date() + timedelta(days=1)
    return datetime.combine(day, QUIET_UNTIL, tzinfo=PARIS)


def fallback_email(notification: Notification, now: datetime) -> Notification | None:
    """The e-mail that goes instead of a text message that did not arrive, when the family
    gave an address and no e-mail of that message was queued already; due `now`, so a
    running batch sends it. None otherwise."""
    row = notification.request or notification.registration
    if row is None or not row.email or notification.channel != Channel.SMS:
        return None
    owner = {"registration": row} if notification.registration_id else {"request": row}
    already = Notification.objects.filter(kind=notification.kind, channel=Channel.EMAIL, **owner)
    if notification.about_slot is not None:
        already = already.filter(about_slot=notification.about_slot)
    if already.exists():
        return None
    return Notification.objects.create(
        kind=notification.kind,
        channel=Channel.EMAIL,
        recipient=row.email,
        language=row.language,
        about_slot=notification.about_slot,
        next_attempt_at=now,
        **owner,
    )


class _Texter:
    """One SMS backend for a batch."""

    def __init__(self):
        self._backend = None

    def send(self, notification: Notification):
        if self._backend is None:
            self._backend = get_backend()
        message = SmsMessage(to=notification.recipient, text=sms_text(notification), reference=f"n{notification.pk}")
        return send_sms(message, backend=self._backend)


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


class _Batch:
    """What one delivery run shares: the connections, the booking rules, the channels down."""

    def __init__(self, now: datetime, report: DeliveryReport):
        self.now, self.report = now, report
        self.mailer, self.texter = _Mailer(), _Texter()
        self.down: set[str] = set()
        self._rules = None

    @property
    def rules(self):
        if self._rules is None:
            self._rules = BookingSettings.load()
        return self._rules


def _skip(notification: Notification, reason: str, report: DeliveryReport):
    notification.state = State.FAILED
    notification.last_error = f"skipped: {reason}"
    notification.save(update_fields=["state", "last_error"])
    report.skipped += 1


def _failed(notification: Notification, error: Exception, batch: _Batch, permanent: bool):
    notification.attempts += 1
    notification.last_error = _describe(error)[:300]
    gave_up = permanent or notification.attempts >= MAX_ATTEMPTS
    if gave_up:
        notification.state = State.FAILED
        batch.report.gave_up += 1
    else:
        notification.next_attempt_at = batch.now + backoff(notification.attempts)
        batch.report.retrying += 1
    notification.save(update_fields=["attempts", "last_error", "state", "next_attempt_at"])
    _record(
        notification,
        RequestEvent.Kind.NOTIFY_FAILED,
        attempts=notification.attempts,
        error=notification.last_error,
        gave_up=gave_up,
        channel=notification.channel,
    )
    logger.warning(
        "notification %s (%s, %s) failed, attempt %s: %s",
        notification.pk,
        notification.kind,
        notification.channel,
        notification.attempts,
        notification.last_error,
    )
    if gave_up and notification.channel == Channel.SMS:
        fallback_email(notification, batch.now)


def _send_sms(notification: Notification, batch: _Batch) -> bool:
    """Send one text message within the limits. False when the provider is unreachable."""
    limit = _over_sms_limit(notification, batch.now, batch.rules)
    if limit == OVER_BUDGET:
        notification.next_attempt_at = budget_retry_at(batch.now)
        notification.last_error = OVER_BUDGET
        notification.save(update_fields=["next_attempt_at", "last_error"])
        batch.report.postponed += 1
        logger.warning("daily SMS budget reached: notification %s waits", notification.pk)
        return True
    if limit == OVER_NUMBER_LIMIT:
        _skip(notification, "daily limit for this number", batch.report)
        logger.warning(
            "daily SMS limit reached for %s: notification %s dropped",
            mask_phone(notification.recipient),
            notification.pk,
        )
        fallback_email(notification, batch.now)
        return True
    try:
        result = batch.texter.send(notification)
    except PermanentSmsError as error:
        _failed(notification, error, batch, permanent=True)
        return True
    except TemporarySmsError as error:
        _failed(notification, error, batch, permanent=False)
        return False
    except Exception as error:  # noqa: BLE001 - an unexpected failure of the backend is retried
        _failed(notification, error, batch, permanent=False)
        return True
    notification.provider_id = result.provider_id[:100]
    notification.segments = result.segments
    notification.delivery = Delivery.SENT
    _sent(notification, batch, ["provider_id", "segments", "delivery"])
    return True


def _send_email(notification: Notification, batch: _Batch) -> bool:
    """Send one e-mail. False when the mail server is unreachable."""
    try:
        batch.mailer.send(build_message(notification))
    except Exception as error:  # noqa: BLE001 - any failure of the outside world is retried
        _failed(notification, error, batch, permanent=False)
        return not _is_connection_error(error)
    _sent(notification, batch, [])
    return True


def _sent(notification: Notification, batch: _Batch, fields: list[str]):
    notification.state = State.SENT
    notification.sent_at = timezone.now()
    notification.attempts += 1
    notification.last_error = ""
    notification.save(update_fields=["state", "sent_at", "attempts", "last_error", *fields])
    _record(notification, RequestEvent.Kind.NOTIFIED, attempts=notification.attempts, channel=notification.channel)
    batch.report.sent += 1


def _attempt(notification: Notification, batch: _Batch) -> bool:
    """Send one locked row and record the outcome. False when its channel is unreachable."""
    reason = _obsolete(notification, batch.now)
    if reason:
        _skip(notification, reason, batch.report)
        return True
    if notification.channel == Channel.SMS:
        return _send_sms(notification, batch)
    return _send_email(notification, batch)


def deliver_due(now: datetime | None = None, limit: int = 100, ignore_schedule: bool = False) -> DeliveryReport:
    """Send the pending notifications that are due, oldest first, at most `limit`.

    Each row is locked (`SELECT ... FOR UPDATE SKIP LOCKED` on PostgreSQL) while it is sent,
    so concurrent workers never send one twice. `ignore_schedule` also sends rows waiting
    for their next attempt after a failure (after an outage is over); a reminder scheduled
    for its hour still waits for it."""
    now = now or timezone.now()
    report = DeliveryReport()
    batch = _Batch(now, report)
    tried: list[int] = []
    try:
        for _ in range(limit):
            with transaction.atomic():
                due = Notification.objects.select_for_update(skip_locked=True).filter(state=State.PENDING)
                if ignore_schedule:
                    due = due.filter(Q(next_attempt_at__lte=now) | Q(attempts__gt=0))
                else:
                    due = due.filter(next_attempt_at__lte=now)
                if batch.down:
                    due = due.exclude(channel__in=batch.down)
                notification = due.exclude(pk__in=tried).order_by("next_attempt_at", "pk").first()
                if notification is None:
                    break
                tried.append(notification.pk)
                if not _attempt(notification, batch):
                    report.stopped_early = True
                    batch.down.add(notification.channel)
    finally:
        batch.mailer.close()
    return report


# Delivery reports (the provider's callback, forms.notifications.views)

REPORTED = {SENT: Delivery.SENT, DELIVERED: Delivery.DELIVERED, FAILED: Delivery.FAILED}


def apply_delivery_report(report) -> tuple[Notification | None, Notification | None]:
    """Record what the provider reported about a text message (a
    forms.notifications.sms.reports.DeliveryReport): (the row, or None for a message we do not
    know; the fallback e-mail queued, or None). The caller delivers the fallback.

    A report never goes back: "sent" after "delivered" or "failed" changes nothing. A failed
    message is on the request's timeline (the worker's queue flags it) and the e-mail goes
    instead when the family gave an address."""
    with transaction.atomic():
        notification = (
            Notification.objects.select_for_update()
            .filter(channel=Channel.SMS, provider_id=report.provider_id)
            .exclude(provider_id="")
            .first()
        )
        if notification is None:
            return None, None
        fallback = None
        status = REPORTED[report.status]
        if notification.delivery in (Delivery.DELIVERED, Delivery.FAILED) or notification.delivery == status:
            return notification, None
        notification.delivery = status
        notification.delivery_at = report.at or timezone.now()
        notification.save(update_fields=["delivery", "delivery_at"])
        if status == Delivery.FAILED:
            _record(
                notification,
                RequestEvent.Kind.NOTIFY_FAILED,
                channel=Channel.SMS,
                undelivered=True,
                error=(report.error or "failed")[:200],
                gave_up=True,
            )
            fallback = fallback_email(notification, timezone.now())
    return notification, fallback


def undelivered_sms() -> Q:
    """The text messages that did not reach the family: refused for good by the provider (an
    invalid number), or reported failed. Not those skipped on purpose (obsolete, over a limit)."""
    refused = Q(state=State.FAILED) & ~Q(last_error__startswith="skipped:")
    return Q(channel=Channel.SMS) & (refused | Q(delivery=Delivery.FAILED))


def with_undelivered_flag(requests):
    """Requests annotated `sms_undelivered`: a text message to the family did not arrive (the
    worker's queue and request page say "message non distribué : numéro à vérifier")."""
    return requests.annotate(
        sms_undelivered=Exists(Notification.objects.filter(undelivered_sms(), request=OuterRef("pk")))
    )
