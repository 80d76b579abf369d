"""The cancel link: made for one request, expiring, asks for confirmation, frees the slot,
tells the worker, speaks the family's language, and never answers a bad link with a 500."""

import secrets
from datetime import datetime, time, timedelta

import icalendar
import pytest
from django.core import mail, signing
from django.db import IntegrityError, transaction
from django.urls import reverse
from django.utils import timezone, translation

from forms.booking.cancel import RequestClosed, cancel_request
from forms.links import (
    CANCEL_SALT,
    ExpiredToken,
    InvalidToken,
    cancel_url,
    make_cancel_token,
    make_ics_token,
    read_cancel_token,
)
from forms.models import AppointmentRequest, Notification, RequestEvent
from services.schedule import PARIS
from tests.factories import AppointmentRequestFactory, make_site, make_worker
from tests.helpers import html_attributes, parse

pytestmark = pytest.mark.django_db


def in_days(days, hour=9, minute=0):
    day = timezone.localtime(timezone.now(), PARIS).date() + timedelta(days=days)
    return datetime.combine(day, time(hour, minute), tzinfo=PARIS)


class FatimasAppointment(AppointmentRequestFactory):
    """Fatima Benali's appointment at the school's office, the one these tests cancel."""

    class Params:
        at_school = True

    reason = AppointmentRequest.Reason.HEALTH
    parent_name = "Fatima Benali"
    phone = "0612345678"
    email = "fatima@example.org"
    captcha = AppointmentRequest.Captcha.NOT_CONFIGURED


def cancel_path(appointment, language=None):
    with translation.override(language or appointment.language):
        return reverse("booking_cancel", args=[make_cancel_token(appointment)])


@pytest.fixture(autouse=True)
def site():
    return make_site()


@pytest.fixture
def worker():
    return make_worker("Mme Leroy", email="c.leroy@ccas.example.fr")


@pytest.fixture
def appointment(worker):
    return FatimasAppointment(assigned_worker=worker, slot_start=in_days(3))


# Tokens


def test_a_token_reads_back_to_its_request(appointment):
    assert read_cancel_token(make_cancel_token(appointment)) == appointment


def test_a_tampered_token_is_refused(appointment):
    token = make_cancel_token(appointment)
    tampered = token[:-1] + ("A" if token[-1] != "A" else "B")
    with pytest.raises(InvalidToken):
        read_cancel_token(tampered)
    with pytest.raises(InvalidToken):
        read_cancel_token("not-a-token")


def test_a_token_for_another_request_or_purpose_is_refused(worker, appointment):
    other = FatimasAppointment(assigned_worker=worker, slot_start=in_days(4))
    # Correctly signed, but the pk of one request with the reference of another.
    forged = signing.TimestampSigner(salt=CANCEL_SALT).sign(f"{appointment.pk}.{other.reference}")
    with pytest.raises(InvalidToken):
        read_cancel_token(forged)
    with pytest.raises(InvalidToken):
        read_cancel_token(make_ics_token(appointment))


def test_a_token_expires_after_ninety_days(appointment):
    appointment.slot_start, appointment.slot_end = in_days(120), in_days(120) + timedelta(minutes=30)
    appointment.save()
    old = make_cancel_token(appointment, now=timezone.now() - timedelta(days=91))
    recent = make_cancel_token(appointment, now=timezone.now() - timedelta(days=89))
    with pytest.raises(ExpiredToken):
        read_cancel_token(old)
    assert read_cancel_token(recent) == appointment


def test_a_token_expires_once_the_appointment_has_started(worker):
    past = FatimasAppointment(assigned_worker=worker, slot_start=timezone.now() - timedelta(minutes=1))
    with pytest.raises(ExpiredToken):
        read_cancel_token(make_cancel_token(past))


def test_cancel_url_is_absolute_and_in_the_familys_language(worker):
    arabic = FatimasAppointment(assigned_worker=worker, slot_start=in_days(2), language="ar")
    french = FatimasAppointment(assigned_worker=worker, slot_start=in_days(5), language="fr")
    assert cancel_url(arabic).startswith("http://testserver/ar/annuler/")
    assert cancel_url(french).startswith("http://testserver/annuler/")


