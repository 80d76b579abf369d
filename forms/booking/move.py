"""Moving an appointment, by the family from its appointment page (forms.booking.cancel_views),
and the one cut-off for both moving and cancelling.

The new slot comes from the same slot search as booking (forms.booking.slots.find_slot) and is
routed the same way (forms.booking.routing). The swap is one UPDATE of the request's row
(forms.booking.slots.save_slot): the constraints on a worker's active appointments check the
new time in the very statement that releases the old one, so the family never holds two slots,
nor none for a moment, and a time another appointment took meanwhile is refused (SlotTaken).

A double-clicked move moves once: the form carries the start it moves from (`moving_from`);
a second POST whose start no longer matches finds the request already moved and changes
nothing."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta

from django.db import IntegrityError, transaction
from django.utils import timezone

from forms.booking.cancel import RequestClosed
from forms.booking.create import SlotTaken, SlotUnavailable, appointment_place
from forms.booking.routing import route_request
from forms.booking.slots import TimeContended, booking_rules, find_slot, is_taken, save_slot
from forms.models import AppointmentRequest, RequestEvent
from forms.notifications.queueing import queue_request_moved
from services.schedule import PARIS

__all__ = [
    "RequestClosed",
    "SlotTaken",
    "SlotUnavailable",
    "TooLate",
    "can_change",
    "can_move",
    "change_deadline",
    "hold_slot",
    "move_request",
    "moving_from_key",
]


class TooLate(Exception):
    """Past the cut-off: the family must call the service to move or cancel."""


def change_deadline(request: AppointmentRequest, rules=None) -> datetime | None:
    """The last moment the family may move or cancel the appointment itself: its start minus
    the booking setting `change_cutoff_hours`. None for a request without a slot."""
    if request.slot_start is None:
        return None
    rules = rules or booking_rules()
    return request.slot_start - timedelta(hours=rules.change_cutoff_hours)


def can_change(request: AppointmentRequest, now: datetime | None = None, rules=None) -> bool:
    """Whether the family may still move or cancel this request from its link: one cut-off
    for both (families who may cancel but not move cancel and book again). A request without
    a slot can be cancelled as long as it is active."""
    if not request.is_active:
        return False
    deadline = change_deadline(request, rules)
    return deadline is None or (now or timezone.now()) < deadline


def can_move(request: AppointmentRequest, now: datetime | None = None, rules=None) -> bool:
    """Whether the page offers to move: an appointment at the school's permanence (the slots
    a family can choose from), before the cut-off."""
    return (
        request.slot_start is not None
        and request.school_id is not None
        and request.mode == AppointmentRequest.Mode.SCHOOL
        and can_change(request, now, rules)
    )


def moving_from_key(request: AppointmentRequest) -> str:
    """What the move form carries to make a double submit harmless: the start it moves from,
    written like a slot key (services.availability.Slot.key)."""
    return request.slot_start.astimezone(UTC).strftime("%Y%m%dT%H%M%SZ") if request.slot_start else ""


def move_request(
    request: AppointmentRequest, slot_key: str, moving_from: str, now: datetime | None = None, rules=None
) -> tuple[AppointmentRequest, bool]:
    """Move an appointment to the free slot `slot_key` names, record it and queue the messages,
    in one transaction. Returns (the request as it is now, whether this call moved it).

    When `moving_from` is no longer the request's start, it was moved meanwhile (a double click,
    a second tab, a worker): nothing changes, (request, False). Raises RequestClosed (no longer
    active), TooLate (past the cut-off), SlotUnavailable (past, outside the horizon, another
    school's, tampered), SlotTaken (another family holds it, seen by the search or refused by
    the database)."""
    now = now or timezone.now()
    rules = rules or booking_rules()

    def prepare(locked):
        if not locked.is_active:
            raise RequestClosed(locked.status)
        if locked.slot_start is None or moving_from != moving_from_key(locked):
            return None
        if not can_change(locked, now, rules):
            raise TooLate
        if locked.school_id is None or locked.mode != AppointmentRequest.Mode.SCHOOL:
            raise SlotUnavailable(slot_key)
        return locked.school

    def apply(locked, slot, facts):
        _swap(locked, locked.school, slot, facts, now)

    return hold_slot(request, slot_key, prepare, apply, now=now, rules=rules)


def hold_slot(
    request: AppointmentRequest, slot_key: str, prepare, apply, *, now, rules, find=find_slot, taken=is_taken
) -> tuple[AppointmentRequest, bool]:
    """The one sequence of every writer that gives a request the free slot a key names (the
    family's move, a referred family's booking, a worker scheduling from her free slots), so
    that they cannot drift: in one transaction, lock the request's row; `prepare(locked)`
    checks it (raises to refuse, returns None to change nothing, or returns where the slot
    is searched: a school, or a worker with find_worker_slot/is_worker_slot_taken); the slot
    search re-checks the key (`find`); a slot not found is "just taken" when `taken` says so,
    else unavailable; `apply(locked, slot, facts)` saves it through save_slot, whose database
    refusal is told apart the same way. Returns (the request as it is now, whether it changed).

    Raises SlotTaken or SlotUnavailable (forms.booking.create), or what `prepare` raises."""
    where = None
    try:
        with transaction.atomic():
            locked = AppointmentRequest.objects.select_for_update().get(pk=request.pk)
            where = prepare(locked)
            if where is None:
                return locked, False
            facts = {}
            slot = find(where, slot_key, now, facts=facts, rules=rules)
            if slot is None:
                if taken(where, slot_key, now, rules):
                    raise SlotTaken(slot_key)
                raise SlotUnavailable(slot_key)
            apply(locked, slot, facts)
    except TimeContended:
        raise SlotTaken(slot_key) from None  # another writer is taking the time at this very moment
    except IntegrityError:
        if where is not None and taken(where, slot_key, now, rules):
            raise SlotTaken(slot_key) from None
        raise
    return locked, True


def _swap(locked: AppointmentRequest, school, slot, facts: dict, now: datetime) -> None:
    route = route_request(school, slot.start.astimezone(PARIS).date(), absences=facts.get("absences"))
    previous_start, previous_worker = locked.slot_start, locked.assigned_worker
    locked.slot_start, locked.slot_end = slot.start, slot.end
    locked.place = appointment_place(school, slot)
    locked.assigned_worker = route.worker
    locked.routed_as, locked.routed_at = route.how, now
    # One UPDATE: the constraints hold the new time as the old one is released.
    save_slot(
        locked,
        update_fields=["slot_start", "slot_end", "place", "assigned_worker", "routed_as", "routed_at", "updated_at"],
    )
    locked.record(
        RequestEvent.Kind.RESCHEDULED,
        by="family",
        previous_start=previous_start.isoformat(),
        start=slot.start.isoformat(),
        end=slot.end.isoformat(),
        place=locked.place,
    )
    if locked.assigned_worker != previous_worker:
        # Routed like a booking (who holds the new slot's permanence), also over a manual
        # reassignment: the slot is that worker's time. Both workers are told.
        locked.record(RequestEvent.Kind.ROUTED, **route.as_event_data())
        queue_request_moved(locked, previous_worker=previous_worker)
    else:
        queue_request_moved(locked)
