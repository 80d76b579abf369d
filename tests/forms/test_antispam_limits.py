"""Submission limits that fit shared connections (forms/antispam.py): 30 families behind one
address get through, each form counts apart, only valid submissions count and a double click
once, one phone number makes at most 3 booking requests a day (counted in the database), and
a refused family keeps what it typed and gets the CCAS phone."""

from __future__ import annotations

import uuid
from datetime import timedelta

import pytest
from django import forms
from django.core.cache import cache
from django.test import Client, RequestFactory
from django.urls import reverse
from django.utils import timezone, translation
from django.utils.translation import gettext

from forms import antispam
from forms.models import AppointmentRequest, EveningRegistration
from home.models import CCASSettings
from tests.booking_walk import submission_key, submit, summary_texts, url, walk_to
from tests.factories import AppointmentRequestFactory, SchoolPageFactory, make_evening, make_evening_index
from tests.helpers import parse

pytestmark = [pytest.mark.django_db, pytest.mark.usefixtures("fresh_cache")]

CCAS_PHONE = "01 23 45 67 89"


@pytest.fixture
def school(db):
    ccas = CCASSettings.load()
    ccas.phone = CCAS_PHONE
    ccas.save()
    return SchoolPageFactory(bookable_every_weekday=True)


@pytest.fixture
def evening(school):
    index = make_evening_index(school.get_site().root_page.specific, publish=True)
    return make_evening(index, "Le sommeil", day=timezone.localdate() + timedelta(days=10), capacity=200, publish=True)


def evening_post(client, evening, **overrides):
    data = {
        "name": "Famille Martin",
        "adults": "1",
        "children": "0",
        "phone": "",
        "email": "famille@example.org",
        "language": "fr",
        "website": "",
        "submission_key": str(uuid.uuid4()),
        **overrides,
    }
    return client.post(reverse("evening_register", kwargs={"evening_id": evening.pk}), data)


def book(school, phone: str, client=None):
    """One family's whole booking from the shared address (the test client's); the last response."""
    client = client or Client()
    walk_to(client, "recapitulatif", school, details={"phone": phone})
    return submit(client)


def test_thirty_families_from_one_address_in_an_hour_all_book(school):
    for n in range(30):
        response = book(school, f"06 12 34 56 {n:02d}")
        assert response.status_code == 302, (n, summary_texts(response))
    assert AppointmentRequest.objects.count() == 30


def test_thirty_families_from_one_address_in_an_hour_all_register_to_an_evening(client, evening):
    for n in range(30):
        response = evening_post(client, evening, name=f"Famille {n}")
        assert response.status_code == 302, (n, summary_texts(response))
    assert EveningRegistration.objects.count() == 30


def test_each_form_counts_apart(client, school, evening, settings):
    settings.SUBMISSION_RATES = {"booking": "1/h", "evening": "1/h"}
    assert evening_post(client, evening).status_code == 302
    assert evening_post(client, evening, name="Famille Durand").status_code == 429
    # The evening's limit is reached; the booking's is not.
    assert book(school, "06 11 11 11 11", client).status_code == 302


def test_typos_do_not_count(client, evening, settings):
    settings.SUBMISSION_RATES = {**settings.SUBMISSION_RATES, "evening": "1/h"}
    for _ in range(10):
        response = evening_post(client, evening, adults="deux")
        assert response.status_code == 200
        assert parse(response).select_one(".error-summary") is not None
    assert evening_post(client, evening).status_code == 302


def test_invalid_posts_have_their_own_much_higher_ceiling(client, evening, settings):
    settings.INVALID_SUBMISSION_RATE = "3/h"
    for _ in range(3):
        assert evening_post(client, evening, adults="x").status_code == 200
    response = evening_post(client, evening, adults="x", name="Famille Durand")
    assert response.status_code == 429
    assert parse(response).select_one("input[name=name]")["value"] == "Famille Durand"


