"""The family's appointment page, behind the link of every message: the appointment in the
family's language, "add to my calendar", move and cancel before the one cut-off, the phones to
call after it, a request without a slot, and a clear page for a bad link."""

from __future__ import annotations

from datetime import datetime, time, timedelta

import pytest
from django.urls import reverse
from django.utils import timezone, translation

from forms.booking.move import can_change, change_deadline
from forms.links import make_cancel_token, make_ics_token
from forms.models import AppointmentRequest, Notification
from home.models import CCASSettings
from services.schedule import PARIS
from tests.factories import AppointmentRequestFactory, BookingSettingsFactory, SchoolPageFactory, make_worker
from tests.helpers import html_attributes, parse

pytestmark = pytest.mark.django_db
CCAS_PHONE = "01 99 88 77 66"
# +1 on both since the site-wide banners (issue 16), +1 on the move list for the days notices cancel,
# +1 on the page since opaque tokens (issue 17): its .ics link's token row, derived from the page's
# own token, is inserted if missing (INSERT ... ON CONFLICT DO NOTHING); the token is read, with the
# request and its worker, in one query as before.
QUERIES_PAGE, QUERIES_MOVE = 11, 19


def in_days(days, hour=9, minute=0):
    day = timezone.localtime(timezone.now(), PARIS).date() + timedelta(days=days)
    return datetime.combine(day, time(hour, minute), tzinfo=PARIS)


def page_path(appointment, language=None):
    with translation.override(language or appointment.language):
        return reverse("booking_cancel", args=[make_cancel_token(appointment)])


@pytest.fixture(autouse=True)
def ccas():
    settings = CCASSettings.load()
    settings.phone = CCAS_PHONE
    settings.save()
    return settings


@pytest.fixture
def school():
    return SchoolPageFactory(bookable_every_weekday=True)


@pytest.fixture
def appointment(school):
    return AppointmentRequestFactory(
        at_school=True,
        school=school,
        assigned_worker=school.referent,
        slot_start=in_days(4),
        parent_name="Fatima Benali",
        email="fatima@example.org",
        place="École Jules-Ferry, Bureau du rez-de-chaussée",
    )


def soon(school, **fields):
    """An appointment ten hours from now: inside the default 24-hour cut-off."""
    fields.setdefault("assigned_worker", school.referent)
    return AppointmentRequestFactory(
        at_school=True, school=school, slot_start=timezone.now() + timedelta(hours=10), **fields
    )


def test_the_page_shows_the_appointment_its_calendar_file_move_and_cancel(client, appointment):
    path = page_path(appointment)
    response = client.get(path)
    assert response.status_code == 200
    page = parse(response)
    assert page.h1.get_text(strip=True) == "Mon rendez-vous"
    facts = page.select_one("dl.facts").get_text(" ", strip=True)
    for shown in (appointment.reference, "Mme Leroy", "Bureau du rez-de-chaussée", "À l'école, pendant la permanence"):
        assert shown in facts
    with translation.override("fr"):
        assert timezone.localtime(appointment.slot_start, PARIS).strftime("%H:%M") in facts
    # Add to my calendar: the download-only link, which works.
    ics = page.find("a", attrs={"download": True})
    assert client.get(ics["href"]).status_code == 200
    assert ics["href"].startswith("/rendez-vous/") and ics["href"].endswith(".ics")
    # Move (a plain link to the slots) and cancel (a POST), and the cut-off said.
    assert page.find("a", href=path + "deplacer/").get_text(strip=True) == "Déplacer mon rendez-vous"
    form = page.find("form", method="post")
    assert form.find("button").get_text(strip=True) == "Annuler mon rendez-vous"
    assert "(24 h avant le rendez-vous)" in response.text
    assert "Fatima" not in response.text  # the family's details are never echoed on a link's page


def test_cancel_through_the_page(client, appointment, django_capture_on_commit_callbacks):
    path = page_path(appointment)
    with django_capture_on_commit_callbacks(execute=True):
        response = client.post(path)
    assert response.status_code == 200
    assert "Votre rendez-vous est annulé" in parse(response).find(attrs={"role": "status"}).get_text()
    appointment.refresh_from_db()
    assert appointment.status == AppointmentRequest.Status.CANCELLED_FAMILY
    assert Notification.objects.filter(kind=Notification.Kind.WORKER_CANCELLED).count() == 1
    # The link, used: a clear page, with the CCAS phone.
    again = client.get(path)
    assert again.status_code == 410
    assert f"Le rendez-vous {appointment.reference} est déjà annulé." in again.text
    assert CCAS_PHONE in again.text


def test_past_the_cut_off_the_page_gives_the_phones_instead_of_the_buttons(client, school):
    appointment = soon(school)
    response = client.get(page_path(appointment))
    assert response.status_code == 200
    page = parse(response)
    assert page.find("form", method="post") is None
    assert page.find("a", href=lambda href: href and href.endswith("/deplacer/")) is None
    phones = [a["href"] for a in page.select('.contact-phones a[href^="tel:"]')]
    assert phones == ["tel:0123456789", "tel:0199887766"]  # the referent's public phone, then the CCAS
    assert "Moins de 24 h avant le rendez-vous" in response.text


