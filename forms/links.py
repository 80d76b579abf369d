"""Every signed link the portal sends: one way to make them, read them and let them expire.

A family has no account: what lets it act on its own appointment or evening registration is
a link that carries `<pk>.<reference>` signed with Django's `TimestampSigner`, under a salt
used for nothing else. The pk as well as the reference: a short reference can come back once
an old row is deleted, and the old link must not name the new one. A token made for one
purpose (the .ics download) or one row never works for another.

The links:

- the cancel link of an appointment request (`/annuler/<token>/`, in the family's language);
- the .ics download of an appointment (`/rendez-vous/<token>.ics`): sharing a calendar link
  never lets anyone cancel;
- the cancel link of an evening registration (`/soirees/annuler/<token>/`);
- the page of a family a professional referred (`/orientation/<token>/`): who referred it,
  "book a slot", and "I don't want to be contacted", which closes the request;
- the short link of a text message (`/r/<token>`): not signed but random (96 bits, a
  `ShortLink` row), it redirects to the appointment page or the evening registration above,
  in the family's language, signed afresh.

The one expiry policy: a link works for LINK_MAX_AGE (90 days) after it was signed, and only
until what it names is over: an appointment once it has started, an evening once it has
ended. Before there was one module, appointment links had this policy and evening links had
no age limit at all (only the end of the evening); the longer policy could not be kept for
both, since an appointment link must stop after 90 days (a test pins it) and a link to
someone's personal details should not stay valid for ever. Evening links are re-signed on
every e-mail and on the confirmation page, so only a registration taken more than 90 days
before its evening loses its link's last days. The salts are unchanged, so the links already
sent keep working.

Reading a token raises InvalidToken (tampered, truncated, signed for something else, naming
no row) or ExpiredToken (a subclass: genuine but too old, or what it names is over). A
closed request is returned as is: the caller says so.
"""

from __future__ import annotations

from datetime import datetime, timedelta

from django.conf import settings
from django.core import signing
from django.db import models
from django.urls import reverse
from django.utils import timezone, translation

from forms.models import AppointmentRequest, EveningRegistration, ShortLink

CANCEL_SALT = "forms.cancel.appointment"
ICS_SALT = "forms.cancel.appointment-ics"
EVENING_CANCEL_SALT = "evening-cancel"
REFERRAL_SALT = "forms.referral.family"
LINK_MAX_AGE = timedelta(days=90)


class InvalidToken(Exception):
    """Tampered, truncated, made for something else, or for a row that no longer exists."""


class ExpiredToken(InvalidToken):
    """Older than LINK_MAX_AGE, or what it names is over (the appointment started, the evening ended)."""


def _sign(salt: str, row: AppointmentRequest | EveningRegistration) -> str:
    return signing.TimestampSigner(salt=salt).sign(f"{row.pk}.{row.reference}")


def _read(salt: str, token: str, rows: models.QuerySet):
    """The row of `rows` a token names, or InvalidToken / ExpiredToken (age only)."""
    try:
        value = signing.TimestampSigner(salt=salt).unsign(token, max_age=LINK_MAX_AGE)
    except signing.SignatureExpired as error:
        raise ExpiredToken from error
    except signing.BadSignature as error:
        raise InvalidToken from error
    pk, _dot, reference = value.partition(".")
    if not pk.isdigit():
        raise InvalidToken
    row = rows.filter(pk=int(pk), reference=reference).first()
    if row is None:
        raise InvalidToken
    return row


def _appointment(salt: str, token: str, now: datetime | None) -> AppointmentRequest:
    appointment = _read(salt, token, AppointmentRequest.objects.select_related("assigned_worker"))
    if appointment.slot_start is not None and appointment.slot_start <= (now or timezone.now()):
        raise ExpiredToken
    return appointment


# An appointment request


def make_cancel_token(appointment: AppointmentRequest) -> str:
    return _sign(CANCEL_SALT, appointment)


def read_cancel_token(token: str, now: datetime | None = None) -> AppointmentRequest:
    """The request a cancel token was made for; raises InvalidToken or ExpiredToken.

    A closed request is returned as is: the caller says so (cancel_request refuses it)."""
    return _appointment(CANCEL_SALT, token, now)


def make_ics_token(appointment: AppointmentRequest) -> str:
    """A token for the .ics download only: sharing a calendar link never lets anyone cancel."""
    return _sign(ICS_SALT, appointment)


def read_ics_token(token: str, now: datetime | None = None) -> AppointmentRequest:
    return _appointment(ICS_SALT, token, now)


def make_referral_token(appointment: AppointmentRequest) -> str:
    """The link of a referred family's page (forms.referrals.views.family_page)."""
    return _sign(REFERRAL_SALT, appointment)


