"""Free slots (DESIGN.md rule 3): permanences expanded over the booking horizon, minus closures
and public holidays, minus the days nobody holds (services.availability decides who holds an
occurrence and cuts it into slots), minus every slot that overlaps an active appointment of its
worker (booked by a family or scheduled by the worker, of any length), minus anything earlier
than the minimum notice. A slot is computed, never stored until booked.

A worker's time is held by the database (DESIGN.md rule 2): on PostgreSQL an exclusion
constraint refuses two overlapping active appointments of one worker
(forms.models.WorkerTimeConstraint). Every writer of an appointment's time or worker (the
booking, the family's move, the worker's schedule, reschedule and reassignment) saves through
save_slot(), which gives the same refusal on databases without that constraint (SQLite)."""

from __future__ import annotations

from datetime import UTC, date, datetime, time, timedelta

from django.db import IntegrityError, OperationalError, connection
from django.db.models import Q
from django.utils import timezone

from core.generation import cached_facts
from core.pages import in_source_language
from services.availability import Slot, cancelled_days, held_slots, load_absences, load_cancellations
from services.models import SchoolPage, SocialWorker, WorkerAbsence
from services.schedule import PARIS, closed_days, permanence_occurrences

__all__ = [
    "Slot",
    "TimeContended",
    "TimeTaken",
    "booking_rules",
    "booking_window",
    "busy_times",
    "ensure_time_free",
    "find_slot",
    "find_worker_slot",
    "free_slots",
    "is_taken",
    "is_worker_slot_taken",
    "parse_slot_key",
    "save_slot",
    "worker_free_slots",
    "worker_schools",
]


class TimeTaken(IntegrityError):
    """Another active appointment of the worker overlaps: the refusal PostgreSQL's exclusion
    constraint gives, raised by save_slot() where the database has no such constraint. An
    IntegrityError, so that every writer tells it apart in one way on every database."""


def parse_slot_key(value: str) -> datetime | None:
    try:
        return datetime.strptime(value or "", "%Y%m%dT%H%M%SZ").replace(tzinfo=UTC)
    except ValueError:
        return None


def booking_rules(request=None):
    """The booking settings: every slot search and booking reads them. Kept under the cache
    generation (core.generation.cached_facts: saving them bumps it) and, with the request, read
    once per request: a view passes them on as `rules`."""
    from forms.models import BookingSettings

    rules = getattr(request, "_booking_rules", None)
    if rules is None:
        rules = cached_facts("booking-settings", BookingSettings.load, request)
        if request is not None:
            request._booking_rules = rules
    return rules


def booking_window(now: datetime | None = None, rules=None) -> tuple[datetime, datetime]:
    now = now or timezone.now()
    rules = rules or booking_rules()
    return now + timedelta(hours=rules.minimum_notice_hours), now + timedelta(weeks=rules.horizon_weeks)


def busy_times(worker_ids, since: datetime, until: datetime, exclude_pk=None) -> dict[int, list[tuple]]:
    """The (start, end) of every active appointment of these workers that overlaps [since, until),
    by worker: what their time is already taken by. One query."""
    from forms.models import AppointmentRequest

    rows = AppointmentRequest.objects.filter(
        assigned_worker_id__in=set(worker_ids),
        slot_start__lt=until,
        slot_end__gt=since,
        status__in=AppointmentRequest.ACTIVE_STATUSES,
    )
    if exclude_pk is not None:
        rows = rows.exclude(pk=exclude_pk)
    busy: dict[int, list[tuple]] = {}
    for worker_id, start, end in rows.values_list("assigned_worker_id", "slot_start", "slot_end"):
        busy.setdefault(worker_id, []).append((start, end))
    return busy


def _overlaps(slot: Slot, busy: dict[int, list[tuple]]) -> bool:
    return any(start < slot.end and slot.start < end for start, end in busy.get(slot.worker_id, ()))


def ensure_time_free(request, adding: bool = False) -> None:
    """Raise TimeTaken when another active appointment of the request's worker overlaps its time:
    the rule of PostgreSQL's exclusion constraint, asked in Python (save_slot, on the other
    databases). A request that holds no time (no worker, no slot, closed) passes."""
    holds_time = (
        request.assigned_worker_id is not None
        and request.slot_start is not None
        and request.slot_end is not None
        and request.status in request.ACTIVE_STATUSES
    )
    if holds_time and busy_times(
        [request.assigned_worker_id], request.slot_start, request.slot_end, exclude_pk=None if adding else request.pk
    ):
        raise TimeTaken(f"worker {request.assigned_worker_id} is busy at {request.slot_start.isoformat()}")


class TimeContended(TimeTaken):
    """Two writers gave one worker overlapping times at the same moment, each statement's
    exclusion check waited on the other's uncommitted row, and PostgreSQL aborted this one
    (deadlock_detected): the other one is taking the time. A TimeTaken, so that every writer
    refuses it as a time already taken; the booking tries once more, for the database's own
    answer once the other has committed."""


