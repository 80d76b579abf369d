"""iCalendar files for a family's own appointment or evening registration (`icalendar` package).

What goes in the file is what a family would show on a fridge: when, where, with whom
(the worker's public name) and the reference. Never the reason, the message, the child or
the family's details: calendar files are synced to third-party services.

Times are written in Europe/Paris with its VTIMEZONE, so the wall-clock time stays right on
both sides of a daylight-saving change. The UID is `<reference>@<host>`: a file downloaded
again after a reschedule replaces the event instead of adding a second one.
Call these inside `translation.override(language)`: the summary is translated.
"""

from __future__ import annotations

from datetime import UTC, timedelta
from urllib.parse import urlsplit

from django.conf import settings
from django.utils import timezone
from django.utils.translation import gettext as _
from icalendar import Calendar, Event

from services.schedule import PARIS

PRODID = "-//CCAS//Service social scolaire//FR"


def site_host() -> str:
    return urlsplit(settings.WAGTAILADMIN_BASE_URL).hostname or "localhost"


def _calendar(event: Event, around) -> Calendar:
    calendar = Calendar()
    calendar.add("prodid", PRODID)
    calendar.add("version", "2.0")
    calendar.add("calscale", "GREGORIAN")
    calendar.add("method", "PUBLISH")
    calendar.add_component(event)
    # Only the transitions around the event: a VTIMEZONE from 1970 would weigh 30 kB.
    calendar.add_missing_timezones(first_date=around - timedelta(days=366), last_date=around + timedelta(days=366))
    return calendar


def appointment_calendar(appointment) -> Calendar:
    """A VCALENDAR with one VEVENT for a booked AppointmentRequest (which must have a slot)."""
    if appointment.slot_start is None:
        raise ValueError("an appointment without a slot has no calendar event")
    start = appointment.slot_start.astimezone(PARIS)
    end = (appointment.slot_end or appointment.slot_start + timedelta(minutes=30)).astimezone(PARIS)
    event = Event()
    event.add("uid", f"{appointment.reference}@{site_host()}")
    event.add("dtstamp", timezone.now().astimezone(UTC))
    event.add("dtstart", start)
    event.add("dtend", end)
    event.add("summary", _("Rendez-vous service social scolaire"))
    event.add("location", appointment.place or appointment.get_mode_display())
    lines = [
        _("Référence : %(reference)s") % {"reference": appointment.reference},
        appointment.get_mode_display(),
    ]
    if appointment.assigned_worker_id:
        lines.append(_("Avec : %(name)s") % {"name": appointment.assigned_worker.public_name})
    event.add("description", "\n".join(lines))
    event.add("status", "CONFIRMED")
    event.add("transp", "OPAQUE")
    return _calendar(event, start.date())


def evening_calendar(registration, evening) -> Calendar:
    """A VCALENDAR with one VEVENT for a confirmed evening registration.

    `evening` is the page in the family's language (the registration holds the source page)."""
    start = evening.starts_at.astimezone(PARIS)
    event = Event()
    event.add("uid", f"{registration.reference}@{site_host()}")
    event.add("dtstamp", timezone.now().astimezone(UTC))
    event.add("dtstart", start)
    event.add("dtend", evening.ends_at.astimezone(PARIS))
    event.add("summary", evening.title)
    location = ", ".join(part for part in (evening.place, evening.address) if part)
    if location:
        event.add("location", location)
    event.add("description", _("Référence : %(reference)s") % {"reference": registration.reference})
    event.add("status", "CONFIRMED")
    return _calendar(event, start.date())


def to_bytes(calendar: Calendar) -> bytes:
    return calendar.to_ical()