def test_past_the_cut_off_a_cancel_is_refused(client, school):
    appointment = soon(school)
    response = client.post(page_path(appointment))
    assert response.status_code == 409
    assert parse(response).find(attrs={"role": "alert"}) is not None
    assert CCAS_PHONE in response.text
    appointment.refresh_from_db()
    assert appointment.is_active
    assert not Notification.objects.filter(kind=Notification.Kind.WORKER_CANCELLED).exists()


def test_the_cut_off_follows_the_booking_setting(client, school):
    BookingSettingsFactory(change_cutoff_hours=2)
    appointment = soon(school)
    response = client.get(page_path(appointment))
    assert "(2 h avant le rendez-vous)" in response.text
    assert client.post(page_path(appointment)).status_code == 200
    appointment.refresh_from_db()
    assert appointment.status == AppointmentRequest.Status.CANCELLED_FAMILY


def test_one_cut_off_function_for_moving_and_cancelling(appointment):
    deadline = change_deadline(appointment)
    assert deadline == appointment.slot_start - timedelta(hours=24)
    assert can_change(appointment, now=deadline - timedelta(seconds=1))
    assert not can_change(appointment, now=deadline)
    appointment.status = AppointmentRequest.Status.DONE
    assert not can_change(appointment, now=deadline - timedelta(days=1))


def test_past_the_cut_off_a_worker_without_public_phone_leaves_the_referents(client, school):
    stand_in = make_worker("M. Diallo", public_phone="")
    appointment = soon(school, assigned_worker=stand_in)
    response = client.get(page_path(appointment))
    phones = [a["href"] for a in parse(response).select('.contact-phones a[href^="tel:"]')]
    assert phones == ["tel:0123456789", "tel:0199887766"]


def test_a_request_without_a_slot_shows_its_status_and_cancel_my_request(client, school):
    request = AppointmentRequestFactory(school=school, assigned_worker=school.referent, status="acknowledged")
    response = client.get(page_path(request))
    assert response.status_code == 200
    page = parse(response)
    assert page.h1.get_text(strip=True) == "Ma demande de rendez-vous"
    assert "Prise en compte" in page.select_one("main").get_text()
    assert page.find("a", attrs={"download": True}) is None
    assert page.find("a", href=lambda href: href and href.endswith("/deplacer/")) is None
    assert page.find("form", method="post").find("button").get_text(strip=True) == "Annuler ma demande"
    # The move page of a request without a slot leads back to the page.
    move = client.get(page_path(request) + "deplacer/")
    assert move.status_code == 302
    assert client.post(page_path(request)).status_code == 200
    request.refresh_from_db()
    assert request.status == AppointmentRequest.Status.CANCELLED_FAMILY


def test_the_arabic_page_is_right_to_left_and_marks_the_french_place(client, appointment):
    appointment.language = "ar"
    appointment.save()
    response = client.get(page_path(appointment))
    assert response.status_code == 200
    assert html_attributes(response) == {"lang": "ar", "dir": "rtl"}
    with translation.override("ar"):
        for text in ("Mon rendez-vous", "Déplacer mon rendez-vous", "Annuler mon rendez-vous"):
            translated = translation.gettext(text)
            assert translated != text and translated in response.text
    # "With" the worker, not "in partnership with" (the collective actions' "Avec").
    assert "بالشراكة" not in response.text and "مع" in parse(response).select_one("dl.facts").get_text()
    place = parse(response).find("dd", lang="fr")
    assert place.get_text(strip=True) == "École Jules-Ferry, Bureau du rez-de-chaussée"
    moving = client.get(page_path(appointment) + "deplacer/")
    assert html_attributes(moving) == {"lang": "ar", "dir": "rtl"}


@pytest.mark.parametrize("problem", ["tampered", "expired", "used", "another purpose"])
def test_a_bad_link_gets_a_clear_page_in_the_familys_language_with_the_ccas_phone(client, school, problem):
    family = AppointmentRequestFactory(
        at_school=True, school=school, assigned_worker=school.referent, slot_start=in_days(4), language="ar"
    )
    path = page_path(family)
    if problem == "tampered":
        path = path[:-2] + ("A" if path[-2] != "A" else "B") + "/"
    elif problem == "expired":
        with translation.override("ar"):
            old = make_cancel_token(family, now=timezone.now() - timedelta(days=91))
            path = reverse("booking_cancel", args=[old])
    elif problem == "used":
        client.post(path)
    else:
        with translation.override("ar"):
            path = reverse("booking_cancel", args=[make_ics_token(family)])
    response = client.get(path)
    assert response.status_code in (400, 410)
    assert html_attributes(response) == {"lang": "ar", "dir": "rtl"}
    assert parse(response).find(attrs={"role": "alert"}) is not None
    assert CCAS_PHONE in response.text
    main = parse(response).find("main").get_text()
    assert family.parent_name not in response.text
    assert "Mme Leroy" not in main


def test_the_page_and_the_move_list_take_a_fixed_number_of_queries(
    client, school, appointment, django_assert_max_num_queries
):
    path = page_path(appointment)
    client.get(path)  # the site's settings and caches warmed
    with django_assert_max_num_queries(QUERIES_PAGE):
        assert client.get(path).status_code == 200
    with django_assert_max_num_queries(QUERIES_MOVE):
        assert client.get(path + "deplacer/").status_code == 200
