"""iCalendar files (`icalendar` package): the thematic evenings' public calendar, and a
family's own appointment or evening registration.

Times are written in Europe/Paris with its VTIMEZONE (only the transitions around the events:
one from 1970 would weigh 30 kB), so calendar applications show the wall-clock time the CCAS
announced on both sides of a daylight-saving change.

- The public calendar (`evenings_calendar`): one VEVENT per evening page; the UID comes from
  the translation key, so the French and Arabic files of one evening are the same event.
- A worker's private feed (`feed_calendar`): the entries forms.feeds chose (her appointments
  and permanences), under a name; PUBLISH with a refresh hint, for a subscribed calendar.
- A family's own file (`appointment_calendar`, `registration_calendar`): what a family would
  show on a fridge: when, where, with whom (the worker's public name) and the reference.
  Never the reason, the message, the child or the family's details: calendar files are
  synced to third-party services. The UID is `<reference>@<host>`: a file downloaded again
  after a reschedule replaces the event instead of adding a second one. The callers pass
  plain values (this module knows no model of the intake); call them inside
  `translation.override(language)`: the summary and description are translated. A moved
  appointment's file carries a higher SEQUENCE (RFC 5545: the number of times it was moved),
  so that calendars update the event they hold rather than ignore the newer file.
"""

from __future__ import annotations

from collections.abc import Callable, Iterable
from dataclasses import dataclass
from datetime import UTC, date, datetime, timedelta
from urllib.parse import urlsplit

from django.conf import settings
from django.utils import timezone
from django.utils.translation import gettext as _
from icalendar import Calendar, Event

from services.schedule import PARIS, local_datetime

PRODID = "-//CCAS//Service social scolaire//FR"


def site_host() -> str:
    """The portal's host name from settings: stable whichever address a request came by."""
    return urlsplit(settings.WAGTAILADMIN_BASE_URL).hostname or "localhost"


def _new_calendar() -> Calendar:
    calendar = Calendar()
    calendar.add("prodid", PRODID)
    calendar.add("version", "2.0")
    calendar.add("calscale", "GREGORIAN")
    calendar.add("method", "PUBLISH")
    return calendar


def _add_timezones(calendar: Calendar, first: date, last: date) -> Calendar:
    # Only the transitions around the events: a VTIMEZONE from 1970 would weigh 30 kB.
    calendar.add_missing_timezones(first_date=first - timedelta(days=366), last_date=last + timedelta(days=366))
    return calendar


def to_bytes(calendar: Calendar) -> bytes:
    return calendar.to_ical()


# The public calendar of the evenings


def evening_uid(evening, host: str) -> str:
    return f"evening-{evening.translation_key}@{host}"


def evening_event(evening, *, host: str, url: str, stamp: datetime | None = None) -> Event:
    event = Event()
    event.add("uid", evening_uid(evening, host))
    event.add("dtstamp", (evening.last_published_at or stamp or timezone.now()).astimezone(UTC))
    event.add("dtstart", local_datetime(evening.date, evening.start_time))
    event.add("dtend", local_datetime(evening.date, evening.end_time))
    event.add("summary", evening.title)
    location = ", ".join(part for part in (evening.place, evening.address) if part)
    if location:
        event.add("location", location)
    description = "\n\n".join(part for part in (evening.intro, url) if part)
    if description:
        event.add("description", description)
    if url:
        event.add("url", url)
    return event


def evenings_calendar(evenings: Iterable, *, host: str, url_for: Callable[[object], str], name: str = "") -> Calendar:
    """A VCALENDAR holding one VEVENT per evening, with the Europe/Paris VTIMEZONE they use."""
    calendar = _new_calendar()
    calendar.add("x-wr-calname", name or _("Soirées thématiques"))
    calendar.add("x-wr-timezone", "Europe/Paris")
    stamp = timezone.now()
    days: list[date] = []
    for evening in evenings:
        calendar.add_component(evening_event(evening, host=host, url=url_for(evening), stamp=stamp))
        days.append(evening.date)
    if days:
        _add_timezones(calendar, min(days), max(days))
    return calendar


