"""Family links carry opaque tokens (issue 17): random, saying nothing, stored only as a
SHA-256, refused when tampered, expired or revoked, never acting twice, gone with the family's
data, kept out of the logs; the links signed before keep working for their 90 days."""

from __future__ import annotations

import base64
import hashlib
import io
import logging
import re
import time as time_module
from datetime import timedelta
from unittest import mock

import pytest
from django.apps import apps
from django.core import signing
from django.db import models
from django.test import Client
from django.urls import reverse
from django.utils import timezone

from forms import links
from forms.booking.cancel import cancel_request
from forms.booking.views import DONE_KEY
from forms.evenings.registrations import cancel as cancel_registration
from forms.evenings.views import SESSION_KEY as EVENING_SESSION_KEY
from forms.link_paths import REDACTED, RedactTokens
from forms.models import AppointmentRequest, EveningRegistration, LinkToken, Notification, Referral, RequestEvent
from forms.records import operations
from forms.records.retention import anonymise, anonymise_registrations, purge_personal_data
from tests.factories import AppointmentRequestFactory, EveningRegistrationFactory, UserFactory, make_worker
from tests.helpers import parse

pytestmark = pytest.mark.django_db
DAY = 24 * 3600
TOKEN = re.compile(r"[A-Za-z0-9_-]{32}")


@pytest.fixture
def appointment():
    start = timezone.now() + timedelta(days=5)
    return AppointmentRequestFactory(assigned_worker=make_worker("Mme Leroy"), slot_start=start, status="scheduled")


@pytest.fixture
def registration():
    return EveningRegistrationFactory(evening__date=timezone.localdate() + timedelta(days=10))


def every_token(appointment, registration):
    return {
        "cancel": (links.make_cancel_token(appointment), links.read_cancel_token, appointment),
        "ics": (links.make_ics_token(appointment), links.read_ics_token, appointment),
        "evening": (links.make_evening_cancel_token(registration), links.read_evening_cancel_token, registration),
    }


def tampered(token, at):
    return token[:at] + ("A" if token[at] != "A" else "B") + token[at + 1 :]


def legacy(salt, row, days_ago=0):
    """A link as signed before opaque tokens, `days_ago` days ago."""
    with mock.patch("time.time", return_value=time_module.time() - days_ago * DAY):
        return signing.TimestampSigner(salt=salt).sign(f"{row.pk}.{row.reference}")


# What a token says


def test_a_token_says_nothing_and_is_new_each_time(appointment, registration):
    moment = signing.b62_encode(int(time_module.time()))
    tokens = [token for token, _read, _row in every_token(appointment, registration).values()]
    tokens += [links.make_cancel_token(appointment) for _ in range(3)]
    assert len(set(tokens)) == len(tokens)
    for token in tokens:
        assert TOKEN.fullmatch(token), token
        raw = base64.urlsafe_b64decode(token)
        assert len(raw) == links.TOKEN_BYTES >= 16  # at least 128 random bits
        named = (f"{appointment.pk}.{appointment.reference}", appointment.reference, registration.reference, moment)
        for secret in named:
            assert secret not in token and secret.encode() not in raw
        assert ":" not in token and "." not in token


def test_the_database_holds_the_digests_and_never_a_token(appointment, registration):
    tokens = {name: token for name, (token, _read, _row) in every_token(appointment, registration).items()}
    tokens["referral"] = links.make_referral_token(appointment)
    stored = set(LinkToken.objects.values_list("digest", flat=True))
    assert stored == {hashlib.sha256(token.encode()).hexdigest() for token in tokens.values()}
    for model in apps.get_models():
        for field in model._meta.concrete_fields:
            if isinstance(field, models.CharField | models.TextField):
                for token in tokens.values():
                    assert not model.objects.filter(**{f"{field.name}__contains": token}).exists(), (model, field)


# Refused


