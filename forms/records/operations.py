"""What a worker does to a request, as plain functions: each one checks the status on a locked
row, changes the request, records the timeline event (RequestEvent, which the family never
sees) and a Wagtail log entry (who, what, when), and queues the family's notification in the
same transaction (DESIGN.md rule 2: the outbox is committed with the change).

Wagtail log entries carry no free text: a note, a reason or a family's detail lives only in
the RequestEvent, which the retention purge blanks."""

from __future__ import annotations

from datetime import datetime

from django.db import IntegrityError, transaction
from django.utils import timezone
from django.utils.translation import gettext_lazy as _
from wagtail.log_actions import log

from forms.booking.cancel import RequestClosed, cancel_request
from forms.booking.create import SlotTaken as ChosenSlotTaken
from forms.booking.create import SlotUnavailable, appointment_place
from forms.booking.move import hold_slot
from forms.booking.slots import find_worker_slot, is_worker_slot_taken, save_slot
from forms.links import revoke_links
from forms.models import AppointmentRequest, RequestEvent
from forms.notifications.queueing import queue_no_show, queue_request_assigned, queue_request_scheduled
from services.availability import load_absences
from services.models import Permanence
from services.schedule import PARIS

Status = AppointmentRequest.Status
Mode = AppointmentRequest.Mode
Kind = RequestEvent.Kind

# Wagtail log actions, registered in forms/wagtail_hooks.py with their labels.
LOG_ACTIONS = {
    Kind.VIEWED: ("forms.request.viewed", _("Demande consultée")),
    Kind.ACKNOWLEDGED: ("forms.request.acknowledged", _("Demande prise en compte")),
    Kind.SCHEDULED: ("forms.request.scheduled", _("Rendez-vous fixé")),
    Kind.RESCHEDULED: ("forms.request.rescheduled", _("Rendez-vous déplacé")),
    Kind.DONE: ("forms.request.done", _("Rendez-vous honoré")),
    Kind.NO_SHOW: ("forms.request.no_show", _("Absence au rendez-vous")),
    Kind.CANCELLED: ("forms.request.cancelled", _("Demande annulée par le service")),
    Kind.REASSIGNED: ("forms.request.reassigned", _("Demande réaffectée")),
    Kind.NOTE: ("forms.request.note", _("Note interne ajoutée")),
    Kind.ANONYMISED: ("forms.request.anonymised", _("Demande anonymisée")),
}


class OperationError(Exception):
    """An action that does not apply to the request as it is now (shown as a message, never a 500)."""


class SlotTaken(OperationError):
    pass


def _log(request: AppointmentRequest, kind: str, user, **data):
    log(request, LOG_ACTIONS[kind][0], user=user, data=data)


def _locked(request: AppointmentRequest) -> AppointmentRequest:
    return AppointmentRequest.objects.select_for_update().get(pk=request.pk)


def _require(request: AppointmentRequest, allowed, message):
    if request.anonymised_at is not None:
        raise OperationError(_("Cette demande est anonymisée : elle ne peut plus être modifiée."))
    if request.status not in allowed:
        raise OperationError(message)


def _save_slot(request: AppointmentRequest, fields):
    """The database holds the worker's time (no two active appointments of a worker overlap,
    forms.booking.slots.save_slot); a savepoint keeps the action's transaction usable."""
    try:
        with transaction.atomic():
            save_slot(request, update_fields=[*fields, "updated_at"])
    except IntegrityError as error:
        raise SlotTaken(_("Ce créneau est déjà pris.")) from error


def record_view(request: AppointmentRequest, user):
    """Every reading of a request is traced: who and when."""
    request.record(Kind.VIEWED, user=user)
    _log(request, Kind.VIEWED, user)


@transaction.atomic
def acknowledge(request: AppointmentRequest, user) -> AppointmentRequest:
    request = _locked(request)
    _require(request, [Status.NEW], _("Seule une nouvelle demande peut être prise en compte."))
    request.status = Status.ACKNOWLEDGED
    request.save(update_fields=["status", "updated_at"])
    request.record(Kind.ACKNOWLEDGED, user=user)
    _log(request, Kind.ACKNOWLEDGED, user)
    return request


