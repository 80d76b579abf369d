"""A second booking by the same family: the same phone number with another active request at
the same school (the one rule; the queue, the request page and the family's confirmation ask
it).

Anyone can type a phone number, so the visitor is never told that a number has another
appointment: the booking is accepted as any other, both requests are flagged to the worker
("Doublon probable") and the family's own confirmation message, which goes to that phone
or address, names the other appointment with its link, so that the family can cancel one.

Phone numbers are stored in E.164 by the forms (forms.phone), so the same number written two
ways is one number here."""

from __future__ import annotations

from django.db.models import Exists, OuterRef, QuerySet

from forms.models import AppointmentRequest


def _same_family(phone, school) -> QuerySet:
    return AppointmentRequest.objects.filter(
        phone=phone,
        school=school,
        status__in=AppointmentRequest.ACTIVE_STATUSES,
        anonymised_at__isnull=True,
    ).exclude(phone="")


def other_appointments(request: AppointmentRequest) -> QuerySet:
    """The other active requests of the same phone number at the same school, oldest first."""
    if not request.phone or request.school_id is None:
        return AppointmentRequest.objects.none()
    return _same_family(request.phone, request.school_id).exclude(pk=request.pk).order_by("created_at", "pk")


def with_duplicate_flag(requests: QuerySet) -> QuerySet:
    """Requests annotated `probable_duplicate`: another active request of the same number at
    the same school exists (both are flagged)."""
    others = _same_family(OuterRef("phone"), OuterRef("school")).exclude(pk=OuterRef("pk"))
    return requests.annotate(probable_duplicate=Exists(others))
