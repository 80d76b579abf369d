"""A referred family books a slot itself, from its page (issue 14: "or to book a slot
directly"): the referral's own request gets the slot, so the worker sees one request, not a
referral and a second booking.

The slot comes from the booking's slot search (forms.booking.slots.find_slot, through
forms.booking.move.hold_slot, the one sequence of every writer of a chosen slot) and is routed
by the same rule (forms.booking.routing, hence services.availability); the database holds it
(the constraints on a worker's time, through forms.booking.slots.save_slot). A second click finds the
request already booked and changes nothing."""

from __future__ import annotations

from django.utils import timezone

from forms.booking.cancel import RequestClosed
from forms.booking.create import SlotTaken, SlotUnavailable, appointment_place
from forms.booking.move import hold_slot
from forms.booking.routing import route_request
from forms.booking.slots import booking_rules, save_slot
from forms.models import AppointmentRequest, RequestEvent
from forms.notifications.queueing import queue_referral_booked
from services.schedule import PARIS

__all__ = ["RequestClosed", "SlotTaken", "SlotUnavailable", "book_referral"]


def book_referral(request: AppointmentRequest, slot_key: str, now=None, rules=None) -> tuple[AppointmentRequest, bool]:
    """Give a referred request without a slot the free slot `slot_key` names, record it and
    queue the messages, in one transaction. Returns (the request as it is now, whether this
    call booked it): (request, False) when it already has an appointment (a double click, or
    the worker fixed one meanwhile). Raises RequestClosed, SlotUnavailable (no school, past,
    outside the horizon, tampered) or SlotTaken (another family holds it)."""
    now = now or timezone.now()
    rules = rules or booking_rules()

    def prepare(locked):
        if not locked.is_active:
            raise RequestClosed(locked.status)
        if locked.slot_start is not None:
            return None
        if locked.school_id is None:
            raise SlotUnavailable(slot_key)
        return locked.school

    def apply(locked, slot, facts):
        school = locked.school
        route = route_request(school, slot.start.astimezone(PARIS).date(), absences=facts.get("absences"))
        previous_worker_id = locked.assigned_worker_id
        locked.mode = AppointmentRequest.Mode.SCHOOL
        locked.slot_start, locked.slot_end = slot.start, slot.end
        locked.place = appointment_place(school, slot)
        locked.assigned_worker = route.worker
        locked.routed_as, locked.routed_at = route.how, now
        # The constraints hold the worker's time (forms.booking.slots.save_slot).
        save_slot(
            locked,
            update_fields=[
                "mode",
                "slot_start",
                "slot_end",
                "place",
                "assigned_worker",
                "routed_as",
                "routed_at",
                "updated_at",
            ],
        )
        locked.record(
            RequestEvent.Kind.SCHEDULED,
            by="family",
            start=slot.start.isoformat(),
            end=slot.end.isoformat(),
            place=locked.place,
        )
        if locked.assigned_worker_id != previous_worker_id:
            locked.record(RequestEvent.Kind.ROUTED, **route.as_event_data())
        queue_referral_booked(locked)

    return hold_slot(request, slot_key, prepare, apply, now=now, rules=rules)