class Submission(forms.Form):
    submission_key = forms.UUIDField()


def test_a_double_click_counts_once(settings):
    settings.SUBMISSION_RATES = {**settings.SUBMISSION_RATES, "evening": "1/h"}
    same = str(uuid.uuid4())

    def refused(key):
        request = RequestFactory().post("/", REMOTE_ADDR="203.0.113.9")
        return antispam.refuse_submission(request, antispam.EVENING, Submission({"submission_key": key}))

    assert refused(same) is False
    assert refused(same) is False  # the second click of the same submission
    assert refused(str(uuid.uuid4())) is True  # another submission from the same address


def make_requests(phone: str, count: int, hours_ago: float = 1):
    for _ in range(count):
        AppointmentRequestFactory(phone=phone, created_at=timezone.now() - timedelta(hours=hours_ago))


def test_the_fourth_request_from_one_number_in_a_day_is_refused_with_the_ccas_phone(client, school):
    make_requests("+33612345678", 3)
    walk_to(client, "recapitulatif", school, details={"phone": "06 12 34 56 78"})
    response = submit(client)
    assert response.status_code == 429
    message = summary_texts(response)
    assert "limitées à 3 par jour" in message and CCAS_PHONE in message
    assert AppointmentRequest.objects.count() == 3
    # Nothing the family typed is lost: the recap again, with its answers and a way to send.
    page = response.content.decode()
    assert "Amina Benali" in page and "06 12 34 56 78" in page
    assert parse(response).find("button", attrs={"type": "submit"}) is not None


def test_the_phone_limit_is_read_from_the_database_and_survives_a_cache_flush(client, school):
    make_requests("+33612345678", 3)  # stored in E.164, as every form stores a number
    cache.clear()
    walk_to(client, "recapitulatif", school, details={"phone": "0033 6 12 34 56 78"})  # however it is typed
    assert submit(client).status_code == 429


def test_requests_older_than_a_day_and_other_numbers_do_not_count(client, school):
    make_requests("+33612345678", 3, hours_ago=25)
    make_requests("+33699999999", 3)
    walk_to(client, "recapitulatif", school, details={"phone": "06 12 34 56 78"})
    assert submit(client).status_code == 302


def test_the_daily_limit_per_phone_is_a_setting(client, school, settings):
    settings.BOOKING_MAX_REQUESTS_PER_PHONE_PER_DAY = 1
    make_requests("+33612345678", 1)
    walk_to(client, "recapitulatif", school)
    response = submit(client)
    assert response.status_code == 429
    assert "limitées à 1 par jour" in summary_texts(response)


def test_the_third_request_stored_does_not_refuse_its_own_double_click(client, school):
    make_requests("+33612345678", 2)
    recap = walk_to(client, "recapitulatif", school)
    key = submission_key(recap)
    assert client.post(url("recapitulatif"), {"submission_key": key}).status_code == 302
    # A second click arriving once the first one is stored is the same request...
    assert antispam.phone_limit_reached("06 12 34 56 78", key) is False
    # ...while another request from the number would be the fourth.
    assert antispam.phone_limit_reached("06 12 34 56 78", str(uuid.uuid4())) is True


def test_the_refusal_is_translated_and_the_family_can_send_once_the_hour_has_passed(client, school, settings):
    settings.SUBMISSION_RATES = {**settings.SUBMISSION_RATES, "booking": "1/h"}
    book(school, "06 22 22 22 22")
    walk_to(client, "recapitulatif", school, language="ar")
    response = submit(client, "ar")
    assert response.status_code == 429
    with translation.override("ar"):
        expected = gettext(
            "Trop d'envois depuis cette connexion. Réessayez dans une heure ou appelez le service au %(phone)s."
        ) % {"phone": CCAS_PHONE}
    assert expected in summary_texts(response)
    cache.clear()  # an hour later
    assert submit(client, "ar").status_code == 302
    assert AppointmentRequest.objects.filter(language="fr").count() == 2
