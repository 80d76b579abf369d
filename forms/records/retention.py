"""Retention (DESIGN.md rule 4): personal data of a closed request is kept for the retention
period (BookingSettings.retention_months, 24 by default: CNIL guidance for a CCAS, two years
after the last contact), then anonymised. What statistics need stays: school, reason, mode,
requester, language, interpreter, status, routing and dates."""

from __future__ import annotations

import calendar
from datetime import datetime

from django.db import transaction
from django.utils import timezone

from forms.models import AppointmentRequest, BookingSettings, Notification, RequestEvent

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
}
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
    _blank_event_texts(RequestEvent.objects.filter(request_id__in=ids).only("pk", "data"))
    # The outbox keeps the address a message went to: it goes too.
    Notification.objects.filter(request_id__in=ids).update(recipient="", last_error="")
    action = LOG_ACTIONS[RequestEvent.Kind.ANONYMISED][0]
    events = []
    for request in AppointmentRequest.objects.filter(pk__in=ids).only("pk", "reference"):
        events.append(RequestEvent(request=request, kind=RequestEvent.Kind.ANONYMISED, at=now))
        log(request, action, user=None)
    RequestEvent.objects.bulk_create(events, batch_size=500)
    return len(ids)


def purge_personal_data(now: datetime | None = None, months: int | None = None, batch_size=500) -> int:
    """Anonymise every expired request, in batches (each batch one transaction)."""
    total = 0
    while True:
        ids = list(expired_requests(now, months).order_by("pk").values_list("pk", flat=True)[:batch_size])
        if not ids:
            return total
        total += anonymise(ids, now)