@pytest.mark.parametrize("at", [0, 15, -1])
def test_a_token_with_one_character_changed_is_refused(appointment, registration, at):
    for token, read, _row in every_token(appointment, registration).values():
        with pytest.raises(links.InvalidToken):
            read(tampered(token, at))
        with pytest.raises(links.InvalidToken):
            read(token[:-1])
    with pytest.raises(links.InvalidToken):
        links.read_cancel_token("x" * 5000)


def test_a_tampered_link_changes_nothing_on_the_page(client, appointment):
    token = links.make_cancel_token(appointment)
    response = client.post(reverse("booking_cancel", args=[tampered(token, 10)]))
    assert response.status_code == 400
    assert "Lien d'annulation non valable" in response.text
    appointment.refresh_from_db()
    assert appointment.is_active


def test_a_token_expires_ninety_days_after_it_was_made(appointment):
    far = timezone.now() + timedelta(days=120)  # what the links name is not over by then
    AppointmentRequest.objects.filter(pk=appointment.pk).update(slot_start=far, slot_end=far + timedelta(hours=1))
    registration = EveningRegistrationFactory(evening__date=far.date())
    for token, read, row in every_token(appointment, registration).values():
        later = timezone.now() + links.LINK_MAX_AGE
        assert read(token, now=later - timedelta(minutes=1)) == row
        with pytest.raises(links.ExpiredToken):
            read(token, now=later + timedelta(minutes=1))


def test_a_token_expires_when_what_it_names_is_over(appointment, registration):
    cancel = links.make_cancel_token(appointment)
    evening = links.make_evening_cancel_token(registration)
    with pytest.raises(links.ExpiredToken):
        links.read_cancel_token(cancel, now=appointment.slot_start)
    with pytest.raises(links.ExpiredToken):
        links.read_evening_cancel_token(evening, now=registration.evening.ends_at)


# Used once


def test_a_cancel_link_cannot_cancel_twice_and_then_says_it_is_already_cancelled(client, appointment):
    path = reverse("booking_cancel", args=[links.make_cancel_token(appointment)])
    assert client.post(path).status_code == 200
    told = Notification.objects.count()
    assert not LinkToken.objects.filter(request=appointment, revoked_at__isnull=True).exists()
    for response in (client.post(path), client.get(path), client.post(path + "deplacer/", {"slot": "x"})):
        assert response.status_code == 410
        assert f"Le rendez-vous {appointment.reference} est déjà annulé." in response.text
    assert RequestEvent.objects.filter(request=appointment, kind=RequestEvent.Kind.CANCELLED).count() == 1
    assert Notification.objects.count() == told


def test_an_evening_cancel_link_says_it_is_cancelled_and_cancels_once(client, registration):
    path = reverse("evening_cancel", args=[links.make_evening_cancel_token(registration)])
    assert client.post(path).status_code == 302
    registration.refresh_from_db()
    cancelled_at = registration.cancelled_at
    assert client.post(path).status_code == 302
    page = client.get(path)
    assert page.status_code == 200 and page.context["cancelled"]
    registration.refresh_from_db()
    assert registration.cancelled_at == cancelled_at
    assert not LinkToken.objects.filter(registration=registration, revoked_at__isnull=True).exists()


# Revoked


def test_closing_a_request_revokes_its_links(appointment):
    staff = UserFactory()
    others = [
        AppointmentRequestFactory(assigned_worker=appointment.assigned_worker, slot_start=appointment.slot_start + d)
        for d in (timedelta(days=1), timedelta(days=2))
    ]
    for request in [appointment, *others]:
        links.make_cancel_token(request)
        links.make_ics_token(request)
    cancel_request(appointment)
    operations.mark_done(others[0], staff)
    operations.mark_no_show(others[1], staff)
    for request in [appointment, *others]:
        assert LinkToken.objects.filter(request=request).count() == 2
        assert not LinkToken.objects.filter(request=request, revoked_at__isnull=True).exists()