# cancel_request


def test_cancel_request_closes_records_and_notifies_the_worker(appointment, django_capture_on_commit_callbacks):
    with django_capture_on_commit_callbacks(execute=True):
        cancel_request(appointment, by_family=True)
    appointment.refresh_from_db()
    assert appointment.status == AppointmentRequest.Status.CANCELLED_FAMILY
    assert appointment.closed_at is not None
    event = appointment.events.get(kind=RequestEvent.Kind.CANCELLED)
    assert event.data == {"by": "family"}
    # The worker is told; the family gets the acknowledgement of its own cancellation.
    assert sorted(m.to[0] for m in mail.outbox) == ["c.leroy@ccas.example.fr", "fatima@example.org"]
    assert "Annulation enregistrée" in next(m.subject for m in mail.outbox if m.to == ["fatima@example.org"])


def test_cancel_by_the_service_tells_the_family(appointment, django_capture_on_commit_callbacks):
    with django_capture_on_commit_callbacks(execute=True):
        cancel_request(appointment, by_family=False, reason="Arrêt maladie")
    assert appointment.status == AppointmentRequest.Status.CANCELLED_SERVICE
    assert sorted(m.to[0] for m in mail.outbox) == ["c.leroy@ccas.example.fr", "fatima@example.org"]
    assert "Arrêt maladie" not in "".join(m.body for m in mail.outbox)


def test_a_closed_request_cannot_be_cancelled(appointment):
    cancel_request(appointment)
    with pytest.raises(RequestClosed):
        cancel_request(appointment)
    assert Notification.objects.filter(kind=Notification.Kind.WORKER_CANCELLED).count() == 1


def test_cancelling_frees_the_slot_at_once(worker, appointment):
    with pytest.raises(IntegrityError), transaction.atomic():
        FatimasAppointment(assigned_worker=worker, slot_start=appointment.slot_start)
    cancel_request(appointment)
    again = FatimasAppointment(assigned_worker=worker, slot_start=appointment.slot_start)
    assert again.is_active


# The pages


def test_get_asks_for_confirmation_and_cancels_nothing(client, appointment):
    response = client.get(cancel_path(appointment))
    assert response.status_code == 200
    page = parse(response)
    # The link opens the family's appointment page (issue 13): its heading names the appointment.
    assert page.h1.get_text(strip=True) == "Mon rendez-vous"
    assert appointment.reference in response.text
    form = page.find("form", method="post")
    # The token in the link's own URL authorises the POST (forms.link_views.capability_post).
    assert form.find("input", attrs={"name": "csrfmiddlewaretoken"}) is None
    assert form.find("button", type="submit").get_text(strip=True) == "Annuler mon rendez-vous"
    assert page.find("a", href="/") is not None
    assert "119" in response.text
    # The token leaves in no Referer header, not even to our own site's static files.
    assert response["Referrer-Policy"] == "no-referrer"
    assert "no-store" in response["Cache-Control"]
    appointment.refresh_from_db()
    assert appointment.is_active


def test_post_cancels_and_says_so(client, appointment, django_capture_on_commit_callbacks):
    with django_capture_on_commit_callbacks(execute=True):
        response = client.post(cancel_path(appointment))
    assert response.status_code == 200
    status = parse(response).find(attrs={"role": "status"})
    assert "Votre rendez-vous est annulé" in status.get_text()
    appointment.refresh_from_db()
    assert appointment.status == AppointmentRequest.Status.CANCELLED_FAMILY
    assert len(mail.outbox) == 2  # to the worker, and the acknowledgement to the family


def test_the_page_follows_the_language_of_the_link(client, worker):
    arabic = FatimasAppointment(assigned_worker=worker, slot_start=in_days(2), language="ar")
    response = client.get(cancel_path(arabic))
    assert response.status_code == 200
    assert html_attributes(response) == {"lang": "ar", "dir": "rtl"}
    with translation.override("ar"):
        assert translation.gettext("Annuler mon rendez-vous") in response.text


