"""Thematic evenings' registrations in the admin: per evening, the confirmed families and the
waiting list with counts and a sign-in sheet for the manager and the assistants; counts only
for the other staff; opening the names is logged; a fixed number of queries for the list."""

from datetime import timedelta

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.urls import reverse

from forms.models import AccessRecord, EveningRegistration
from services.schedule import today
from tests.factories import EveningRegistrationFactory, make_evening, make_evening_index, translate_page
from tests.helpers import login_staff, parse

Status = EveningRegistration.Status
LIST = reverse("forms_evenings:list")


@pytest.fixture
def evening(world):
    evenings = make_evening_index(world.home, publish=True)
    evening = make_evening(
        evenings, "Le sommeil des enfants", day=today() + timedelta(days=10), capacity=10, publish=True
    )
    EveningRegistrationFactory(evening=evening, name="Amina Benali", adults=2, children=1, phone="+33612345678")
    EveningRegistrationFactory(evening=evening, name="Jean Martin", adults=1, children=0)
    EveningRegistrationFactory(evening=evening, name="Famille Öztürk", adults=2, children=3, status=Status.WAITING)
    EveningRegistrationFactory(evening=evening, name="Annulée Dupont", status=Status.CANCELLED)
    return evening


def page_of(evening):
    return reverse("forms_evenings:detail", args=[evening.pk])


@pytest.mark.parametrize("who", ["manager", "assistant"])
def test_the_manager_and_assistants_see_who_is_coming_and_who_waits(client, world, evening, who):
    login_staff(client, world.users()[who])
    response = client.get(page_of(evening))
    assert response.status_code == 200
    page = parse(response)
    sheet, waiting = page.select("table.signin")
    assert [row.td.get_text(strip=True) for row in sheet.select("tbody tr")] == ["Amina Benali", "Jean Martin"]
    assert "06 12 34 56 78" in sheet.get_text()
    assert sheet.select("th.signature")  # a column to sign in
    assert [row.td.get_text(strip=True) for row in waiting.select("tbody tr")] == ["Famille Öztürk"]
    text = page.get_text(" ", strip=True)
    assert "4 places prises sur 10" in text and "6 places libres" in text
    assert "2 inscriptions" in text and "1 en liste d'attente (5 places)" in text
    assert "Annulée Dupont" not in text


@pytest.mark.parametrize("who", ["worker", "communication"])
def test_other_staff_see_the_counts_and_never_a_name(client, world, evening, who):
    login_staff(client, world.users()[who])
    for url in (LIST, page_of(evening)):
        response = client.get(url)
        assert response.status_code == 200
        text = response.content.decode()
        for name in ("Amina", "Benali", "Martin", "Öztürk", "0612345678", "06 12 34 56 78"):
            assert name not in text
    assert "4 places prises sur 10" in parse(client.get(page_of(evening))).get_text(" ", strip=True)


def test_anonymous_visitors_go_to_the_login_page(client, evening):
    for url in (LIST, page_of(evening)):
        assert client.get(url)["Location"].startswith("/admin/login/")


def test_the_list_counts_every_evening_in_a_fixed_number_of_queries(client, world, evening):
    login_staff(client, world.manager)
    page = parse(client.get(LIST))
    row = next(tr for tr in page.select("tbody tr") if "Le sommeil des enfants" in tr.get_text())
    assert [td.get_text(strip=True) for td in row.select("td")][2:] == ["4 / 10", "2", "1"]
    with CaptureQueriesContext(connection) as one:
        client.get(LIST)
    index = evening.get_parent()
    for number in range(5):
        other = make_evening(index, f"Soirée {number}", day=today() + timedelta(days=20 + number), publish=True)
        EveningRegistrationFactory(evening=other)
    with CaptureQueriesContext(connection) as six:
        client.get(LIST)
    assert len(six) == len(one)


def test_a_translated_evenings_registrations_are_the_french_evenings(client, world, evening):
    arabic = translate_page(evening, "ar", title="نوم الأطفال")
    login_staff(client, world.manager)
    titles = [a.get_text(strip=True) for a in parse(client.get(LIST)).select("tbody a")]
    assert titles.count("Le sommeil des enfants") == 1 and "نوم الأطفال" not in titles
    assert client.get(page_of(arabic)).status_code == 404  # the list lives on the French evening


def test_opening_the_names_is_logged_and_counts_are_not(client, world, evening):
    login_staff(client, world.manager)
    client.get(page_of(evening))
    [record] = AccessRecord.objects.filter(what=AccessRecord.What.EVENING)
    assert record.detail == {"evening": evening.pk} and record.user == world.manager
    login_staff(client, world.communication)
    client.get(page_of(evening))
    assert AccessRecord.objects.filter(what=AccessRecord.What.EVENING).count() == 1


def test_an_anonymised_registration_shows_no_name(client, world, evening):
    from forms.records.retention import anonymise_registrations

    registration = EveningRegistration.objects.get(name="Jean Martin")
    anonymise_registrations([registration.pk])
    login_staff(client, world.manager)
    text = client.get(page_of(evening)).content.decode()
    assert "Jean Martin" not in text and "(anonymisée)" in text
