"""Creating an appointment request (DESIGN.md rule 2): no double booking, nothing lost.

Pure of requests and templates: the booking views, the benchmark and the tests call
`create_request()` with cleaned values. The database holds the worker's time (the constraints
on active appointments, through forms.booking.slots.save_slot), the submission key makes a
double submit create one request, and the notification rows are written in the same
transaction."""

from __future__ import annotations

import uuid
from datetime import datetime

from django.conf import settings
from django.db import IntegrityError, transaction
from django.utils import timezone

from forms.booking.routing import Route, route_request
from forms.booking.slots import Slot, TimeContended, find_slot, free_slots, is_taken, save_slot
from forms.models import AppointmentRequest, Referral, RequestEvent
from forms.notifications.queueing import queue_new_request
from services.models import SchoolPage
from services.schedule import PARIS

# What `data` may carry into a request; anything else is ignored.
DETAIL_FIELDS = (
    "reason",
    "requester",
    "source",
    "parent_name",
    "phone",
    "email",
    "notify_by",
    "interpreter_needed",
    "child_first_name",
    "child_class",
    "message",
    "availabilities",
)
REFERENCE_ATTEMPTS = 5
# What `referral` may carry into a professional's Referral row.
REFERRAL_FIELDS = (
    "referrer_name",
    "referrer_role",
    "organisation",
    "referrer_email",
    "referrer_phone",
    "referrer_verified",
    "context",
    "parent_agreement_at",
)


class SlotUnavailable(Exception):
    """The slot a form names is not (or no longer) offered: past, tampered, outside the horizon."""


class SlotTaken(SlotUnavailable):
    """Another family booked this slot first."""


def next_free_slots(
    school: SchoolPage, after: datetime | None = None, count: int = 5, now=None, rules=None
) -> list[Slot]:
    """The first `count` free slots of a school, starting strictly after `after` when given."""
    slots = free_slots(school, now, rules=rules)
    if after is not None:
        slots = [slot for slot in slots if slot.start > after]
    return slots[:count]


def _slot_key(slot) -> str:
    return slot.key if isinstance(slot, Slot) else str(slot or "")


def appointment_place(school: SchoolPage, slot: Slot) -> str:
    """The place stored on a request booked at `slot`: the school, the permanence's room and
    the address, in the source language (what the worker's agenda and the .ics show)."""
    parts = [school.title, slot.place, f"{school.address}, {school.postcode} {school.city}".strip(", ")]
    return ", ".join(part for part in parts if part)[:200]


def create_request(
    *,
    school: SchoolPage | None,
    mode: str,
    slot: Slot | str | None,
    data: dict,
    language: str,
    captcha: str,
    submission_key: uuid.UUID | str,
    now: datetime | None = None,
    rules=None,
    referral: dict | None = None,
    assign_to=None,
    user=None,
    when: tuple[datetime, datetime, str] | None = None,
) -> AppointmentRequest:
    """Store one appointment request, routed to the right queue, with its outbox rows.

    Returns the existing request when `submission_key` was already used (a double submit).
    Raises SlotUnavailable when a "school" request names no free slot, SlotTaken when
    another family holds it (checked again by the database at insert time). `rules`: the
    booking settings when the caller has read them (forms.booking.slots.booking_rules).

    The same path for every source (forms.referrals, the staff's admin form): `referral`,
    a professional's details (REFERRAL_FIELDS), stored with the request, and the family and
    the referrer told instead of the usual confirmation; `assign_to`, a worker the staff
    chose, instead of the routing rule; `user`, the staff account that recorded it (the
    request is then already acknowledged); `when`, (start, end, place) of an appointment
    staff fixed outside the permanence's slots, held by the same unique constraint (SlotTaken
    when the worker already has an appointment then)."""
    now = now or timezone.now()
    submission_key = uuid.UUID(str(submission_key))
    if mode not in AppointmentRequest.Mode.values:
        raise ValueError(f"unknown mode {mode!r}")
    if when is not None and assign_to is None:
        raise ValueError("an appointment fixed by staff needs the worker who holds it (assign_to)")
    if language not in dict(settings.LANGUAGES):
        language = settings.LANGUAGE_CODE
    school = school.source_school if school is not None else None

    # One transaction, no savepoint: on the happy path a booking is 7 statements. Whatever the
    # database refuses (a double submit, a slot taken meanwhile, a reference clash) is told
    # apart after the rollback.
    for _attempt in range(REFERENCE_ATTEMPTS):
        reference = AppointmentRequest._meta.get_field("reference").get_default()
        try:
            with transaction.atomic():
                return _create(
                    school,
                    mode,
                    slot,
                    data,
                    language,
                    captcha,
                    submission_key,
                    now,
                    reference,
                    rules,
                    referral,
                    assign_to,
                    user,
                    when,
                )
        except TimeContended:
            continue  # another writer took the time at this very moment: ask the database again
        except IntegrityError:
            existing = _by_submission(submission_key)
            if existing is not None:
                return existing
            key = _slot_key(slot)
            if mode == AppointmentRequest.Mode.SCHOOL and school is not None and is_taken(school, key, now, rules):
                raise SlotTaken(key) from None
            if when is not None and _worker_busy(assign_to, when[0], when[1]):
                raise SlotTaken(when[0].isoformat()) from None
            if AppointmentRequest.objects.filter(reference=reference).exists():
                continue  # a reference drawn twice: draw another
            raise
    raise IntegrityError("no free reference after several attempts")


