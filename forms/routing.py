"""Routing rule (DESIGN.md rule 1): the school's referent; the absence's replacement when the
referent is absent that day; otherwise, or for an unknown school, the service-wide queue.

Pure of requests and templates; the school is always the source-language page, so the same
school routes the same way from any language."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date

from services.models import SchoolPage, SocialWorker, WorkerAbsence


@dataclass(frozen=True)
class Route:
    worker: SocialWorker | None
    how: str  # AppointmentRequest.Routing value
    absence: WorkerAbsence | None = None
    why: str = ""

    def as_event_data(self) -> dict:
        return {
            "how": self.how,
            "worker_id": self.worker.pk if self.worker else None,
            "worker": str(self.worker) if self.worker else None,
            "absence_id": self.absence.pk if self.absence else None,
            "why": self.why,
        }


def absence_on(worker: SocialWorker, day: date, known: list | None = None) -> WorkerAbsence | None:
    """The worker's absence that day (the latest entered, if several). `known`: absences
    already read that cover the worker on that day (the slot search's), instead of a query."""
    if known is not None:
        matching = [a for a in known if a.worker_id == worker.pk and a.first_day <= day <= a.last_day]
        return max(matching, key=lambda a: (a.first_day, a.pk), default=None)
    return (
        WorkerAbsence.objects.filter(worker=worker, first_day__lte=day, last_day__gte=day)
        .select_related("replacement")
        .order_by("-first_day", "-pk")
        .first()
    )


def route_request(school: SchoolPage | None, day: date, known_absences: list | None = None) -> Route:
    """Who gets a request for `school` on `day` (the appointment day, or the request day).

    `known_absences`: the referent's and replacements' absences already read for that day."""
    from forms.models import AppointmentRequest

    Routing = AppointmentRequest.Routing
    if school is None:
        return Route(None, Routing.SERVICE, why="unknown_school")
    school = school.source_school
    referent = school.referent
    if referent is None or not referent.active:
        return Route(None, Routing.SERVICE, why="no_referent")
    absence = absence_on(referent, day, known_absences)
    if absence is None:
        return Route(referent, Routing.REFERENT, why="referent")
    replacement = absence.replacement
    if replacement is not None and replacement.active and absence_on(replacement, day, known_absences) is None:
        return Route(replacement, Routing.REPLACEMENT, absence, why="referent_absent")
    return Route(None, Routing.SERVICE, absence, why="referent_absent_no_replacement")
