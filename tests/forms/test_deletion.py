"""Deletion that is safe and clear: what families' requests or registrations point at stays, the
admin says why (how many, never which) and offers to unpublish; a French page is unpublished
and deleted with its translations (core.deletion, services.wagtail_hooks)."""

from datetime import date, timedelta

import pytest
from django.urls import reverse
from wagtail.models import Page

from core.deletion import blockers
from forms.models import AppointmentRequest, EveningRegistration
from services.models import SchoolPage, SocialWorker
from tests.factories import (
    AppointmentRequestFactory,
    EveningRegistrationFactory,
    UserFactory,
    make_evening,
    make_evening_index,
    make_index,
    make_school,
    make_site,
    make_worker,
    permanence,
    translate_page,
)
from tests.helpers import login_staff, parse

pytestmark = pytest.mark.usefixtures("fresh_cache")


@pytest.fixture
def home(db):
    return make_site()


@pytest.fixture
def leroy(db):
    return make_worker("Mme Leroy")


@pytest.fixture
def school(home, leroy):
    index = make_index(home, publish=True)
    page = make_school(index, "École Jules-Ferry", referent=leroy, permanences=[permanence()], publish=True)
    for code in ("en", "ar"):
        translate_page(page, code)
    return page


@pytest.fixture
def communication(client, db):
    login_staff(client, UserFactory(groups=["Communication"]))
    return client


def text_of(response):
    return parse(response).find("main").get_text(" ", strip=True)


def test_a_school_with_requests_is_not_deleted_and_the_admin_says_how_many_without_showing_them(
    communication, school, leroy
):
    requests = [AppointmentRequestFactory(school=school, assigned_worker=leroy) for _ in range(3)]
    url = reverse("wagtailadmin_pages:delete", args=[school.pk])

    response = communication.get(url)
    assert response.status_code == 409
    text = text_of(response)
    assert "ne peut pas être supprimé" in text
    assert "3 demandes de rendez-vous" in text
    for request in requests:
        assert request.parent_name not in response.content.decode()
        assert request.reference not in response.content.decode()
    unpublish = reverse("wagtailadmin_pages:unpublish", args=[school.pk])
    assert parse(response).find("a", href=unpublish) is not None

    response = communication.post(url)
    assert response.status_code == 409
    assert SchoolPage.objects.filter(translation_key=school.translation_key).count() == 3
    assert AppointmentRequest.objects.count() == 3


def test_the_index_above_a_school_with_requests_is_not_deleted_either(admin_client, school, leroy):
    AppointmentRequestFactory(school=school, assigned_worker=leroy)
    index = school.get_parent()
    response = admin_client.post(reverse("wagtailadmin_pages:delete", args=[index.pk]))
    assert response.status_code == 409
    assert "1 demande de rendez-vous" in text_of(response)
    assert Page.objects.filter(pk=index.pk).exists()


def test_a_french_school_without_requests_is_deleted_with_its_translations(communication, school):
    url = reverse("wagtailadmin_pages:delete", args=[school.pk])
    response = communication.get(url)
    assert response.status_code == 200
    assert "2 traductions" in text_of(response)  # Wagtail's confirmation says so

    response = communication.post(url)
    assert response.status_code == 302
    assert not SchoolPage.objects.filter(translation_key=school.translation_key).exists()


def test_unpublishing_a_french_school_unpublishes_its_translations(communication, school):
    url = reverse("wagtailadmin_pages:unpublish", args=[school.pk])
    response = communication.get(url)
    assert "2 traductions" in text_of(response)

    response = communication.post(url)
    assert response.status_code == 302
    assert not SchoolPage.objects.filter(translation_key=school.translation_key, live=True).exists()


def test_unpublishing_a_translation_leaves_the_french_page_live(communication, school):
    english = SchoolPage.objects.get(translation_key=school.translation_key, locale__language_code="en")
    response = communication.post(reverse("wagtailadmin_pages:unpublish", args=[english.pk]))
    assert response.status_code == 302
    assert SchoolPage.objects.get(pk=school.pk).live
    assert SchoolPage.objects.get(translation_key=school.translation_key, locale__language_code="ar").live


def test_a_worker_with_requests_is_not_deleted_and_the_admin_says_why(communication, school, leroy):
    AppointmentRequestFactory(school=school, assigned_worker=leroy)
    AppointmentRequestFactory(school=school, assigned_worker=leroy)
    url = reverse("wagtailsnippets_services_socialworker:delete", args=[leroy.pk])

    response = communication.get(url)
    assert response.status_code == 409
    text = text_of(response)
    assert "2 demandes de rendez-vous" in text
    assert "en activité" in text
    assert communication.post(url).status_code == 409
    assert SocialWorker.objects.filter(pk=leroy.pk).exists()


def test_a_worker_without_requests_is_deleted(communication, db):
    worker = make_worker("M. Libre")
    response = communication.post(reverse("wagtailsnippets_services_socialworker:delete", args=[worker.pk]))
    assert response.status_code == 302
    assert not SocialWorker.objects.filter(pk=worker.pk).exists()


def test_an_evening_with_registrations_is_not_deleted(communication, home):
    index = make_evening_index(home, publish=True)
    evening = make_evening(index, "Le sommeil", day=date.today() + timedelta(days=5), publish=True)
    EveningRegistrationFactory(evening=evening)
    response = communication.post(reverse("wagtailadmin_pages:delete", args=[evening.pk]))
    assert response.status_code == 409
    assert "1 inscription à une soirée" in text_of(response)
    assert EveningRegistration.objects.count() == 1


def test_bulk_delete_of_pages_with_requests_is_refused_with_a_message(communication, school, leroy):
    AppointmentRequestFactory(school=school, assigned_worker=leroy)
    url = reverse("wagtail_bulk_action", args=["wagtailcore", "page", "delete"])
    response = communication.post(f"{url}?id={school.pk}", {}, follow=True)
    assert response.status_code == 200
    assert "ne peuvent pas être supprimées" in response.content.decode()
    assert SchoolPage.objects.filter(pk=school.pk).exists()


def test_the_rule_counts_requests_of_translations_and_descendants(school, leroy):
    assert blockers(school) == []
    AppointmentRequestFactory(school=school, assigned_worker=leroy)
    [found] = blockers(school.get_parent())
    assert (found.model, found.count) == (AppointmentRequest, 1)
    [found] = blockers(leroy)
    assert found.count == 1
