"""A worker's private calendar feed: her appointments and permanence duties for her phone or
Outlook, as the State's booking service gives each agent (issue 15).

- The address is `/agenda/prive/<token>.ics` (and the same with `webcal://`), with a random
  token of 256 bits (`secrets.token_urlsafe(32)`). Only its SHA-256 is stored: the worker sees
  the address once, when she creates or resets it (resetting revokes the old address at once).
  A wrong or revoked token gets a 404, like any unknown address.
- The feed lists, from a month back to the booking horizon, her active and honoured
  appointments and the permanences she holds (her schools' on the days she is present, a
  colleague's as a replacement: services.duties), recomputed at every fetch, so it follows
  every booking, move, cancellation and absence.
- Titles name no family by default: "Rendez-vous ABC-DEF · à l'école" with the school; the
  place of a home visit (the family's address) and the family's name and reason only when
  the worker opts in (`CalendarFeed.show_details`): calendar applications sync to third-party
  services. Each event links to the request in the admin, behind the staff login.
- Fetches are limited per feed (FEED_RATE): calendar applications poll every few minutes to
  hours; a runaway client gets 429, never the database's time.
"""

from __future__ import annotations

import hashlib
import secrets
from datetime import datetime, time, timedelta

from django.db import transaction
from django.urls import reverse
from django.utils import timezone
from django.utils.translation import gettext as _

from forms.booking.slots import booking_rules
from forms.links import absolute_url
from forms.models import AppointmentRequest, CalendarFeed
from forms.notifications.rendering import admin_request_url
from services import ics
from services.duties import worker_duties
from services.schedule import PARIS, today

FEED_RATE = "60/h"
DAYS_BACK = 30
FEED_STATUSES = [*AppointmentRequest.ACTIVE_STATUSES, AppointmentRequest.Status.DONE]


def token_hash(token: str) -> str:
    return hashlib.sha256(token.encode()).hexdigest()


def reset_feed(worker, show_details: bool | None = None) -> str:
    """Create the worker's feed, or give it a new token (the old address stops at once); returns
    the new token, to be shown once."""
    token = secrets.token_urlsafe(32)
    with transaction.atomic():
        feed, created = CalendarFeed.objects.select_for_update().get_or_create(
            worker=worker, defaults={"token_hash": token_hash(token), "show_details": bool(show_details)}
        )
        if not created:
            feed.token_hash = token_hash(token)
            if show_details is not None:
                feed.show_details = show_details
            feed.created_at = timezone.now()
            feed.save(update_fields=["token_hash", "show_details", "created_at"])
    return token


def revoke_feed(worker) -> None:
    CalendarFeed.objects.filter(worker=worker).delete()


def feed_for(token: str) -> CalendarFeed | None:
    """The feed a token opens, with its worker, or None (wrong, revoked, malformed)."""
    if not token or len(token) > 100:
        return None
    return CalendarFeed.objects.select_related("worker").filter(token_hash=token_hash(token)).first()


def feed_urls(token: str) -> dict[str, str]:
    """{"https": ..., "webcal": ...}: the two addresses of a feed."""
    url = absolute_url(reverse("worker_calendar_feed", args=[token]))
    return {"https": url, "webcal": "webcal://" + url.split("://", 1)[1]}


def feed_period(rules=None):
    first = today() - timedelta(days=DAYS_BACK)
    last = today() + timedelta(weeks=(rules or booking_rules()).horizon_weeks)
    return first, last


def _appointment_entry(request: AppointmentRequest, show_details: bool, host: str) -> ics.FeedEntry:
    school = request.school.title if request.school else ""
    if show_details:
        summary = _("Rendez-vous %(name)s (%(reason)s)") % {
            "name": request.parent_name,
            "reason": request.get_reason_display(),
        }
        location = request.place or school
    else:
        summary = _("Rendez-vous %(reference)s · %(mode)s") % {
            "reference": request.reference,
            "mode": request.get_mode_display(),
        }
        # A home visit's place is the family's address: only with the details.
        location = school if request.mode == AppointmentRequest.Mode.HOME else (request.place or school)
    lines = [_("Référence : %(reference)s") % {"reference": request.reference}, request.get_mode_display()]
    if school:
        lines.append(school)
    return ics.FeedEntry(
        uid=f"request-{request.pk}@{host}",
        start=request.slot_start,
        end=request.slot_end or request.slot_start + timedelta(minutes=30),
        summary=summary,
        location=location,
        description="\n".join(lines),
        url=admin_request_url(request),
    )


def _duty_entry(duty, host: str) -> ics.FeedEntry:
    occurrence = duty.occurrence
    school = occurrence.permanence.school
    if duty.replacing is not None:
        summary = _("Permanence %(school)s (remplacement de %(who)s)") % {
            "school": school.title,
            "who": duty.replacing.public_name,
        }
    else:
        summary = _("Permanence %(school)s") % {"school": school.title}
    address = ", ".join(part for part in (occurrence.place, school.address, school.city) if part)
    return ics.FeedEntry(
        uid=f"permanence-{occurrence.permanence.pk}-{occurrence.day:%Y%m%d}@{host}",
        start=occurrence.start,
        end=occurrence.end,
        summary=summary,
        location=address,
    )


def feed_calendar_bytes(feed: CalendarFeed) -> bytes:
    """The feed's VCALENDAR, in French (the service's language). Eight queries whatever the
    number of appointments and permanences."""
    worker = feed.worker
    rules = booking_rules()
    first, last = feed_period(rules)
    host = ics.site_host()
    start = datetime.combine(first, time.min, tzinfo=PARIS)
    end = datetime.combine(last + timedelta(days=1), time.min, tzinfo=PARIS)
    appointments = (
        AppointmentRequest.objects.filter(
            assigned_worker=worker, slot_start__gte=start, slot_start__lt=end, status__in=FEED_STATUSES
        )
        .select_related("school")
        .order_by("slot_start")
    )
    entries = [_appointment_entry(request, feed.show_details, host) for request in appointments]
    duties, _absences = worker_duties(worker, first, last)
    entries += [_duty_entry(duty, host) for duty in duties if not duty.absent]
    entries.sort(key=lambda entry: entry.start)
    name = _("Service social scolaire · %(worker)s") % {"worker": worker.public_name}
    return ics.to_bytes(ics.feed_calendar(entries, name=name, first=first, last=last))
