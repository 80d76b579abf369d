"""Every family link the portal sends: one way to make them, read them, revoke them and let
them expire.

A family has no account: what lets it act on its own appointment or evening registration is
a link carrying a token. The token is opaque: 24 random bytes (192 bits, 32 URL-safe
characters) that say nothing, neither the row, nor its reference, nor a time. Only its
SHA-256 is stored (a `LinkToken` row, with its purpose, the row it names, when it was made,
when it expires and when it was revoked); the token itself is in the link sent and nowhere
else, so a copy of the database opens no link. A token made for one purpose (the .ics
download) or one row never works for another.

The links:

- the cancel link of an appointment request (`/annuler/<token>/`, in the family's language);
- the .ics download of an appointment (`/rendez-vous/<token>.ics`): sharing a calendar link
  never lets anyone cancel;
- the cancel link of an evening registration (`/soirees/annuler/<token>/`);
- the page of a family a professional referred (`/orientation/<token>/`): who referred it,
  "book a slot", and "I don't want to be contacted", which closes the request;
- the short link of a text message (`/r/<token>`): random too (96 bits, a `ShortLink` row),
  it redirects to the appointment page or the evening registration above, in the family's
  language.

Why opaque: a signed `<pk>.<reference>:<time>` told whoever saw the link (a log, a Referer, a
shoulder) the request's number, its reference and when it was booked, and could not be revoked
short of changing SECRET_KEY. A random token says nothing and a row can be revoked.

How many rows: one per link made. A message makes its links when it is rendered (once per
sending attempt). The pages that show a link derive it from the secret they were opened with
(`seed`: an HMAC under SECRET_KEY of the purpose, the row and the seed): the appointment page's
.ics from the page's own token, the short link's redirect from the short link's, the referral
page's way to the booked appointment from the referral token, the confirmation pages' links
from the session that booked (only that browser sees them). The same page opened again gives
the same token and no new row: no visitor, scanner or reload grows the table. Derivation goes
one way, from the stronger secret to the weaker or equal link (cancel to .ics, short link to
the page it opens, session to its confirmation's links); a token never yields its seed.

The one expiry policy: a link works for LINK_MAX_AGE (90 days) after it was made, and only
until what it names is over: an appointment once it has started, an evening once it has
ended. Evening links are made afresh on every e-mail and on the confirmation page, so only a
registration taken more than 90 days before its evening loses its link's last days.

Revocation: closing a request (cancelled by the family or the service, refused contact, done,
no-show) or cancelling a registration revokes its tokens (`revoke_links`, called in the same
transaction by forms.booking.cancel, forms.referrals.refusal, forms.records.operations and
forms.evenings.registrations); a token made for a row already closed is made revoked. A revoked
token never acts again; it still reads back to its closed row, so that the page says what
became of it ("already cancelled"), as before; were the row open again, it raises
ExpiredToken. The retention command deletes the tokens with the request's or registration's
personal data, and those expired for more than LINK_MAX_AGE.

Links sent before opaque tokens (until 90 days after this version is deployed): they carried
`<pk>.<reference>` signed with Django's `TimestampSigner` under the salts below. The read
functions still accept that format (a token with a ":" in it), with its own 90 days counted
from its signature; no new link is signed. Once this version has been deployed for 90 days
every such link has expired: remove `_read_signed`, the salts and the `":"` branch of
`_read` then, with the tests that sign a legacy token (tests/forms/test_link_tokens.py,
test_cancel.py, test_referrals.py, test_link_privacy.py: grep for `_SALT`).

Reading a token raises InvalidToken (tampered, truncated, made for something else, naming no
row) or ExpiredToken (a subclass: genuine but too old, or what it names is over, or revoked
while what it names is still open). A closed request is returned as is: the caller says so.
"""

from __future__ import annotations

import base64
import hashlib
import secrets
from datetime import datetime, timedelta

from django.conf import settings
from django.core import signing
from django.db import models
from django.urls import reverse
from django.utils import timezone, translation
from django.utils.crypto import salted_hmac

from forms.models import AppointmentRequest, EveningRegistration, LinkToken, ShortLink

