"""Thematic evening registration: capacity, waiting list, cancellation. Rules only, no request.
(The registration's cancel link is in forms.links.)

Capacity is held by a row lock on the source (French) evening: every registration and every
cancellation of one evening takes `SELECT ... FOR UPDATE` on that row first, so on PostgreSQL
they run one after the other and the seat count read inside the transaction is exact. The
translations of an evening share its registrations: they all point at the source page.

Waiting list policy (first fit, in creation order): a newcomer who fits in the seats left is
confirmed, and when seats free up every waiting registration that fits is promoted, oldest
first; a large family that does not fit is skipped, keeps its place, and is promoted as soon
as enough seats are free. Seats never stay empty while someone who fits is waiting; the price
is that a large family can be overtaken by smaller ones."""

from __future__ import annotations

from datetime import datetime

from django.conf import settings
from django.db import transaction
from django.db.models import F, Sum
from django.utils import timezone

from core.pages import source_page
from forms.links import revoke_links
from forms.models import EveningRegistration, Notification
from forms.notifications.channels import unanswered_choice
from forms.notifications.queueing import queue_evening
from services.models import ThematicEveningPage


class RegistrationRefused(Exception):
    """The registration cannot be taken. `code` says why, for the view to explain."""

    PAST = "past"
    OVERSIZED = "oversized"
    KEY_REUSED = "key_reused"

    def __init__(self, code: str):
        super().__init__(code)
        self.code = code


def source_evening(evening: ThematicEveningPage) -> ThematicEveningPage:
    """The evening in the source language, whatever translation was given (an evening created
    directly in another language is its own source)."""
    return source_page(evening)


def registration_closed(evening: ThematicEveningPage, now: datetime | None = None) -> bool:
    """Registrations close when the evening starts."""
    return (now or timezone.now()) >= evening.starts_at


def seats_taken(evening: ThematicEveningPage) -> int:
    """Confirmed seats of a source evening."""
    total = EveningRegistration.objects.filter(evening=evening, status=EveningRegistration.Status.CONFIRMED).aggregate(
        total=Sum(F("adults") + F("children"))
    )["total"]
    return total or 0


def seats_left(evening: ThematicEveningPage) -> int:
    """Free seats of an evening, given in any language."""
    source = source_evening(evening)
    return max(0, source.capacity - seats_taken(source))


def _lock(evening_id: int) -> ThematicEveningPage:
    return ThematicEveningPage.objects.select_for_update().get(pk=evening_id)


def register(
    evening: ThematicEveningPage,
    *,
    name: str,
    adults: int,
    children: int,
    phone: str = "",
    email: str = "",
    notify_by: str = "",
    language: str = settings.LANGUAGE_CODE,
    submission_key,
    now: datetime | None = None,
) -> EveningRegistration:
    """Register a family: confirmed if its seats fit in what is left, else on the waiting list.

    Idempotent: the same submission key returns the registration it already created."""
    if adults < 1 or children < 0:
        raise ValueError("a registration has at least one adult")
    if not (phone or email):
        raise ValueError("a registration needs a phone number or an e-mail address")
    now = now or timezone.now()
    source = source_evening(evening)
    with transaction.atomic():
        locked = _lock(source.pk)
        existing = EveningRegistration.objects.filter(submission_key=submission_key).first()
        if existing is not None:
            if existing.evening_id != locked.pk:
                raise RegistrationRefused(RegistrationRefused.KEY_REUSED)
            return existing
        if registration_closed(locked, now):
            raise RegistrationRefused(RegistrationRefused.PAST)
        seats = adults + children
        if seats > locked.capacity:
            raise RegistrationRefused(RegistrationRefused.OVERSIZED)
        fits = seats_taken(locked) + seats <= locked.capacity
        registration = EveningRegistration.objects.create(
            evening=locked,
            name=name,
            adults=adults,
            children=children,
            phone=phone,
            email=email,
            notify_by=notify_by or unanswered_choice(phone, email),
            language=language,
            status=EveningRegistration.Status.CONFIRMED if fits else EveningRegistration.Status.WAITING,
            submission_key=submission_key,
            created_at=now,
        )
        queue_evening(registration, Notification.Kind.EVENING_CONFIRMATION)
    return registration


def promote_waiting(evening: ThematicEveningPage, now: datetime | None = None) -> list[EveningRegistration]:
    """Confirm the waiting registrations that fit, oldest first (call with the evening locked).

    Also the thing to call after an editor raises the capacity."""
    if registration_closed(evening, now):
        return []
    taken = seats_taken(evening)
    promoted = []
    waiting = EveningRegistration.objects.filter(evening=evening, status=EveningRegistration.Status.WAITING)
    for registration in waiting.order_by("created_at", "pk"):
        if taken + registration.seats > evening.capacity:
            continue
        taken += registration.seats
        registration.status = EveningRegistration.Status.CONFIRMED
        registration.save(update_fields=["status"])
        queue_evening(registration, Notification.Kind.EVENING_PROMOTED)
        promoted.append(registration)
    return promoted


def cancel(registration: EveningRegistration, now: datetime | None = None) -> list[EveningRegistration]:
    """Cancel a registration and promote the waiting ones that now fit; returns those promoted.

    Cancelling twice changes nothing. `registration` is updated in place."""
    now = now or timezone.now()
    with transaction.atomic():
        evening = _lock(registration.evening_id)
        current = EveningRegistration.objects.select_for_update().get(pk=registration.pk)
        if current.status == EveningRegistration.Status.CANCELLED:
            promoted = []
        else:
            current.status = EveningRegistration.Status.CANCELLED
            current.cancelled_at = now
            current.save(update_fields=["status", "cancelled_at"])
            revoke_links(current, now=now)
            promoted = promote_waiting(evening, now)
    registration.status, registration.cancelled_at = current.status, current.cancelled_at
    return promoted
