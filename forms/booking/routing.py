"""Routing rule (DESIGN.md rule 1): a request goes to whoever holds the school's permanence on
the day (services.availability: the referent, or the absence's replacement when present and
active); to the service-wide queue when nobody holds it, or for an unknown school.

Pure of requests and templates; the school is always the source-language page, so the same
school routes the same way from any language."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date

from services.availability import Absences, Reason, load_absences
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


def route_request(school: SchoolPage | None, day: date, absences: Absences | None = None) -> Route:
    """Who gets a request for `school` on `day` (the appointment day, or the request day).

    `absences`: the absences already read over a range holding `day` (the slot search's)."""
    from forms.models import AppointmentRequest

    Routing = AppointmentRequest.Routing
    if school is None:
        return Route(None, Routing.SERVICE, why="unknown_school")
    school = school.source_school
    if absences is None:
        absences = load_absences([school.referent_id], day, day)
    holder = absences.holder(school.referent, day)
    if holder.reason == Reason.REFERENT:
        return Route(holder.worker, Routing.REFERENT, why=holder.reason.value)
    if holder.held:
        return Route(holder.worker, Routing.REPLACEMENT, holder.absence, why=holder.reason.value)
    # The request page labels the reasons it records: a replacement who is away or no longer
    # active is, for the family's request, no replacement.
    why = Reason.NO_REPLACEMENT if holder.absence is not None else holder.reason
    return Route(None, Routing.SERVICE, holder.absence, why=why.value)
