"""iCalendar files for the thematic evenings, built with the `icalendar` package.

Times are written in Europe/Paris with its VTIMEZONE, so calendar applications show the
wall-clock time the CCAS announced on both sides of a daylight-saving change. The UID comes
from the translation key: the French and Arabic files of one evening are the same event."""

from __future__ import annotations

from collections.abc import Callable, Iterable
from datetime import UTC, date, datetime, timedelta
from urllib.parse import urlsplit

from django.conf import settings
from django.utils import timezone
from django.utils.translation import gettext as _
from icalendar import Calendar, Event

from services.schedule import local_datetime

PRODID = "-//CCAS//Service social scolaire//FR"


def site_host() -> str:
    """The portal's host name from settings: stable whichever address a request came by."""
    return urlsplit(settings.WAGTAILADMIN_BASE_URL).hostname or "localhost"


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
    calendar = Calendar()
    calendar.add("prodid", PRODID)
    calendar.add("version", "2.0")
    calendar.add("calscale", "GREGORIAN")
    calendar.add("method", "PUBLISH")
    calendar.add("x-wr-calname", name or _("Soirées thématiques"))
    calendar.add("x-wr-timezone", "Europe/Paris")
    stamp = timezone.now()
    days: list[date] = []
    for evening in evenings:
        calendar.add_component(evening_event(evening, host=host, url=url_for(evening), stamp=stamp))
        days.append(evening.date)
    if days:
        # Only the transitions around the events: a VTIMEZONE from 1970 would weigh 30 kB.
        calendar.add_missing_timezones(
            first_date=min(days) - timedelta(days=366), last_date=max(days) + timedelta(days=366)
        )
    return calendar
