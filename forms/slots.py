"""Free slots (DESIGN.md rule 3): permanences expanded over the booking horizon, minus closures
and public holidays, minus absences without replacement, minus booked appointments, minus
anything earlier than the minimum notice. A slot is computed, never stored until booked."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import UTC, date, datetime, time, timedelta

from django.utils import timezone

from services.models import SchoolPage, WorkerAbsence
from services.schedule import PARIS, closed_days, permanence_occurrences


@dataclass(frozen=True)
class Slot:
    start: datetime
    end: datetime
    worker_id: int
    permanence_id: int
    place: str

    @property
    def key(self) -> str:
        """What a form carries: the start instant in UTC, e.g. 20261124T073000Z."""
        return self.start.astimezone(UTC).strftime("%Y%m%dT%H%M%SZ")


def parse_slot_key(value: str) -> datetime | None:
    try:
        return datetime.strptime(value or "", "%Y%m%dT%H%M%SZ").replace(tzinfo=UTC)
    except ValueError:
        return None


def booking_rules():
    """The booking settings: every slot search and booking reads them."""
    from forms.models import BookingSettings

    return BookingSettings.load()


def booking_window(now: datetime | None = None, rules=None) -> tuple[datetime, datetime]:
    now = now or timezone.now()
    rules = rules or booking_rules()
    return now + timedelta(hours=rules.minimum_notice_hours), now + timedelta(weeks=rules.horizon_weeks)


def free_slots(
    school: SchoolPage, now: datetime | None = None, rules=None, day: date | None = None, facts: dict | None = None
) -> list[Slot]:
    """Bookable slots of a school's permanences, earliest first. A fixed number of queries.

    `day` narrows the search to one day of the window (checking the slot a form names).
    `facts`, when given, receives the absences read (the referent's and their replacements'
    over the days searched), so that routing the booking needs no second look."""
    from forms.models import AppointmentRequest

    school = school.source_school
    referent = school.referent
    if referent is None or not referent.active:
        return []
    earliest, latest = booking_window(now, rules)
    first_day, last_day = earliest.astimezone(PARIS).date(), latest.astimezone(PARIS).date()
    if day is not None:
        if not first_day <= day <= last_day:
            return []
        first_day = last_day = day
    permanences = [p for p in school.permanences.all() if p.bookable]
    closed, absences, replacement_away = _days_facts(referent, first_day, last_day)
    occurrences = permanence_occurrences(permanences, first_day, last_day, closed)
    replacement_ids = {a.replacement_id for a in absences if a.replacement_id}
    if facts is not None:
        facts["absences"] = absences + replacement_away
    # Appointments of those days only (a day is at most 25 hours, even when the clocks change).
    since = max(earliest, datetime.combine(first_day, time.min, tzinfo=PARIS))
    until = min(latest, datetime.combine(last_day + timedelta(days=1), time.min, tzinfo=PARIS))
    booked = set(
        AppointmentRequest.objects.filter(
            assigned_worker_id__in={referent.pk, *replacement_ids},
            slot_start__gte=since,
            slot_start__lte=until,
            status__in=AppointmentRequest.ACTIVE_STATUSES,
        ).values_list("assigned_worker_id", "slot_start")
    )

    def worker_for(day):
        absence = next((a for a in absences if a.first_day <= day <= a.last_day), None)
        if absence is None:
            return referent.pk
        replacement = absence.replacement
        if replacement is None or not replacement.active:
            return None
        if any(a.worker_id == replacement.pk and a.first_day <= day <= a.last_day for a in replacement_away):
            return None
        return replacement.pk

    slots = []
    for occurrence in occurrences:
        worker_id = worker_for(occurrence.day)
        if worker_id is None:
            continue
        length = timedelta(minutes=occurrence.permanence.slot_minutes)
        start = occurrence.start
        while start + length <= occurrence.end:
            if earliest <= start <= latest and (worker_id, start) not in booked:
                slots.append(Slot(start, start + length, worker_id, occurrence.permanence.pk, occurrence.place))
            start += length
    return slots


def _days_facts(referent, first_day: date, last_day: date):
    """Closures, the referent's absences (with their replacements) and the replacements' own
    absences over those days."""

    def load():
        closed = closed_days(first_day, last_day)
        absences = list(
            WorkerAbsence.objects.filter(
                worker=referent, first_day__lte=last_day, last_day__gte=first_day
            ).select_related("replacement")
        )
        # A replacement who is away too cannot take the slot.
        replacement_ids = {a.replacement_id for a in absences if a.replacement_id}
        replacement_away = list(
            WorkerAbsence.objects.filter(
                worker_id__in=replacement_ids, first_day__lte=last_day, last_day__gte=first_day
            )
        )
        return closed, absences, replacement_away

    return load()


def find_slot(school: SchoolPage, key: str, now: datetime | None = None, facts: dict | None = None) -> Slot | None:
    """The free slot a form names, re-checked on the server (a tampered or stale key gives None)."""
    wanted = parse_slot_key(key)
    if wanted is None:
        return None
    day = wanted.astimezone(PARIS).date()
    return next((s for s in free_slots(school, now, day=day, facts=facts) if s.start == wanted), None)
