"""The one availability rule (DESIGN.md rules 1 and 3): who holds a permanence occurrence, and
the slots it is cut into. The school page, the finder, the API, the slot search, routing, the
booking, the agenda and the demo all ask this module; no other module decides it.

Who holds the permanence of a school on a day:

- the referent, when active and not absent that day;
- the absence's replacement, when the referent is absent and the replacement is active and not
  absent that day too;
- nobody otherwise (the `Holder` says why): the day is not shown to families as a permanence,
  offers no slot, and a request for it goes to the service-wide queue.

A day a school notice cancels (SchoolNotice.cancelled_day) is no permanence at all for that
school: `Cancellations` removes it before anyone is asked to hold it.

When several absences of the referent cover the day, the one that starts last decides, and
between absences starting the same day the one entered last: the most specific and most recent
instruction of the manager.

Work in bulk: `load_absences()` reads the absences of every worker concerned over a date range
in one query (the referents' and those of the replacements they name); the decisions are then
taken in Python, so a page costs the same number of queries whatever its number of schools,
permanences and absences. Pure of requests and templates; never imports forms or home."""

from __future__ import annotations

from collections.abc import Iterable
from dataclasses import dataclass
from datetime import UTC, date, datetime, timedelta
from enum import StrEnum

from django.conf import settings
from django.db.models import Q
from django.utils import timezone

from services.records import SchoolNotice, SocialWorker, WorkerAbsence
from services.schedule import PARIS, ClosedDays, Occurrence, closed_days, permanence_occurrences


class Reason(StrEnum):
    """Why a worker holds an occurrence, or why nobody does. The values that existed before
    this module are the ones routing records on a request's timeline."""

    REFERENT = "referent"
    REPLACEMENT = "referent_absent"
    NO_REFERENT = "no_referent"  # none named, or no longer active
    NO_REPLACEMENT = "referent_absent_no_replacement"
    REPLACEMENT_INACTIVE = "replacement_inactive"
    REPLACEMENT_ABSENT = "replacement_absent"


@dataclass(frozen=True)
class Holder:
    """Who holds an occurrence (`worker`, None for nobody), why, and the referent's absence that
    decided it, if any."""

    worker: SocialWorker | None
    reason: Reason
    absence: WorkerAbsence | None = None

    @property
    def held(self) -> bool:
        return self.worker is not None


class Absences:
    """The absences of some workers over [start, end], read once; answers without a query."""

    def __init__(self, absences: Iterable[WorkerAbsence], start: date, end: date):
        self.start, self.end = start, end
        self._by_worker: dict[int, list[WorkerAbsence]] = {}
        for absence in absences:
            self._by_worker.setdefault(absence.worker_id, []).append(absence)

    def absence_on(self, worker_id: int, day: date) -> WorkerAbsence | None:
        """The absence of the worker that governs `day`: the latest to start, then the latest
        entered."""
        if not self.start <= day <= self.end:
            raise ValueError(f"{day} is outside the absences read ({self.start} – {self.end})")
        covering = [a for a in self._by_worker.get(worker_id, ()) if a.first_day <= day <= a.last_day]
        return max(covering, key=lambda a: (a.first_day, a.pk), default=None)

    def holder(self, referent: SocialWorker | None, day: date) -> Holder:
        """Who holds, on `day`, a permanence whose school has this referent."""
        if referent is None or not referent.active:
            return Holder(None, Reason.NO_REFERENT)
        absence = self.absence_on(referent.pk, day)
        if absence is None:
            return Holder(referent, Reason.REFERENT)
        replacement = absence.replacement
        if replacement is None:
            return Holder(None, Reason.NO_REPLACEMENT, absence)
        if not replacement.active:
            return Holder(None, Reason.REPLACEMENT_INACTIVE, absence)
        if self.absence_on(replacement.pk, day) is not None:
            return Holder(None, Reason.REPLACEMENT_ABSENT, absence)
        return Holder(replacement, Reason.REPLACEMENT, absence)


def load_absences(referent_ids: Iterable[int | None], start: date, end: date) -> Absences:
    """The absences over [start, end] of these referents and of the replacements their absences
    name, with the replacements loaded: one query, none when there is no referent."""
    ids = {pk for pk in referent_ids if pk}
    if not ids:
        return Absences([], start, end)
    in_range = Q(first_day__lte=end, last_day__gte=start)
    named = WorkerAbsence.objects.filter(in_range, worker_id__in=ids, replacement__isnull=False)
    rows = WorkerAbsence.objects.filter(
        in_range, Q(worker_id__in=ids) | Q(worker_id__in=named.values("replacement_id"))
    ).select_related("replacement")
    return Absences(rows, start, end)


def holder_on(referent: SocialWorker | None, day: date) -> Holder:
    """Who holds, on one day, a permanence whose school has this referent (one query at most)."""
    return load_absences([referent.pk if referent else None], day, day).holder(referent, day)