def _refuse_absent(worker, start: datetime) -> None:
    """An appointment is never given to a worker on a day of her absence (services.availability
    reads the absences, as routing does): the reason is said, nothing changes."""
    if worker is None:
        return
    day = timezone.localtime(start, PARIS).date()
    if load_absences([worker.pk], day, day).absence_on(worker.pk, day) is not None:
        raise OperationError(
            _("%(worker)s est absent·e ce jour-là : choisissez un·e collègue présent·e ou un autre jour.")
            % {"worker": worker}
        )


def _set_slot(request, start, end, place, kind, user, mode=None):
    if request.assigned_worker_id is None:
        raise OperationError(_("Affectez d'abord la demande à un travailleur social."))
    if end <= start:
        raise OperationError(_("La fin du rendez-vous doit être après son début."))
    _refuse_absent(request.assigned_worker, start)
    previous = request.slot_start
    request.slot_start, request.slot_end, request.place = start, end, place
    request.status = Status.SCHEDULED
    fields = ["slot_start", "slot_end", "place", "status"]
    if mode:
        request.mode = mode
        fields.append("mode")
    _save_slot(request, fields)
    data = {"start": start.isoformat(), "end": end.isoformat(), "place": place}
    if previous is not None:
        data["previous_start"] = previous.isoformat()
    request.record(kind, user=user, **data)
    _log(request, kind, user, start=data["start"], end=data["end"], previous_start=data.get("previous_start"))
    queue_request_scheduled(request)  # the family, in its language, by its channels
    return request


def _still_scheduling(request, kind):
    if kind == Kind.SCHEDULED:
        _require(request, [Status.NEW, Status.ACKNOWLEDGED], _("Cette demande n'est plus en cours."))
        if request.slot_start is not None:
            raise OperationError(_("Cette demande a déjà un rendez-vous : déplacez-le."))
    else:
        _require(request, AppointmentRequest.ACTIVE_STATUSES, _("Cette demande n'est plus en cours."))
        if request.slot_start is None:
            raise OperationError(_("Cette demande n'a pas encore de rendez-vous."))


@transaction.atomic
def schedule(request: AppointmentRequest, user, start: datetime, end: datetime, place: str, mode: str = ""):
    """Give an appointment to a request that came without a slot, at a time the worker typed
    (a visit at home, at the CCAS...): the database refuses it over another of her appointments."""
    request = _locked(request)
    _still_scheduling(request, Kind.SCHEDULED)
    return _set_slot(request, start, end, place, Kind.SCHEDULED, user, mode)


@transaction.atomic
def reschedule(request: AppointmentRequest, user, start: datetime, end: datetime, place: str, mode: str = ""):
    request = _locked(request)
    _still_scheduling(request, Kind.RESCHEDULED)
    return _set_slot(request, start, end, place, Kind.RESCHEDULED, user, mode)


@transaction.atomic
def schedule_free_slot(request: AppointmentRequest, user, slot_key: str, kind: str = Kind.SCHEDULED, now=None):
    """Schedule (kind SCHEDULED) or move (RESCHEDULED) the appointment to one of the assigned
    worker's free slots, named by its key: the families' sequence (forms.booking.move.hold_slot)
    with the worker's slot search (forms.booking.slots.find_worker_slot). The appointment is
    then at that school's permanence."""
    now = now or timezone.now()

    def prepare(locked):
        _still_scheduling(locked, kind)
        if locked.assigned_worker_id is None:
            raise OperationError(_("Affectez d'abord la demande à un travailleur social."))
        return locked.assigned_worker

    def apply(locked, slot, facts):
        school = Permanence.objects.select_related("school").get(pk=slot.permanence_id).school
        _set_slot(locked, slot.start, slot.end, appointment_place(school, slot), kind, user, Mode.SCHOOL)

    try:
        locked, _changed = hold_slot(
            request, slot_key, prepare, apply, now=now, rules=None, find=find_worker_slot, taken=is_worker_slot_taken
        )
    except ChosenSlotTaken as error:
        raise SlotTaken(_("Ce créneau vient d'être pris : choisissez-en un autre.")) from error
    except SlotUnavailable as error:
        raise OperationError(_("Ce créneau n'est plus libre : choisissez-en un autre.")) from error
    return locked


def _close(request, user, status, kind, **data):
    request.status = status
    request.closed_at = timezone.now()
    request.save(update_fields=["status", "closed_at", "updated_at"])
    request.record(kind, user=user, **data)
    revoke_links(request, now=request.closed_at)