# PostgreSQL's SQLSTATE for deadlock_detected.
DEADLOCK_DETECTED = "40P01"


def save_slot(request, **save_kwargs) -> None:
    """Save an appointment request whose time, worker or status changes: the one path of every
    writer of a slot, inside the writer's transaction. PostgreSQL's exclusion constraint refuses
    an overlap in the statement itself (TimeContended when two writers met in its checks);
    other databases check first (ensure_time_free), and SQLite's IMMEDIATE transactions
    serialise writers, so the check cannot race."""
    if connection.vendor != "postgresql":
        ensure_time_free(request, adding=bool(save_kwargs.get("force_insert")))
    try:
        request.save(**save_kwargs)
    except OperationalError as error:
        if getattr(error.__cause__, "sqlstate", None) == DEADLOCK_DETECTED:
            raise TimeContended(f"worker {request.assigned_worker_id}: a concurrent writer holds the time") from error
        raise


def _search_days(now, rules, day):
    """(earliest, latest, first day, last day) of a search over the booking window, or over one
    day of it; None when that day is outside the window."""
    earliest, latest = booking_window(now, rules)
    first_day, last_day = earliest.astimezone(PARIS).date(), latest.astimezone(PARIS).date()
    if day is not None:
        if not first_day <= day <= last_day:
            return None
        first_day = last_day = day
    return earliest, latest, first_day, last_day


def _school_slots(school, earliest, latest, first_day, last_day, closed, absences, cancelled):
    """A (source) school's bookable permanences over those days, cut into the slots someone
    holds (services.availability), with what was read once for every school searched."""
    permanences = [p for p in school.permanences.all() if p.bookable]
    occurrences = permanence_occurrences(permanences, first_day, last_day, closed)
    return held_slots(occurrences, school.referent, absences, earliest, latest, cancelled)


def _reading_span(slots, earliest, latest, first_day, last_day):
    """The instants the appointments must be read over: those days (a day is at most 25 hours,
    even when the clocks change) and every slot."""
    since = max(earliest, datetime.combine(first_day, time.min, tzinfo=PARIS))
    until = min(latest, datetime.combine(last_day + timedelta(days=1), time.min, tzinfo=PARIS))
    if slots:
        since, until = min(since, min(slot.start for slot in slots)), max(until, max(slot.end for slot in slots))
    return since, until


def _day_holdings(school, day):
    """The slots someone holds at the (source) school on one day, whatever the time, and the
    absences read to decide it: what every booking step re-checks the slot it names against.
    Made only of what public pages show (permanences, closures, absences, notices, the
    referent), so it is kept under the cache generation (core.generation.cached_facts); the
    appointments are never part of it."""

    def read():
        absences = load_absences([school.referent_id], day, day)
        cancelled = cancelled_days(school, day, day)
        return _school_slots(school, None, None, day, day, closed_days(day, day), absences, cancelled), absences

    return cached_facts(f"held-slots:{school.pk}:{day.isoformat()}", read)


def _held_slots(school, now, rules, day, facts):
    """The school's slots someone holds over the booking window (or one day of it), before the
    appointments are taken away, with the instants the appointments must be read over."""
    school = school.source_school
    span = _search_days(now, rules, day)
    if span is None:
        return [], None, None
    earliest, latest, first_day, last_day = span
    if day is not None:
        slots, absences = _day_holdings(school, day)
        slots = [slot for slot in slots if earliest <= slot.start <= latest]
    else:
        absences = load_absences([school.referent_id], first_day, last_day)
        closed = closed_days(first_day, last_day)
        cancelled = cancelled_days(school, first_day, last_day)
        slots = _school_slots(school, earliest, latest, first_day, last_day, closed, absences, cancelled)
    if facts is not None:
        facts["absences"] = absences
    return (slots, *_reading_span(slots, earliest, latest, first_day, last_day))


def free_slots(
    school: SchoolPage,
    now: datetime | None = None,
    rules=None,
    day: date | None = None,
    facts: dict | None = None,
    busy_checked: bool = True,
) -> list[Slot]:
    """Bookable slots of a school's permanences, earliest first, each naming who holds it.
    A fixed number of queries.

    `day` narrows the search to one day of the window (checking the slot a form names).
    `facts`, when given, receives the absences read (`facts["absences"]`, services.availability's
    Absences over the days searched), so that routing the booking needs no second look.
    `busy_checked=False` leaves the appointments out: only for a writer that saves through
    save_slot() at once, where the database (or save_slot's own check) refuses an overlap."""
    slots, since, until = _held_slots(school, now, rules, day, facts)
    if not slots or not busy_checked:
        return slots
    busy = busy_times({slot.worker_id for slot in slots}, since, until)
    return [slot for slot in slots if not _overlaps(slot, busy)]