class Cancellations:
    """The permanence days school notices cancel over [start, end], read once."""

    def __init__(self, notices: Iterable[SchoolNotice], start: date, end: date):
        self.start, self.end = start, end
        self._days: dict[object, set[date]] = {}
        for notice in notices:
            self._days.setdefault(notice.school.translation_key, set()).add(notice.cancelled_day)

    def days(self, school) -> frozenset[date]:
        """The cancelled days of `school` (in any language: a school is one school)."""
        return frozenset(self._days.get(school.translation_key, ()))


def load_cancellations(schools: Iterable, start: date, end: date) -> Cancellations:
    """The days notices cancel at these schools over [start, end]: one query."""
    keys = {school.translation_key for school in schools}
    notices = SchoolNotice.objects.filter(
        school__translation_key__in=keys,
        cancelled_day__gte=start,
        cancelled_day__lte=end,
        locale__language_code=settings.LANGUAGE_CODE,
    ).select_related("school")
    return Cancellations(notices if keys else [], start, end)


def cancelled_days(school, start: date, end: date) -> frozenset[date]:
    """The days a notice cancels at `school` over [start, end] (one query)."""
    return load_cancellations([school], start, end).days(school)


def held_occurrences(
    occurrences: Iterable[Occurrence],
    referent: SocialWorker | None,
    absences: Absences,
    cancelled: frozenset[date] = frozenset(),
) -> list[tuple[Occurrence, Holder]]:
    """The occurrences (of one school's permanences) someone holds, each with its holder; none
    on a day a notice cancels."""
    occurrences = [occurrence for occurrence in occurrences if occurrence.day not in cancelled]
    pairs = ((occurrence, absences.holder(referent, occurrence.day)) for occurrence in occurrences)
    return [(occurrence, holder) for occurrence, holder in pairs if holder.held]


def next_occurrences(
    school,
    count: int = 4,
    horizon_days: int = 120,
    closed: ClosedDays | None = None,
    now: datetime | None = None,
    absences: Absences | None = None,
    referent: SocialWorker | None = None,
    cancellations: Cancellations | None = None,
) -> list[Occurrence]:
    """The next `count` occurrences of a school's permanences that someone holds, from now on.

    Listings pass `closed` and `absences` read once for every school (over at least `horizon_days`
    from today), and `referent` when `school` is a translation whose referent is not loaded
    (the referent is a synchronised field: the source school's is every translation's)."""
    now = now or timezone.now()
    start = now.astimezone(PARIS).date()
    end = start + timedelta(days=horizon_days)
    referent = referent if referent is not None else school.referent
    closed = closed if closed is not None else closed_days(start, end)
    if absences is None:
        absences = load_absences([referent.pk if referent else None], start, end)
    if cancellations is None:
        cancellations = load_cancellations([school], start, end)
    upcoming = [o for o in permanence_occurrences(school.permanences.all(), start, end, closed) if o.end > now]
    held = held_occurrences(upcoming, referent, absences, cancellations.days(school))
    return [occurrence for occurrence, _holder in held][:count]


@dataclass(frozen=True)
class Slot:
    start: datetime
    end: datetime
    worker_id: int | None
    permanence_id: int
    place: str

    @property
    def key(self) -> str:
        """What a form carries: the start instant in UTC, e.g. 20261124T073000Z."""
        return self.start.astimezone(UTC).strftime("%Y%m%dT%H%M%SZ")


def cut_slots(
    occurrence: Occurrence,
    worker_id: int | None = None,
    earliest: datetime | None = None,
    latest: datetime | None = None,
) -> list[Slot]:
    """The slots of an occurrence: back to back from its start, of the permanence's slot length,
    none running past its end; only those starting within [earliest, latest] when given (the
    booking window of the booking settings)."""
    length = timedelta(minutes=occurrence.permanence.slot_minutes)
    slots = []
    start = occurrence.start
    while start + length <= occurrence.end:
        if (earliest is None or earliest <= start) and (latest is None or start <= latest):
            slots.append(Slot(start, start + length, worker_id, occurrence.permanence.pk, occurrence.place))
        start += length
    return slots


def held_slots(
    occurrences: Iterable[Occurrence],
    referent: SocialWorker | None,
    absences: Absences,
    earliest: datetime | None = None,
    latest: datetime | None = None,
    cancelled: frozenset[date] = frozenset(),
) -> list[Slot]:
    """The slots of the occurrences (of one school's permanences) someone holds, each naming its
    holder, earliest first; none on the `cancelled` days (cancelled_days())."""
    slots = []
    for occurrence, holder in held_occurrences(occurrences, referent, absences, cancelled):
        slots.extend(cut_slots(occurrence, holder.worker.pk, earliest, latest))
    return slots