@transaction.atomic
def mark_done(request: AppointmentRequest, user) -> AppointmentRequest:
    request = _locked(request)
    _require(request, AppointmentRequest.ACTIVE_STATUSES, _("Cette demande n'est plus en cours."))
    _close(request, user, Status.DONE, Kind.DONE)
    _log(request, Kind.DONE, user)
    return request


@transaction.atomic
def mark_no_show(request: AppointmentRequest, user) -> AppointmentRequest:
    request = _locked(request)
    _require(request, AppointmentRequest.ACTIVE_STATUSES, _("Cette demande n'est plus en cours."))
    if request.slot_start is None:
        raise OperationError(_("Cette demande n'a pas de rendez-vous."))
    _close(request, user, Status.NO_SHOW, Kind.NO_SHOW)
    _log(request, Kind.NO_SHOW, user)
    queue_no_show(request)  # "we missed you", with the link to book again (BookingSettings)
    return request


@transaction.atomic
def cancel(request: AppointmentRequest, user, reason: str) -> AppointmentRequest:
    """Cancelled by the service, with a reason kept in the timeline; the family is told."""
    request = _locked(request)
    _require(request, AppointmentRequest.ACTIVE_STATUSES, _("Cette demande n'est plus en cours."))
    try:
        request = cancel_request(request, by_family=False, user=user, reason=reason)
    except RequestClosed as error:
        raise OperationError(_("Cette demande n'est plus en cours.")) from error
    _log(request, Kind.CANCELLED, user)
    return request


@transaction.atomic
def reassign(request: AppointmentRequest, user, worker, reason: str) -> AppointmentRequest:
    """Move a request to another worker's queue, or to the service-wide one (worker None).

    A manual assignment is never overridden by the routing rule; the timeline keeps who,
    when, why and the previous worker. An appointment's time is its worker's: reassigned to
    another worker, it must fit in her time; a coming appointment cannot go to the service
    queue, where it would hold nobody's time and a second family could book it. The service
    gives it to a worker, or cancels it (the family is told)."""
    request = _locked(request)
    _require(request, AppointmentRequest.ACTIVE_STATUSES, _("Cette demande n'est plus en cours."))
    if worker is not None and not worker.active:
        raise OperationError(_("Ce travailleur social n'est plus en activité."))
    previous = request.assigned_worker
    if (previous.pk if previous else None) == (worker.pk if worker else None):
        raise OperationError(_("La demande est déjà dans cette file."))
    now = timezone.now()
    if worker is None and request.slot_start is not None and (request.slot_end or request.slot_start) > now:
        raise OperationError(
            _("Ce rendez-vous est fixé : confiez-le à un travailleur social, ou annulez-le (la famille est prévenue).")
        )
    if request.slot_start is not None:
        _refuse_absent(worker, request.slot_start)
    elif worker is not None:
        # A request without an appointment is read now: not by a worker away today (routing
        # gives it to her replacement, services.availability).
        day = timezone.localtime(now, PARIS).date()
        if load_absences([worker.pk], day, day).absence_on(worker.pk, day) is not None:
            raise OperationError(
                _("%(worker)s est absent·e aujourd'hui : confiez la demande à un·e collègue présent·e.")
                % {"worker": worker}
            )
    request.assigned_worker = worker
    request.routed_as = AppointmentRequest.Routing.MANUAL
    request.routed_at = now
    taken = _("%(worker)s a déjà un rendez-vous à cette heure-là.") % {"worker": worker}
    try:
        _save_slot(request, ["assigned_worker", "routed_as", "routed_at"])
    except SlotTaken as error:
        raise SlotTaken(taken) from error
    moved = {
        "from_worker_id": previous.pk if previous else None,
        "from_worker": str(previous) if previous else None,
        "to_worker_id": worker.pk if worker else None,
        "to_worker": str(worker) if worker else None,
    }
    request.record(Kind.REASSIGNED, user=user, reason=reason, **moved)
    _log(request, Kind.REASSIGNED, user, **moved)
    # The worker who receives it is told (reference and link only); the family too, when an
    # appointment to come now has another worker.
    queue_request_assigned(request, previous_worker=previous)
    return request


@transaction.atomic
def add_note(request: AppointmentRequest, user, text: str) -> RequestEvent:
    """An internal note: kept in the timeline, never shown or sent to the family."""
    request = _locked(request)
    if request.anonymised_at is not None:
        raise OperationError(_("Cette demande est anonymisée : elle ne peut plus être modifiée."))
    event = request.record(Kind.NOTE, user=user, text=text)
    _log(request, Kind.NOTE, user)
    return event
