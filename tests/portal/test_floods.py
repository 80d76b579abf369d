"""One client cannot fill the cache: made-up query strings are rendered, never stored; following
a school's booking link creates no session; a family's unsent booking expires after 2 hours."""

import pytest
from django.contrib.sessions.models import Session
from django.core.cache import caches

from tests.booking_walk import url

pytestmark = pytest.mark.usefixtures("fresh_cache")


@pytest.fixture
def page_cache(settings):
    settings.PAGE_CACHE_ENABLED = True
    settings.FRAGMENT_CACHE_ENABLED = True


def cache_keys() -> set[str]:
    # The test settings' cache is local memory: its keys are what a Redis would hold.
    return set(caches["default"]._cache)


def test_a_thousand_made_up_query_strings_store_a_bounded_number_of_entries(client, school, page_cache):
    client.get("/api/v1/schools/")
    client.get("/ecoles/")
    before = cache_keys()
    flood = [
        *(f"/api/v1/schools/?n={n}" for n in range(250)),  # unknown parameter
        *(f"/api/v1/schools/?lang=xx{n}" for n in range(250)),  # known parameter, unknown value
        *(f"/ecoles/?q=jules{n}" for n in range(250)),  # a search: rendered each time
        *(f"/ecoles/?kind=&kind=maternelle&x={n}" for n in range(250)),  # repeated parameter
    ]
    for address in flood:
        response = client.get(address)
        assert response.status_code in (200, 400), address  # an unknown language: 400
        assert "X-Cache" not in response, address
    # A few fragments of the pages rendered (header, breadcrumbs, footer), the same for any
    # query string: a fixed number, never one per address.
    assert len(cache_keys() - before) <= 10
    assert not any("?n=" in key or "jules" in key or "xx" in key for key in cache_keys())


def test_known_parameters_are_kept_once_whatever_their_order(client, school, page_cache):
    client.get("/ecoles/")  # the first render creates settings rows, which empties the cache
    assert client.get("/ecoles/?kind=maternelle&q=")["X-Cache"] == "MISS"
    assert client.get("/ecoles/?q=&kind=maternelle")["X-Cache"] == "HIT"
    assert client.get("/api/v1/schools/?lang=ar")["X-Cache"] == "MISS"
    assert client.get("/api/v1/schools/?lang=ar")["X-Cache"] == "HIT"
    assert client.get("/api/v1/schools/")["X-Cache"] == "MISS"  # another page than ?lang=ar


def test_following_a_schools_booking_link_creates_no_session(client, school, page_cache):
    response = client.get(f"/rendez-vous/?ecole={school.pk}", follow=True)
    assert response.status_code == 200
    assert "Étape 2 sur 5" in response.content.decode()
    assert "École Jules-Ferry" in response.content.decode()
    for _, status in response.redirect_chain:
        assert status == 302
    assert "sessionid" not in client.cookies
    assert Session.objects.count() == 0
    # The first answer posted starts the session, with the school the link named.
    response = client.post(response.request["PATH_INFO"] + f"?ecole={school.pk}", {"mode": "school"})
    assert response["Location"] == url("creneau")
    assert "sessionid" in client.cookies
    assert client.get(url("creneau")).status_code == 200


def test_an_unknown_school_in_the_link_goes_to_the_school_step_without_a_session(client, school):
    response = client.get("/rendez-vous/?ecole=999999")
    assert response["Location"] == url("ecole")
    assert "sessionid" not in client.cookies and Session.objects.count() == 0


def test_an_unsent_booking_is_kept_two_hours_not_the_staffs_session_age(client, school, settings):
    assert settings.ANONYMOUS_SESSION_AGE == 2 * 3600 < settings.SESSION_COOKIE_AGE
    client.post(url("ecole"), {"school": school.pk})
    cookie = client.cookies["sessionid"]
    assert int(cookie["max-age"]) == 2 * 3600
    assert client.session.get_expiry_age() == 2 * 3600


def test_a_staff_login_after_a_family_session_gets_the_staff_session_age(client, school, admin_user, settings):
    client.post(url("ecole"), {"school": school.pk})
    client.post("/admin/login/", {"username": admin_user.username, "password": "password"})
    assert "_auth_user_id" in client.session
    assert client.session.get_expiry_age() == settings.SESSION_COOKIE_AGE