def test_a_referred_family_refusing_contact_revokes_its_page_and_the_page_says_so(client):
    referred = AppointmentRequestFactory(source=AppointmentRequest.Source.PARTNER)
    Referral.objects.create(
        request=referred,
        referrer_name="Nadia Perrin",
        referrer_role=Referral.Role.SOCIAL_CENTRE,
        referrer_email="n.perrin@example.org",
        parent_agreement_at=timezone.now(),
    )
    path = reverse("referral_family", args=[links.make_referral_token(referred)])
    assert client.post(path).status_code == 200
    assert LinkToken.objects.get(request=referred).revoked_at is not None
    for response in (client.get(path), client.post(path)):
        assert response.status_code == 410
        assert referred.reference in response.text
    assert RequestEvent.objects.filter(request=referred, kind=RequestEvent.Kind.REFUSED_CONTACT).count() == 1


def test_a_short_link_followed_after_closing_makes_a_revoked_token_and_a_closed_page(client, appointment):
    short = links.short_url(appointment).rsplit("/", 1)[1]
    cancel_request(appointment)
    target = client.get(reverse("short_link", args=[short]))["Location"]
    assert LinkToken.objects.get(request=appointment).revoked_at is not None
    response = client.get(target)
    assert response.status_code == 410
    assert f"Le rendez-vous {appointment.reference} est déjà annulé." in response.text


def test_cancelling_a_registration_revokes_its_links(registration):
    links.make_evening_cancel_token(registration)
    cancel_registration(registration)
    assert LinkToken.objects.get(registration=registration).revoked_at == registration.cancelled_at


def test_a_revoked_link_of_an_open_request_no_longer_works(client, appointment):
    token = links.make_cancel_token(appointment)
    ics = links.make_ics_token(appointment)
    links.revoke_links(appointment)
    with pytest.raises(links.ExpiredToken):
        links.read_cancel_token(token)
    response = client.post(reverse("booking_cancel", args=[token]))
    assert response.status_code == 410
    assert "Lien d'annulation expiré" in response.text
    assert client.get(reverse("booking_ics", args=[ics])).status_code == 404
    appointment.refresh_from_db()
    assert appointment.is_active
    assert client.get(links.cancel_path(appointment)).status_code == 200  # a new link works


def test_the_retention_purge_deletes_the_links_with_the_familys_data(client, appointment, registration):
    token = links.make_cancel_token(appointment)
    evening = links.make_evening_cancel_token(registration)
    cancel_request(appointment)
    anonymise([appointment.pk])
    anonymise_registrations([registration.pk])
    assert not LinkToken.objects.exists()
    with pytest.raises(links.InvalidToken):
        links.read_cancel_token(token)
    with pytest.raises(links.InvalidToken):
        links.read_evening_cancel_token(evening)
    assert client.get(reverse("booking_cancel", args=[token])).status_code == 400


def test_the_purge_forgets_tokens_long_expired_and_keeps_the_others(appointment):
    kept = links.make_cancel_token(appointment, now=timezone.now() - timedelta(days=100))
    links.make_cancel_token(appointment, now=timezone.now() - timedelta(days=181))
    purge_personal_data()
    assert list(LinkToken.objects.values_list("digest", flat=True)) == [links.token_digest(kept)]
    with pytest.raises(links.ExpiredToken):  # still says "expired", not "not a link"
        links.read_cancel_token(kept)


# Pages that make links: no row per view


def test_the_appointment_page_gives_one_calendar_link_however_often_it_is_opened(client, appointment):
    path = links.cancel_path(appointment)
    first = client.get(path).context["ics_url"]
    before = LinkToken.objects.count()
    assert [client.get(path).context["ics_url"] for _ in range(3)] == [first] * 3
    assert LinkToken.objects.count() == before
    assert client.get(first).status_code == 200
    ics = first.rsplit("/", 1)[1].removesuffix(".ics")
    assert client.get(reverse("booking_cancel", args=[ics])).status_code == 400  # it never cancels


