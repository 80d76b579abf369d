"""A worker's permanence duties over a period, as her agenda and her calendar feed show them:
the permanences of her schools (marked absent on her days away, with who holds them then) and
those she holds as a replacement. Who holds each occurrence is services.availability's answer;
this module only gathers the rows it needs, in four queries whatever the period."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date

from core.pages import in_source_language
from services.availability import Holder, load_absences
from services.models import Permanence, SocialWorker, WorkerAbsence
from services.schedule import ClosedDays, Occurrence, closed_days, permanence_occurrences


@dataclass(frozen=True)
class Duty:
    occurrence: Occurrence
    holder: Holder
    # Her own school's permanence on a day she is away (someone else, or nobody, holds it).
    absent: bool = False
    # The referent she replaces, for a permanence she holds as a replacement.
    replacing: SocialWorker | None = None


def source_permanences(worker_ids) -> list[Permanence]:
    """The permanences (French pages) of the schools these workers are the referents of."""
    return list(
        in_source_language(
            Permanence.objects.filter(school__referent_id__in=worker_ids), through="school"
        ).select_related("school", "school__referent")
    )


def worker_duties(worker: SocialWorker, first: date, last: date, closed: ClosedDays | None = None):
    """(the duties from `first` to `last` in time order, the absences read for them)."""
    closed = closed if closed is not None else closed_days(first, last)
    # The referents whose absences name this worker as replacement in the period.
    replaced_ids = set(
        WorkerAbsence.objects.filter(replacement=worker, first_day__lte=last, last_day__gte=first).values_list(
            "worker_id", flat=True
        )
    )
    absences = load_absences({worker.pk, *replaced_ids}, first, last)
    duties = []
    for occurrence in permanence_occurrences(source_permanences({worker.pk, *replaced_ids}), first, last, closed):
        referent = occurrence.permanence.school.referent
        holder = absences.holder(referent, occurrence.day)
        if referent.pk == worker.pk:
            duties.append(Duty(occurrence, holder, absent=holder.absence is not None))
        elif holder.worker == worker:
            duties.append(Duty(occurrence, holder, replacing=referent))
    duties.sort(key=lambda duty: duty.occurrence.start)
    return duties, absences