Purpose = LinkToken.Purpose
LINK_MAX_AGE = timedelta(days=90)
TOKEN_BYTES = 24
# The salts of the links signed before opaque tokens (legacy, see above).
CANCEL_SALT = "forms.cancel.appointment"
ICS_SALT = "forms.cancel.appointment-ics"
EVENING_CANCEL_SALT = "evening-cancel"
REFERRAL_SALT = "forms.referral.family"
LEGACY_SALTS = {
    Purpose.CANCEL: CANCEL_SALT,
    Purpose.ICS: ICS_SALT,
    Purpose.EVENING_CANCEL: EVENING_CANCEL_SALT,
    Purpose.REFERRAL: REFERRAL_SALT,
}


class InvalidToken(Exception):
    """Tampered, truncated, made for something else, or for a row that no longer exists."""


class ExpiredToken(InvalidToken):
    """Older than LINK_MAX_AGE, or what it names is over (the appointment started, the evening
    ended), or revoked while what it names is still open."""


def token_digest(token: str) -> str:
    """What is stored of a token: its SHA-256, in hexadecimal."""
    return hashlib.sha256(token.encode()).hexdigest()


def _owner(row: AppointmentRequest | EveningRegistration) -> dict:
    return {"registration": row} if isinstance(row, EveningRegistration) else {"request": row}


def _is_open(row: AppointmentRequest | EveningRegistration) -> bool:
    if isinstance(row, EveningRegistration):
        return row.status != EveningRegistration.Status.CANCELLED
    return row.is_active


def _make(purpose: str, row, now: datetime | None = None, seed: str | None = None) -> str:
    """A new token for `row` and its LinkToken row. With `seed` (a token the caller was opened
    with), the token is derived from it: the same seed gives the same token and one row."""
    now = now or timezone.now()
    if seed is None:
        token = secrets.token_urlsafe(TOKEN_BYTES)
    else:
        kind = "registration" if isinstance(row, EveningRegistration) else "request"
        mac = salted_hmac("forms.links.derived", f"{purpose}:{kind}:{row.pk}:{seed}", algorithm="sha256")
        token = base64.urlsafe_b64encode(mac.digest()[:TOKEN_BYTES]).decode()
    link = LinkToken(purpose=purpose, digest=token_digest(token), created_at=now, expires_at=now + LINK_MAX_AGE)
    if not _is_open(row):  # a closed row's page only says so (a short link followed after closing)
        link.revoked_at = now
    for name, value in _owner(row).items():
        setattr(link, name, value)
    # A derived token's row may exist already (the page opened again): nothing to add then.
    LinkToken.objects.bulk_create([link], ignore_conflicts=seed is not None)
    return token


def _read(purpose: str, token: str, now: datetime | None, model: type[models.Model], related: str):
    """The `model` row a token names, with `related` (what its page shows) in the same query;
    or InvalidToken / ExpiredToken (age and revocation only)."""
    if ":" in token:
        return _read_signed(LEGACY_SALTS[purpose], token, model.objects.select_related(related))
    if not token or len(token) > 64:
        raise InvalidToken
    owner = "registration" if model is EveningRegistration else "request"
    link = (
        LinkToken.objects.select_related(f"{owner}__{related}")
        .filter(purpose=purpose, digest=token_digest(token))
        .first()
    )
    if link is None:
        raise InvalidToken
    if (now or timezone.now()) >= link.expires_at:
        raise ExpiredToken
    row = getattr(link, owner)
    if link.revoked_at is not None and _is_open(row):
        raise ExpiredToken
    return row


def _read_signed(salt: str, token: str, rows: models.QuerySet):
    """A link signed before opaque tokens (legacy: remove 90 days after this version is deployed)."""
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


def _appointment(purpose: str, token: str, now: datetime | None) -> AppointmentRequest:
    appointment = _read(purpose, token, now, AppointmentRequest, "assigned_worker")
    if appointment.slot_start is not None and appointment.slot_start <= (now or timezone.now()):
        raise ExpiredToken
    return appointment


def revoke_links(row: AppointmentRequest | EveningRegistration, now: datetime | None = None) -> int:
    """Revoke every token of a request or registration that was just closed or cancelled (call
    in the closing transaction); returns how many. Its links then never act again."""
    return LinkToken.objects.filter(**_owner(row), revoked_at__isnull=True).update(revoked_at=now or timezone.now())


# An appointment request


def make_cancel_token(appointment: AppointmentRequest, now: datetime | None = None) -> str:
    return _make(Purpose.CANCEL, appointment, now)


