"""A referred family refuses contact (DESIGN.md rule 8: "the family is told who referred it
and can refuse"). Pure of requests and templates; the family's page calls it."""

from __future__ import annotations

from django.db import transaction
from django.utils import timezone

from forms.booking.cancel import RequestClosed
from forms.links import revoke_links
from forms.models import AppointmentRequest, Referral, RequestEvent
from forms.notifications.queueing import queue_contact_refused

__all__ = ["RequestClosed", "refuse_contact"]


def refuse_contact(appointment: AppointmentRequest, now=None) -> AppointmentRequest:
    """The family does not want to be contacted: the request is closed (cancelled by the
    family), the refusal recorded on the referral and the worker told, in one transaction.
    Raises RequestClosed when it is no longer active (a second click, a worker closed it)."""
    now = now or timezone.now()
    with transaction.atomic():
        locked = AppointmentRequest.objects.select_for_update().get(pk=appointment.pk)
        if not locked.is_active:
            raise RequestClosed(locked.status)
        locked.status = AppointmentRequest.Status.CANCELLED_FAMILY
        locked.closed_at = now
        locked.save(update_fields=["status", "closed_at", "updated_at"])
        Referral.objects.filter(request=locked).update(refused_at=now)
        locked.record(RequestEvent.Kind.REFUSED_CONTACT, by="family")
        revoke_links(locked, now=now)
        queue_contact_refused(locked)
    appointment.status, appointment.closed_at = locked.status, locked.closed_at
    return locked