def _worker_busy(worker, start, end) -> bool:
    """Whether the worker has another active appointment overlapping start-end (what the
    database's exclusion constraint, or save_slot's check on SQLite, refused)."""
    return (
        worker is not None
        and AppointmentRequest.objects.filter(
            assigned_worker=worker,
            slot_start__lt=end,
            slot_end__gt=start,
            status__in=AppointmentRequest.ACTIVE_STATUSES,
        ).exists()
    )


def _by_submission(submission_key) -> AppointmentRequest | None:
    return AppointmentRequest.objects.filter(submission_key=submission_key).first()


def source_of(data: dict, referral: dict | None = None) -> str:
    """The request's source: the referrer's (by role), the one staff recorded, or, for the
    family's own form, parent or relative from who made the request."""
    if referral is not None:
        return Referral(referrer_role=referral["referrer_role"]).source
    if data.get("source") in AppointmentRequest.Source.values:
        return data["source"]
    if data.get("requester") == AppointmentRequest.Requester.FAMILY:
        return AppointmentRequest.Source.RELATIVE
    return AppointmentRequest.Source.PARENT


def _create(
    school, mode, slot, data, language, captcha, submission_key, now, reference, rules, referral, assign_to, user, when
) -> AppointmentRequest:
    booked_slot = None
    facts = {}
    if mode == AppointmentRequest.Mode.SCHOOL and when is None:
        key = _slot_key(slot)
        # Whether another appointment holds the time is the insert's to say (save_slot below: the
        # exclusion constraint, or its check off PostgreSQL), told apart after the rollback.
        booked_slot = (
            find_slot(school, key, now, facts=facts, rules=rules, busy_checked=False) if school is not None else None
        )
        if booked_slot is None:
            # Maybe this very submission booked it a moment ago (a double click).
            existing = _by_submission(submission_key)
            if existing is not None:
                return existing
            if school is not None and is_taken(school, key, now, rules):
                raise SlotTaken(key)
            raise SlotUnavailable(key)

    # The slot search and routing ask the same rule (services.availability), from the same
    # absences when the slot search read them: the route names the slot's holder.
    appointment_start = booked_slot.start if booked_slot else (when[0] if when else now)
    day = appointment_start.astimezone(PARIS).date()
    if assign_to is not None:
        route = Route(assign_to, AppointmentRequest.Routing.DIRECT, why="recorded_by_staff")
    else:
        route = route_request(school, day, absences=facts.get("absences"))
    worker_id = route.worker.pk if route.worker else None
    how = route.how

    fields = {name: data[name] for name in DETAIL_FIELDS if name in data}
    fields["source"] = source_of(data, referral)
    start, end, place = (
        (booked_slot.start, booked_slot.end, appointment_place(school, booked_slot))
        if booked_slot
        else (None, None, "")
    )
    if when is not None and booked_slot is None:
        start, end, place = when
    if user is not None:
        # Taken by a worker, the manager or an assistant: already in hand.
        fields["status"] = AppointmentRequest.Status.ACKNOWLEDGED
    request = AppointmentRequest(
        reference=reference,
        school=school,
        assigned_worker_id=worker_id,
        routed_as=how,
        routed_at=now,
        mode=mode,
        slot_start=start,
        slot_end=end,
        place=place,
        language=language,
        consent_at=now,
        captcha=captcha,
        submission_key=submission_key,
        created_at=now,
        **fields,
    )
    # The constraints hold the worker's time and the submission key (IntegrityError otherwise).
    save_slot(request, force_insert=True)

    event = route.as_event_data()
    RequestEvent.objects.bulk_create(
        [
            RequestEvent(
                request=request,
                kind=RequestEvent.Kind.CREATED,
                user=user,
                data={"mode": mode, "language": language, "captcha": captcha, "source": request.source},
            ),
            RequestEvent(request=request, kind=RequestEvent.Kind.ROUTED, data=event),
        ]
    )
    if route.worker is not None:
        request.assigned_worker = route.worker  # already loaded: the e-mail needs no query
    if referral is not None:
        values = {name: referral[name] for name in REFERRAL_FIELDS if name in referral}
        request.referral = Referral.objects.create(request=request, **values)
    queue_new_request(request, rules=rules)
    return request
