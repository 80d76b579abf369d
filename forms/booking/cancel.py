"""Cancelling an appointment request, by the family (its cancel link, see forms.links) or
by the service (the admin).

The slot is held by a unique constraint over *active* statuses only, so the moment the
status turns to cancelled the slot is free for the next family.
"""

from __future__ import annotations

from django.db import transaction
from django.utils import timezone

from forms.links import revoke_links
from forms.models import AppointmentRequest, RequestEvent
from forms.notifications.queueing import queue_request_cancelled


class RequestClosed(Exception):
    """The request is already cancelled, done or marked as a no-show."""


def cancel_request(
    appointment: AppointmentRequest, by_family: bool = True, user=None, reason: str = ""
) -> AppointmentRequest:
    """Cancel an active request, record it and queue the notifications, in one transaction.

    Raises RequestClosed when the request is no longer active (a double-clicked button, a
    second tab, a worker who closed it meanwhile). Returns the updated request and updates
    the instance passed in."""
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
        revoke_links(locked, now=locked.closed_at)  # its links never act again
        queue_request_cancelled(locked, by_family=by_family)
    appointment.status, appointment.closed_at = locked.status, locked.closed_at
    return locked