def read_referral_token(token: str, now: datetime | None = None) -> AppointmentRequest:
    """The referred request a token names; raises InvalidToken or ExpiredToken (the same
    policy as every link). A closed request is returned as is: the page says so."""
    appointment = _appointment(REFERRAL_SALT, token, now)
    if not appointment.is_referral:
        raise InvalidToken
    return appointment


# An evening registration


def make_evening_cancel_token(registration: EveningRegistration) -> str:
    return _sign(EVENING_CANCEL_SALT, registration)


def read_evening_cancel_token(token: str, now: datetime | None = None) -> EveningRegistration:
    """The registration a cancel link names; raises InvalidToken or ExpiredToken (too old, or
    the evening is over)."""
    registration = _read(EVENING_CANCEL_SALT, token, EveningRegistration.objects.select_related("evening"))
    if (now or timezone.now()) >= registration.evening.ends_at:
        raise ExpiredToken
    return registration


# The short link of a text message


def _short_link_over(link: ShortLink, now: datetime) -> bool:
    if now - link.created_at > LINK_MAX_AGE:
        return True
    if link.request_id is not None:
        start = link.request.slot_start
        return start is not None and start <= now
    return now >= link.registration.evening.ends_at


def short_link(row: AppointmentRequest | EveningRegistration, now: datetime | None = None) -> ShortLink:
    """The row's short link: the newest one still valid, or a new one."""
    now = now or timezone.now()
    owner = {"registration": row} if isinstance(row, EveningRegistration) else {"request": row}
    link = ShortLink.objects.filter(**owner, created_at__gt=now - LINK_MAX_AGE).order_by("-created_at").first()
    if link is None:
        link = ShortLink.objects.create(**owner, created_at=now)
    return link


def short_url(row: AppointmentRequest | EveningRegistration) -> str:
    """The absolute short link for a text message: https://<site>/r/<token>."""
    return absolute_url(reverse("short_link", args=[short_link(row).token]))


def read_short_token(token: str, now: datetime | None = None) -> ShortLink:
    """The short link of a token; raises InvalidToken (no such link) or ExpiredToken (older
    than LINK_MAX_AGE, or what it names is over). `link.request` or `link.registration`."""
    link = (
        ShortLink.objects.select_related("request", "registration__evening").filter(token=token).first()
        if token
        else None
    )
    if link is None:
        raise InvalidToken
    if _short_link_over(link, now or timezone.now()):
        expired = ExpiredToken()
        expired.language = (link.request or link.registration).language  # the page says so in it
        raise expired
    return link


def short_link_target(link: ShortLink) -> str:
    """Where a short link leads (a path), in the family's language: its appointment page or
    its evening registration, with a freshly signed token."""
    row = link.request or link.registration
    with translation.override(row.language):
        if link.request_id is not None and link.request.is_referral and link.request.slot_start is None:
            return referral_path(link.request)
        if link.request_id is not None:
            return cancel_path(link.request)
        return evening_cancel_path(link.registration)


# The addresses


def absolute_url(path: str) -> str:
    """The public site's address for a path, for links sent by e-mail."""
    return settings.WAGTAILADMIN_BASE_URL.rstrip("/") + path


def cancel_path(appointment: AppointmentRequest) -> str:
    """The cancel link's path in the active language."""
    return reverse("booking_cancel", args=[make_cancel_token(appointment)])


def cancel_url(appointment: AppointmentRequest) -> str:
    """The absolute cancel link in the family's language: /ar/annuler/<token>/ for Arabic."""
    with translation.override(appointment.language):
        return absolute_url(cancel_path(appointment))


def referral_path(appointment: AppointmentRequest) -> str:
    """The referred family's page in the active language."""
    return reverse("referral_family", args=[make_referral_token(appointment)])


def referral_url(appointment: AppointmentRequest, slots: bool = False) -> str:
    """The absolute link to the referred family's page (`slots`: its slot choice), in the
    family's language."""
    with translation.override(appointment.language):
        if slots:
            return absolute_url(reverse("referral_slots", args=[make_referral_token(appointment)]))
        return absolute_url(referral_path(appointment))


def ics_path(appointment: AppointmentRequest) -> str:
    return reverse("booking_ics", args=[make_ics_token(appointment)])


def ics_url(appointment: AppointmentRequest) -> str:
    return absolute_url(ics_path(appointment))


def evening_cancel_path(registration: EveningRegistration) -> str:
    """The cancel link's path in the active language (the confirmation page)."""
    return reverse("evening_cancel", kwargs={"token": make_evening_cancel_token(registration)})


def evening_cancel_url(registration: EveningRegistration) -> str:
    """The absolute cancel link in the family's language (the e-mails)."""
    with translation.override(registration.language):
        return absolute_url(evening_cancel_path(registration))