def read_cancel_token(token: str, now: datetime | None = None) -> AppointmentRequest:
    """The request a cancel token was made for; raises InvalidToken or ExpiredToken.

    A closed request is returned as is: the caller says so (cancel_request refuses it)."""
    return _appointment(Purpose.CANCEL, token, now)


def make_ics_token(appointment: AppointmentRequest, now: datetime | None = None) -> str:
    """A token for the .ics download only: sharing a calendar link never lets anyone cancel."""
    return _make(Purpose.ICS, appointment, now)


def read_ics_token(token: str, now: datetime | None = None) -> AppointmentRequest:
    return _appointment(Purpose.ICS, token, now)


def make_referral_token(appointment: AppointmentRequest, now: datetime | None = None) -> str:
    """The link of a referred family's page (forms.referrals.views.family_page)."""
    return _make(Purpose.REFERRAL, appointment, now)


def read_referral_token(token: str, now: datetime | None = None) -> AppointmentRequest:
    """The referred request a token names; raises InvalidToken or ExpiredToken (the same
    policy as every link). A closed request is returned as is: the page says so."""
    appointment = _appointment(Purpose.REFERRAL, token, now)
    if not appointment.is_referral:
        raise InvalidToken
    return appointment


# An evening registration


def make_evening_cancel_token(registration: EveningRegistration, now: datetime | None = None) -> str:
    return _make(Purpose.EVENING_CANCEL, registration, now)


def read_evening_cancel_token(token: str, now: datetime | None = None) -> EveningRegistration:
    """The registration a cancel link names; raises InvalidToken or ExpiredToken (too old, or
    the evening is over). A cancelled registration is returned as is: the page says so."""
    registration = _read(Purpose.EVENING_CANCEL, token, now, EveningRegistration, "evening")
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
    its evening registration, with a token derived from the short link's (one row however
    often the text message's link is followed)."""
    row = link.request or link.registration
    with translation.override(row.language):
        if link.request_id is not None and link.request.is_referral and link.request.slot_start is None:
            return referral_path(link.request, seed=link.token)
        if link.request_id is not None:
            return cancel_path(link.request, seed=link.token)
        return evening_cancel_path(link.registration, seed=link.token)


# The addresses


def absolute_url(path: str) -> str:
    """The public site's address for a path, for links sent by e-mail."""
    return settings.WAGTAILADMIN_BASE_URL.rstrip("/") + path


def cancel_path(appointment: AppointmentRequest, seed: str | None = None) -> str:
    """The cancel link's path in the active language (`seed`: the token of the link the
    caller was opened with, see the module's docstring)."""
    return reverse("booking_cancel", args=[_make(Purpose.CANCEL, appointment, seed=seed)])


def cancel_url(appointment: AppointmentRequest) -> str:
    """The absolute cancel link in the family's language: /ar/annuler/<token>/ for Arabic."""
    with translation.override(appointment.language):
        return absolute_url(cancel_path(appointment))


def referral_path(appointment: AppointmentRequest, seed: str | None = None) -> str:
    """The referred family's page in the active language."""
    return reverse("referral_family", args=[_make(Purpose.REFERRAL, appointment, seed=seed)])


def referral_url(appointment: AppointmentRequest, slots: bool = False) -> str:
    """The absolute link to the referred family's page (`slots`: its slot choice), in the
    family's language."""
    with translation.override(appointment.language):
        token = make_referral_token(appointment)
        return absolute_url(reverse("referral_slots" if slots else "referral_family", args=[token]))


def ics_path(appointment: AppointmentRequest, seed: str | None = None) -> str:
    """The .ics download's path (`seed`: the appointment page's own token, so that showing
    the page again makes no new row)."""
    return reverse("booking_ics", args=[_make(Purpose.ICS, appointment, seed=seed)])


def ics_url(appointment: AppointmentRequest) -> str:
    return absolute_url(ics_path(appointment))


def evening_cancel_path(registration: EveningRegistration, seed: str | None = None) -> str:
    """The cancel link's path in the active language (the confirmation page)."""
    return reverse("evening_cancel", kwargs={"token": _make(Purpose.EVENING_CANCEL, registration, seed=seed)})


def evening_cancel_url(registration: EveningRegistration) -> str:
    """The absolute cancel link in the family's language (the e-mails)."""
    with translation.override(registration.language):
        return absolute_url(evening_cancel_path(registration))