def is_taken(school: SchoolPage, key: str, now: datetime | None = None, rules=None) -> bool:
    """Whether the slot a key names is one of the school's slots whose worker's time an active
    appointment already holds, in part or whole: after a slot was refused, this tells "just taken"
    (the family is offered the next free slots) from a tampered or expired key."""
    wanted = parse_slot_key(key)
    if wanted is None:
        return False
    slots, _since, _until = _held_slots(school, now, rules, wanted.astimezone(PARIS).date(), None)
    slot = next((slot for slot in slots if slot.start == wanted), None)
    return slot is not None and _overlaps(slot, busy_times([slot.worker_id], slot.start, slot.end))


def find_slot(
    school: SchoolPage,
    key: str,
    now: datetime | None = None,
    facts: dict | None = None,
    rules=None,
    busy_checked: bool = True,
) -> Slot | None:
    """The free slot a form names, re-checked on the server (a tampered or stale key gives None).
    `busy_checked`: as free_slots()."""
    wanted = parse_slot_key(key)
    if wanted is None:
        return None
    day = wanted.astimezone(PARIS).date()
    slots = free_slots(school, now, rules=rules, day=day, facts=facts, busy_checked=busy_checked)
    return next((s for s in slots if s.start == wanted), None)


# A worker's own free time: the slots of the permanences she holds, for the request page's
# schedule and reschedule actions. The same search as the families' (free_slots), school by
# school, keeping the slots she holds: her schools' on her days present, and those of the
# referents whose absences name her as replacement.


def worker_schools(worker: SocialWorker, now: datetime | None = None, rules=None) -> list[SchoolPage]:
    """The schools (source language) whose permanences this worker may hold in the booking
    window: hers, and those of the referents whose absences there name her as replacement."""
    earliest, latest = booking_window(now, rules)
    first_day, last_day = earliest.astimezone(PARIS).date(), latest.astimezone(PARIS).date()
    replaced = WorkerAbsence.objects.filter(
        replacement=worker, first_day__lte=last_day, last_day__gte=first_day
    ).values("worker_id")
    schools = SchoolPage.objects.filter(Q(referent=worker) | Q(referent__in=replaced))
    return list(
        in_source_language(schools).select_related("referent", "locale").prefetch_related("permanences").order_by("pk")
    )


def worker_free_slots(
    worker: SocialWorker, now: datetime | None = None, rules=None, day: date | None = None
) -> list[tuple[SchoolPage, Slot]]:
    """The free slots this worker holds over the booking window (or one day of it), earliest
    first, each with its school: the families' slot search (free_slots) over each of her
    schools, her slots only, with the closures, absences, cancelled days and her appointments
    read once for all of them (seven queries whatever her number of schools). Every active
    appointment of hers, wherever it is, takes away the slots it overlaps."""
    rules = rules or booking_rules()
    span = _search_days(now, rules, day)
    if span is None:
        return []
    earliest, latest, first_day, last_day = span
    schools = worker_schools(worker, now, rules)
    closed = closed_days(first_day, last_day)
    absences = load_absences({school.referent_id for school in schools}, first_day, last_day)
    cancellations = load_cancellations(schools, first_day, last_day)
    pairs = [
        (school, slot)
        for school in schools
        for slot in _school_slots(
            school, earliest, latest, first_day, last_day, closed, absences, cancellations.days(school)
        )
        if slot.worker_id == worker.pk
    ]
    since, until = _reading_span([slot for _school, slot in pairs], earliest, latest, first_day, last_day)
    busy = busy_times([worker.pk], since, until)
    return sorted(((school, slot) for school, slot in pairs if not _overlaps(slot, busy)), key=lambda p: p[1].start)


def find_worker_slot(
    worker: SocialWorker, key: str, now: datetime | None = None, facts: dict | None = None, rules=None
) -> Slot | None:
    """The free slot of the worker a form names, re-checked on the server (else None)."""
    wanted = parse_slot_key(key)
    if wanted is None:
        return None
    day = wanted.astimezone(PARIS).date()
    return next(
        (slot for _school, slot in worker_free_slots(worker, now, rules, day=day) if slot.start == wanted), None
    )


def is_worker_slot_taken(worker: SocialWorker, key: str, now: datetime | None = None, rules=None) -> bool:
    """Whether the slot a key names is one of the worker's, now overlapped by an appointment."""
    wanted = parse_slot_key(key)
    if wanted is None:
        return False
    day = wanted.astimezone(PARIS).date()
    for school in worker_schools(worker, now, rules):
        slots, _since, _until = _held_slots(school, now, rules, day, None)
        slot = next((s for s in slots if s.start == wanted and s.worker_id == worker.pk), None)
        if slot is not None:
            return _overlaps(slot, busy_times([worker.pk], slot.start, slot.end))
    return False