# A worker's private feed


@dataclass(frozen=True)
class FeedEntry:
    uid: str
    start: datetime
    end: datetime
    summary: str
    location: str = ""
    description: str = ""
    url: str = ""


def feed_calendar(entries: Iterable[FeedEntry], *, name: str, first: date, last: date) -> Calendar:
    """A VCALENDAR of one VEVENT per entry, in Europe/Paris, that calendar applications
    subscribed to it refresh every hour."""
    calendar = _new_calendar()
    calendar.add("x-wr-calname", name)
    calendar.add("x-wr-timezone", "Europe/Paris")
    calendar.add("refresh-interval", timedelta(hours=1), parameters={"VALUE": "DURATION"})
    calendar.add("x-published-ttl", "PT1H")
    stamp = timezone.now().astimezone(UTC)
    for entry in entries:
        event = Event()
        event.add("uid", entry.uid)
        event.add("dtstamp", stamp)
        event.add("dtstart", entry.start.astimezone(PARIS))
        event.add("dtend", entry.end.astimezone(PARIS))
        event.add("summary", entry.summary)
        for key in ("location", "description", "url"):
            if getattr(entry, key):
                event.add(key, getattr(entry, key))
        event.add("transp", "OPAQUE")
        calendar.add_component(event)
    return _add_timezones(calendar, first, last)


# A family's own appointment or registration


def _own_event(reference: str) -> Event:
    event = Event()
    event.add("uid", f"{reference}@{site_host()}")
    event.add("dtstamp", timezone.now().astimezone(UTC))
    return event


def _own_calendar(event: Event, start: datetime) -> Calendar:
    calendar = _new_calendar()
    calendar.add_component(event)
    return _add_timezones(calendar, start.date(), start.date())


def appointment_calendar(
    *,
    reference: str,
    start: datetime,
    end: datetime | None,
    location: str,
    mode: str,
    worker_name: str = "",
    sequence: int = 0,
) -> Calendar:
    """A VCALENDAR with one VEVENT for a booked appointment (30 minutes when `end` is None).

    `location`: the place, or the mode when there is none; `mode`: the mode as the family reads
    it; `worker_name`: the worker's public name, if a worker is assigned; `sequence`: how many
    times the appointment was moved (0, the default, is written as no SEQUENCE at all)."""
    start = start.astimezone(PARIS)
    end = (end or start + timedelta(minutes=30)).astimezone(PARIS)
    event = _own_event(reference)
    if sequence:
        event.add("sequence", sequence)
    event.add("dtstart", start)
    event.add("dtend", end)
    event.add("summary", _("Rendez-vous service social scolaire"))
    event.add("location", location)
    lines = [_("Référence : %(reference)s") % {"reference": reference}, mode]
    if worker_name:
        lines.append(_("Avec : %(name)s") % {"name": worker_name})
    event.add("description", "\n".join(lines))
    event.add("status", "CONFIRMED")
    event.add("transp", "OPAQUE")
    return _own_calendar(event, start)


def registration_calendar(
    *, reference: str, title: str, start: datetime, end: datetime, place: str = "", address: str = ""
) -> Calendar:
    """A VCALENDAR with one VEVENT for a confirmed evening registration, with the evening's
    title, times and place in the family's language."""
    start = start.astimezone(PARIS)
    event = _own_event(reference)
    event.add("dtstart", start)
    event.add("dtend", end.astimezone(PARIS))
    event.add("summary", title)
    location = ", ".join(part for part in (place, address) if part)
    if location:
        event.add("location", location)
    event.add("description", _("Référence : %(reference)s") % {"reference": reference})
    event.add("status", "CONFIRMED")
    return _own_calendar(event, start)