def test_the_cancel_post_passes_with_csrf_checks_enforced_and_origin_null(appointment):
    """Under `Referrer-Policy: no-referrer` a browser posts the page's form with `Origin: null`
    and no Referer, which Django's CSRF check always refuses over HTTPS: the token in the URL
    is what authorises this POST."""
    from django.test import Client

    browser = Client(enforce_csrf_checks=True)
    response = browser.post(cancel_path(appointment), HTTP_ORIGIN="null", secure=True)
    assert response.status_code == 200
    appointment.refresh_from_db()
    assert appointment.status == AppointmentRequest.Status.CANCELLED_FAMILY


def test_a_cross_site_post_without_the_token_cancels_nothing(appointment):
    from django.test import Client

    forger = Client(enforce_csrf_checks=True)
    cancel_path(appointment)  # the family's link exists; the forger has to guess one
    legacy = signing.TimestampSigner(salt=CANCEL_SALT).sign(f"{appointment.pk}.{appointment.reference}")
    for guess in (secrets.token_urlsafe(24), legacy[: legacy.rindex(":") + 1] + "forged"):
        response = forger.post(reverse("booking_cancel", args=[guess]), HTTP_ORIGIN="https://evil.example", secure=True)
        assert response.status_code == 400
    appointment.refresh_from_db()
    assert appointment.is_active


@pytest.mark.parametrize("method", ["get", "post"])
def test_a_tampered_link_gets_a_clear_400(client, appointment, method):
    path = cancel_path(appointment)
    tampered = path[:-2] + ("A" if path[-2] != "A" else "B") + "/"
    response = getattr(client, method)(tampered)
    assert response.status_code == 400
    assert parse(response).find(attrs={"role": "alert"}) is not None
    assert "Lien d'annulation non valable" in response.text
    appointment.refresh_from_db()
    assert appointment.is_active


def test_a_link_for_another_purpose_gets_a_400(client, appointment):
    response = client.post(reverse("booking_cancel", args=[make_ics_token(appointment)]))
    assert response.status_code == 400
    appointment.refresh_from_db()
    assert appointment.is_active


def test_an_expired_link_gets_a_410(client, worker):
    past = FatimasAppointment(assigned_worker=worker, slot_start=timezone.now() - timedelta(hours=1))
    response = client.post(cancel_path(past))
    assert response.status_code == 410
    assert "Lien d'annulation expiré" in response.text
    past.refresh_from_db()
    assert past.is_active


def test_an_old_link_gets_a_410(client, appointment):
    path = reverse("booking_cancel", args=[make_cancel_token(appointment, now=timezone.now() - timedelta(days=91))])
    assert client.get(path).status_code == 410


def test_a_second_cancel_gets_a_410_saying_it_is_already_cancelled(client, appointment):
    path = cancel_path(appointment)
    assert client.post(path).status_code == 200
    for response in (client.post(path), client.get(path)):
        assert response.status_code == 410
        assert f"Le rendez-vous {appointment.reference} est déjà annulé." in response.text
    assert Notification.objects.filter(kind=Notification.Kind.WORKER_CANCELLED).count() == 1


# The .ics download


def test_ics_download_for_a_valid_token(client, worker):
    arabic = FatimasAppointment(assigned_worker=worker, slot_start=in_days(2), language="ar")
    response = client.get(reverse("booking_ics", args=[make_ics_token(arabic)]))
    assert response.status_code == 200
    assert response["Content-Type"].startswith("text/calendar")
    [event] = icalendar.Calendar.from_ical(response.content).walk("VEVENT")
    assert str(event["UID"]) == f"{arabic.reference}@testserver"
    assert event.decoded("DTSTART") == arabic.slot_start
    assert "Fatima" not in response.content.decode()


def test_ics_download_also_takes_the_cancel_token(client, appointment):
    response = client.get(reverse("booking_ics", args=[make_cancel_token(appointment)]))
    assert response.status_code == 200


def test_ics_download_refuses_bad_tokens_and_closed_requests(client, appointment):
    assert client.get(reverse("booking_ics", args=["nope"])).status_code == 404
    token = make_ics_token(appointment)
    tampered = token[:-1] + ("x" if token[-1] != "x" else "y")
    assert client.get(reverse("booking_ics", args=[tampered])).status_code == 404
    cancel_request(appointment)
    assert client.get(reverse("booking_ics", args=[token])).status_code == 404