def test_a_short_link_followed_again_leads_to_the_same_page_and_one_row(client, appointment):
    short = links.short_url(appointment).rsplit("/", 1)[1]
    targets = [client.get(reverse("short_link", args=[short]))["Location"] for _ in range(3)]
    assert len(set(targets)) == 1
    assert LinkToken.objects.filter(request=appointment).count() == 1
    assert client.get(targets[0]).status_code == 200


def confirmation_links(client, name, key, row):
    session = client.session
    session[key] = [row.reference]
    session.save()
    page = parse(client.get(reverse(name, args=[row.reference])))
    return [a["href"] for a in page.select("main a[href*='/annuler/']")]


def test_a_confirmation_page_reloaded_shows_the_same_links_and_makes_no_row(client, appointment, registration):
    for name, key, row in [
        ("booking_done", DONE_KEY, appointment),
        ("evening_done", EVENING_SESSION_KEY, registration),
    ]:
        first = confirmation_links(client, name, key, row)
        before = LinkToken.objects.count()
        assert first and confirmation_links(client, name, key, row) == first
        assert LinkToken.objects.count() == before
        other = Client()  # another browser that booked it (the session is the seed)
        assert confirmation_links(other, name, key, row) != first
    assert client.get(first[0]).status_code == 200


# Links signed before opaque tokens (remove with forms.links._read_signed)


def test_a_link_signed_before_still_works_for_its_ninety_days(client, appointment, registration):
    assert links.read_cancel_token(legacy(links.CANCEL_SALT, appointment, days_ago=89)) == appointment
    assert links.read_ics_token(legacy(links.ICS_SALT, appointment, days_ago=89)) == appointment
    evening = legacy(links.EVENING_CANCEL_SALT, registration, days_ago=89)
    assert links.read_evening_cancel_token(evening) == registration
    for salt, read, row in [
        (links.CANCEL_SALT, links.read_cancel_token, appointment),
        (links.EVENING_CANCEL_SALT, links.read_evening_cancel_token, registration),
    ]:
        with pytest.raises(links.ExpiredToken):
            read(legacy(salt, row, days_ago=91))
        with pytest.raises(links.InvalidToken):
            read(tampered(legacy(salt, row), -1))
    path = reverse("booking_cancel", args=[legacy(links.CANCEL_SALT, appointment, days_ago=30)])
    assert client.get(path).status_code == 200
    assert client.post(path).status_code == 200
    assert client.post(path).status_code == 410  # closed: no second cancel
    assert LinkToken.objects.filter(purpose=LinkToken.Purpose.CANCEL).count() == 0  # no token made for it


def test_new_links_are_never_signed(appointment, registration):
    for url in (links.cancel_url(appointment), links.evening_cancel_url(registration), links.ics_url(appointment)):
        assert ":" not in url.removeprefix("http://") and TOKEN.search(url), url


# Logs


def test_a_refused_link_is_logged_without_its_token(client, appointment):
    """Django logs the path of every 4xx at WARNING ("Gone: /annuler/<token>/"), should an
    operator lower django.request's level: through the filter."""
    logger = logging.getLogger("django.request")
    handler = next(h for h in logger.handlers if any(isinstance(f, RedactTokens) for f in h.filters))
    token = links.make_cancel_token(appointment)
    cancel_request(appointment)
    stream = io.StringIO()
    previous, level = handler.setStream(stream), logger.level
    logger.setLevel(logging.WARNING)
    try:
        assert client.get(reverse("booking_cancel", args=[token])).status_code == 410
    finally:
        handler.setStream(previous)
        logger.setLevel(level)
    written = stream.getvalue()
    assert "/annuler/" in written and REDACTED in written
    assert token not in written


def test_a_cancelled_registrations_row_stays_for_its_page(registration):
    """The evening link reads back to the cancelled registration: its page says so."""
    token = links.make_evening_cancel_token(registration)
    cancel_registration(registration)
    assert links.read_evening_cancel_token(token).status == EveningRegistration.Status.CANCELLED
