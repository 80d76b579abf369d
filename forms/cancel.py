"""Cancelling an appointment without an account: a signed, expiring link for one request.

The link carries the request's pk and reference signed with `TimestampSigner` under a salt
used for nothing else, so a token made for another purpose (the .ics download) or another
request never cancels this one. It expires after 90 days or once the appointment has
started. The slot is held by a unique constraint over *active* statuses only, so the
moment the status turns to cancelled the slot is free for the next family.
"""

from __future__ import annotations

from datetime import datetime, timedelta

from django.conf import settings
from django.core import signing
from django.db import transaction
from django.urls import reverse
from django.utils import timezone, translation

from forms.models import AppointmentRequest, RequestEvent

CANCEL_SALT = "forms.cancel.appointment"
ICS_SALT = "forms.cancel.appointment-ics"
TOKEN_MAX_AGE = timedelta(days=90)


class InvalidToken(Exception):
    """Tampered, truncated, made for something else, or for a request that no longer exists."""


class ExpiredToken(InvalidToken):
    """Older than TOKEN_MAX_AGE, or the appointment has already started."""


class RequestClosed(Exception):
    """The request is already cancelled, done or marked as a no-show."""


def _sign(appointment: AppointmentRequest, salt: str) -> str:
    return signing.TimestampSigner(salt=salt).sign(f"{appointment.pk}.{appointment.reference}")


def _read(token: str, salt: str, now: datetime | None = None) -> AppointmentRequest:
    try:
        value = signing.TimestampSigner(salt=salt).unsign(token, max_age=TOKEN_MAX_AGE)
    except signing.SignatureExpired as error:
        raise ExpiredToken from error
    except signing.BadSignature as error:
        raise InvalidToken from error
    pk, _dot, reference = value.partition(".")
    if not pk.isdigit():
        raise InvalidToken
    appointment = (
        AppointmentRequest.objects.select_related("assigned_worker").filter(pk=int(pk), reference=reference).first()
    )
    if appointment is None:
        raise InvalidToken
    if appointment.slot_start is not None and appointment.slot_start <= (now or timezone.now()):
        raise ExpiredToken
    return appointment


def make_cancel_token(appointment: AppointmentRequest) -> str:
    return _sign(appointment, CANCEL_SALT)


def read_cancel_token(token: str, now: datetime | None = None) -> AppointmentRequest:
    """The request a cancel token was made for; raises InvalidToken or ExpiredToken.

    A closed request is returned as is: the caller says so (cancel_request refuses it)."""
    return _read(token, CANCEL_SALT, now)


def make_ics_token(appointment: AppointmentRequest) -> str:
    """A token for the .ics download only: sharing a calendar link never lets anyone cancel."""
    return _sign(appointment, ICS_SALT)


def read_ics_token(token: str, now: datetime | None = None) -> AppointmentRequest:
    return _read(token, ICS_SALT, now)


def absolute_url(path: str) -> str:
    """The public site's address for a path, for links sent by e-mail."""
    return settings.WAGTAILADMIN_BASE_URL.rstrip("/") + path


def cancel_url(appointment: AppointmentRequest) -> str:
    """The absolute cancel link in the family's language: /ar/annuler/<token>/ for Arabic."""
    with translation.override(appointment.language):
        return absolute_url(reverse("booking_cancel", args=[make_cancel_token(appointment)]))


def ics_url(appointment: AppointmentRequest) -> str:
    return absolute_url(reverse("booking_ics", args=[make_ics_token(appointment)]))


def cancel_request(
    appointment: AppointmentRequest, by_family: bool = True, user=None, reason: str = ""
) -> AppointmentRequest:
    """Cancel an active request, record it and queue the notifications, in one transaction.

    Raises RequestClosed when the request is no longer active (a double-clicked button, a
    second tab, a worker who closed it meanwhile). Returns the updated request and updates
    the instance passed in."""
    from forms.notifications import queue_request_cancelled

    Status = AppointmentRequest.Status
    with transaction.atomic():
        locked = AppointmentRequest.objects.select_for_update().get(pk=appointment.pk)
        if not locked.is_active:
            raise RequestClosed(locked.status)
        locked.status = Status.CANCELLED_FAMILY if by_family else Status.CANCELLED_SERVICE
        locked.closed_at = timezone.now()
        locked.save(update_fields=["status", "closed_at", "updated_at"])
        data = {"by": "family" if by_family else "service"}
        if reason:
            data["reason"] = reason
        locked.record(RequestEvent.Kind.CANCELLED, user=user, **data)
        queue_request_cancelled(locked, by_family=by_family)
    appointment.status, appointment.closed_at = locked.status, locked.closed_at
    return locked
