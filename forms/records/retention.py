"""Retention (DESIGN.md rule 4): personal data of a closed request is kept for the retention
period (BookingSettings.retention_months, 24 by default: CNIL guidance for a CCAS, two years
after the last contact), then anonymised. What statistics need stays: school, reason, mode,
requester, language, interpreter, status, routing and dates.

What went out about a request or a registration goes with it: the outbox's recipients (the
e-mail addresses and phone numbers messages went to), the provider's ids and errors, the
short links of its text messages and the tokens of its links (forms.links: a purged request's
links open nothing). An evening registration is anonymised once its evening
ended longer ago than the same period (the seats stay counted)."""

from __future__ import annotations

import calendar
from datetime import datetime

from django.db import transaction
from django.utils import timezone

from forms.links import LINK_MAX_AGE
from forms.models import (
    AccessRecord,
    AppointmentRequest,
    BookingSettings,
    EveningRegistration,
    LinkToken,
    Notification,
    Referral,
    RequestEvent,
    ShortLink,
)

# Blanked on the request: everything that names or describes the family.
PERSONAL_FIELDS = {
    "parent_name": "",
    "phone": "",
    "email": "",
    "child_first_name": "",
    "child_class": "",
    "message": "",
    "availabilities": "",
    "place": "",  # a home visit's place is the family's address
    "search_text": "",  # the words above, as the queue's search reads them (forms.search)
}
# The access log (forms.records.audit) is kept one year (CNIL: six months to a year for logs).
ACCESS_LOG_MONTHS = 12
# Blanked on a professional's referral: the referrer and what they wrote about the family
# (the role, the agreement's time and the verified flag stay, for the statistics).
REFERRAL_PERSONAL_FIELDS = {"referrer_name": "", "referrer_email": "", "referrer_phone": "", "context": ""}
# Free text in timeline events (notes, reasons, places) may describe the family too.
EVENT_TEXT_KEYS = {"text", "reason", "place", "message", "note"}


def months_before(moment: datetime, months: int) -> datetime:
    year, month = divmod(moment.year * 12 + (moment.month - 1) - months, 12)
    month += 1
    day = min(moment.day, calendar.monthrange(year, month)[1])
    return moment.replace(year=year, month=month, day=day)


def retention_cutoff(now: datetime | None = None, months: int | None = None) -> datetime:
    now = now or timezone.now()
    if months is None:
        months = BookingSettings.load().retention_months
    return months_before(now, months)


def expired_requests(now: datetime | None = None, months: int | None = None):
    """Closed requests whose closing is older than the retention period, not yet anonymised."""
    return AppointmentRequest.objects.filter(
        status__in=AppointmentRequest.CLOSED_STATUSES,
        closed_at__isnull=False,
        closed_at__lt=retention_cutoff(now, months),
        anonymised_at__isnull=True,
    )


def _blank_event_texts(events):
    changed = []
    for event in events:
        data = event.data or {}
        if any(data.get(key) for key in EVENT_TEXT_KEYS):
            event.data = {key: ("" if key in EVENT_TEXT_KEYS else value) for key, value in data.items()}
            changed.append(event)
    RequestEvent.objects.bulk_update(changed, ["data"], batch_size=500)


@transaction.atomic
def anonymise(request_ids, now: datetime | None = None) -> int:
    """Anonymise these requests; returns how many. Logged in the timeline and in Wagtail's log."""
    from wagtail.log_actions import log

    from forms.records.operations import LOG_ACTIONS

    now = now or timezone.now()
    ids = list(request_ids)
    if not ids:
        return 0
    AppointmentRequest.objects.filter(pk__in=ids).update(anonymised_at=now, updated_at=now, **PERSONAL_FIELDS)
    Referral.objects.filter(request_id__in=ids).update(**REFERRAL_PERSONAL_FIELDS)
    _blank_event_texts(RequestEvent.objects.filter(request_id__in=ids).only("pk", "data"))
    # The outbox keeps the address or number a message went to: it goes too.
    _forget_messages(request_id__in=ids)
    action = LOG_ACTIONS[RequestEvent.Kind.ANONYMISED][0]
    events = []
    for request in AppointmentRequest.objects.filter(pk__in=ids).only("pk", "reference"):
        events.append(RequestEvent(request=request, kind=RequestEvent.Kind.ANONYMISED, at=now))
        log(request, action, user=None)
    RequestEvent.objects.bulk_create(events, batch_size=500)
    return len(ids)


def _forget_messages(**owner):
    Notification.objects.filter(**owner).update(recipient="", last_error="", provider_id="")
    ShortLink.objects.filter(**owner).delete()
    LinkToken.objects.filter(**owner).delete()


def expired_registrations(now: datetime | None = None, months: int | None = None):
    """Evening registrations whose evening ended before the retention period, not yet anonymised."""
    return EveningRegistration.objects.filter(
        evening__date__lt=retention_cutoff(now, months).date(), anonymised_at__isnull=True
    )


@transaction.atomic
def anonymise_registrations(registration_ids, now: datetime | None = None) -> int:
    now = now or timezone.now()
    ids = list(registration_ids)
    if ids:
        EveningRegistration.objects.filter(pk__in=ids).update(anonymised_at=now, name="", phone="", email="")
        _forget_messages(registration_id__in=ids)
    return len(ids)


def purge_personal_data(now: datetime | None = None, months: int | None = None, batch_size=500) -> int:
    """Anonymise every expired request and evening registration, in batches (each batch one
    transaction). Returns how many requests and registrations."""
    total = 0
    if months is None:
        months = BookingSettings.load().retention_months
    while True:
        ids = list(expired_requests(now, months).order_by("pk").values_list("pk", flat=True)[:batch_size])
        if not ids:
            break
        total += anonymise(ids, now)
    while True:
        ids = list(expired_registrations(now, months).order_by("pk").values_list("pk", flat=True)[:batch_size])
        if not ids:
            break
        total += anonymise_registrations(ids, now)
    forget_old_access_records(now)
    forget_expired_link_tokens(now)
    return total


def forget_old_access_records(now: datetime | None = None) -> int:
    """Delete the access log's rows older than ACCESS_LOG_MONTHS (they name staff, and through
    their filters a queue): the log is kept long enough for a complaint or an audit, no longer."""
    cutoff = months_before(now or timezone.now(), ACCESS_LOG_MONTHS)
    deleted, _by_model = AccessRecord.objects.filter(at__lt=cutoff).delete()
    return deleted


def forget_expired_link_tokens(now: datetime | None = None) -> int:
    """Delete the tokens of family links that expired more than LINK_MAX_AGE ago (of requests
    still open, or not yet purged): until then an old link still says it expired, rather than
    that it is not a link."""
    deleted, _by_model = LinkToken.objects.filter(expires_at__lt=(now or timezone.now()) - LINK_MAX_AGE).delete()
    return deleted
