"""Free slots (DESIGN.md rule 3): permanences expanded over the booking horizon, minus closures
and public holidays, minus the days nobody holds (services.availability decides who holds an
occurrence and cuts it into slots), minus booked appointments, minus anything earlier than the
minimum notice. A slot is computed, never stored until booked."""

from __future__ import annotations

from datetime import UTC, date, datetime, time, timedelta

from django.utils import timezone

from services.availability import Slot, cancelled_days, held_slots, load_absences
from services.models import SchoolPage
from services.schedule import PARIS, closed_days, permanence_occurrences

__all__ = ["Slot", "booking_rules", "booking_window", "find_slot", "free_slots", "parse_slot_key"]


def parse_slot_key(value: str) -> datetime | None:
    try:
        return datetime.strptime(value or "", "%Y%m%dT%H%M%SZ").replace(tzinfo=UTC)
    except ValueError:
        return None


def booking_rules(request=None):
    """The booking settings: every slot search and booking reads them. With the request, read
    once per request (Wagtail keeps them on it): a view passes them on as `rules`."""
    from forms.models import BookingSettings

    return BookingSettings.load(request_or_site=request)


def booking_window(now: datetime | None = None, rules=None) -> tuple[datetime, datetime]:
    now = now or timezone.now()
    rules = rules or booking_rules()
    return now + timedelta(hours=rules.minimum_notice_hours), now + timedelta(weeks=rules.horizon_weeks)


def free_slots(
    school: SchoolPage, now: datetime | None = None, rules=None, day: date | None = None, facts: dict | None = None
) -> list[Slot]:
    """Bookable slots of a school's permanences, earliest first, each naming who holds it.
    A fixed number of queries.

    `day` narrows the search to one day of the window (checking the slot a form names).
    `facts`, when given, receives the absences read (`facts["absences"]`, services.availability's
    Absences over the days searched), so that routing the booking needs no second look."""
    from forms.models import AppointmentRequest

    school = school.source_school
    referent = school.referent
    earliest, latest = booking_window(now, rules)
    first_day, last_day = earliest.astimezone(PARIS).date(), latest.astimezone(PARIS).date()
    if day is not None:
        if not first_day <= day <= last_day:
            return []
        first_day = last_day = day
    permanences = [p for p in school.permanences.all() if p.bookable]
    occurrences = permanence_occurrences(permanences, first_day, last_day, closed_days(first_day, last_day))
    absences = load_absences([school.referent_id], first_day, last_day)
    if facts is not None:
        facts["absences"] = absences
    cancelled = cancelled_days(school, first_day, last_day)
    slots = held_slots(occurrences, referent, absences, earliest, latest, cancelled)
    if not slots:
        return []
    # Appointments of those days only (a day is at most 25 hours, even when the clocks change).
    since = max(earliest, datetime.combine(first_day, time.min, tzinfo=PARIS))
    until = min(latest, datetime.combine(last_day + timedelta(days=1), time.min, tzinfo=PARIS))
    booked = set(
        AppointmentRequest.objects.filter(
            assigned_worker_id__in={slot.worker_id for slot in slots},
            slot_start__gte=since,
            slot_start__lte=until,
            status__in=AppointmentRequest.ACTIVE_STATUSES,
        ).values_list("assigned_worker_id", "slot_start")
    )
    return [slot for slot in slots if (slot.worker_id, slot.start) not in booked]


def find_slot(
    school: SchoolPage, key: str, now: datetime | None = None, facts: dict | None = None, rules=None
) -> Slot | None:
    """The free slot a form names, re-checked on the server (a tampered or stale key gives None)."""
    wanted = parse_slot_key(key)
    if wanted is None:
        return None
    day = wanted.astimezone(PARIS).date()
    return next((s for s in free_slots(school, now, rules=rules, day=day, facts=facts) if s.start == wanted), None)
