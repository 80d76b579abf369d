"""The open data API: one identity per school, public fields only, the same facts as the pages."""

from datetime import datetime

import pytest
from django.test import RequestFactory

from services.models import SchoolPage
from services.schedule import PARIS
from tests.factories import make_school, make_town, make_worker, permanence, translate_page

SCHOOL_FIELDS = {
    "id",
    "name",
    "kind",
    "priority_network",
    "address",
    "postcode",
    "city",
    "uai",
    "referent",
    "permanences",
    "next_permanences",
    "notices",
    "urls",
}


@pytest.fixture
def ferry(index, leroy, centre):
    return make_school(
        index,
        "École Jules-Ferry",
        SchoolPage.Kind.ELEMENTARY,
        leroy,
        permanences=[
            permanence(weekday=2, start="08:30", end="12:00", place="Bureau du rez-de-chaussée"),
            permanence(weekday=4, start="13:30", end="16:30", place="Salle des parents", recurrence="even"),
        ],
        address="12 rue de la République",
        postcode="92000",
        city="Nanterre",
        uai="0921234A",
        social_centre=centre,
        priority_network=SchoolPage.Network.REP_PLUS,
    )


def get_json(client, url, status=200, **params):
    response = client.get(url, params)
    assert response.status_code == status
    assert response["Content-Type"] == "application/json"
    assert response["Access-Control-Allow-Origin"] == "*"
    return response.json()


def test_list_gives_every_field_of_each_school(client, ferry, leroy):
    body = get_json(client, "/api/v1/schools/")
    [item] = body["items"]

    assert set(item) == SCHOOL_FIELDS
    assert item["id"] == ferry.pk
    assert item["name"] == "École Jules-Ferry"
    assert item["kind"] == "elementaire"
    assert item["priority_network"] == "rep+"
    assert (item["address"], item["postcode"], item["city"], item["uai"]) == (
        "12 rue de la République",
        "92000",
        "Nanterre",
        "0921234A",
    )
    assert item["referent"] == {
        "name": "Mme Leroy",
        "job": "Assistant·e de service social",
        "phone": "01 40 00 00 01",
    }
    assert item["permanences"][0] == {
        "weekday": 2,
        "start": "08:30",
        "end": "12:00",
        "recurrence": "weekly",
        "place": "Bureau du rez-de-chaussée",
        "bookable": True,
        "slot_minutes": 30,
        "valid_from": None,
        "valid_until": None,
    }
    assert item["permanences"][1]["recurrence"] == "even"


def test_only_public_fields_of_the_worker(client, ferry, leroy):
    content = client.get("/api/v1/schools/").content.decode()
    assert leroy.email not in content
    assert "email" not in content
    assert "user" not in content


def test_next_permanences_are_iso_datetimes_with_the_paris_offset(client, ferry):
    [item] = get_json(client, "/api/v1/schools/")["items"]
    assert 1 <= len(item["next_permanences"]) <= 4
    for occurrence in item["next_permanences"]:
        start, end = datetime.fromisoformat(occurrence["start"]), datetime.fromisoformat(occurrence["end"])
        assert start.utcoffset() == start.astimezone(PARIS).utcoffset()
        local = start.astimezone(PARIS)
        assert (local.isoweekday(), local.strftime("%H:%M")) in {(2, "08:30"), (4, "13:30")}
        assert end > start
        assert occurrence["place"] in {"Bureau du rez-de-chaussée", "Salle des parents"}


def test_api_says_what_the_school_page_says(client, ferry, leroy):
    item = get_json(client, f"/api/v1/schools/{ferry.pk}/")
    context = ferry.get_context(RequestFactory().get(ferry.url))
    page_html = client.get(ferry.url).content.decode()

    assert [o["start"] for o in item["next_permanences"]] == [o.start.isoformat() for o in context["next_permanences"]]
    assert item["referent"]["name"] in page_html
    assert item["referent"]["job"] in page_html
    assert "8 h 30 – 12 h" in page_html
    assert "Bureau du rez-de-chaussée" in page_html


def test_api_says_what_the_finder_says(client, index, ferry):
    [item] = get_json(client, "/api/v1/schools/")["items"]
    html = client.get(index.url).content.decode()
    first = datetime.fromisoformat(item["next_permanences"][0]["start"])
    assert f'<time datetime="{first.isoformat()}">' in html
    assert item["referent"]["name"] in html
    assert item["name"] in html


def test_urls_list_only_live_translations_as_absolute_urls(client, ferry):
    arabic = translate_page(ferry, "ar", title="مدرسة جول فيري")
    translate_page(ferry, "pt", title="Escola Jules-Ferry", publish=False)

    [item] = get_json(client, "/api/v1/schools/")["items"]

    assert item["urls"] == {
        "fr": f"http://testserver{ferry.url}",
        "ar": f"http://testserver{arabic.url}",
    }
    assert item["urls"]["ar"].startswith("http://testserver/ar/")


def test_one_identity_whatever_the_language(client, ferry, index):
    other = make_school(index, "École Pasteur")
    arabic = translate_page(ferry, "ar", title="مدرسة جول فيري", places=["مكتب الطابق الأرضي", "قاعة الأولياء"])

    french = get_json(client, "/api/v1/schools/")["items"]
    in_arabic = get_json(client, "/api/v1/schools/", lang="ar")["items"]

    assert [i["id"] for i in french] == [i["id"] for i in in_arabic] == [ferry.pk, other.pk]
    assert in_arabic[0]["name"] == "مدرسة جول فيري"
    assert in_arabic[0]["permanences"][0]["place"] == "مكتب الطابق الأرضي"
    assert in_arabic[0]["next_permanences"][0]["start"] == french[0]["next_permanences"][0]["start"]
    assert in_arabic[1]["name"] == "École Pasteur"  # not translated yet: the French text

    detail = get_json(client, f"/api/v1/schools/{ferry.pk}/", lang="ar")
    assert detail["id"] == ferry.pk
    assert detail["name"] == "مدرسة جول فيري"

    redirect = client.get(f"/api/v1/schools/{arabic.pk}/", {"lang": "ar"})
    assert redirect.status_code == 301
    assert redirect["Location"] == f"/api/v1/schools/{ferry.pk}/?lang=ar"


def test_detail_is_404_json_for_unknown_or_unpublished(client, ferry, index):
    draft = make_school(index, "École fermée")
    draft.unpublish()
    for pk in (draft.pk, 999999, index.pk):
        body = get_json(client, f"/api/v1/schools/{pk}/", status=404)
        assert body["error"] == "not_found"
    assert [i["id"] for i in get_json(client, "/api/v1/schools/")["items"]] == [ferry.pk]


def test_school_without_referent_or_permanence(client, index):
    school = make_school(index, "École Pasteur")
    item = get_json(client, f"/api/v1/schools/{school.pk}/")
    assert item["referent"] is None
    assert item["permanences"] == [] and item["next_permanences"] == []
    assert item["priority_network"] is None


@pytest.mark.parametrize("method", ["post", "put", "patch", "delete"])
def test_api_is_read_only(client, ferry, method):
    for url in ("/api/v1/schools/", f"/api/v1/schools/{ferry.pk}/"):
        response = getattr(client, method)(url)
        assert response.status_code == 405
        assert response["Allow"] == "GET, HEAD"
        assert response.json()["error"] == "method_not_allowed"


def test_post_is_405_even_with_csrf_checks(ferry):
    from django.test import Client

    response = Client(enforce_csrf_checks=True).post("/api/v1/schools/")
    assert response.status_code == 405


def test_api_headers_allow_any_origin_and_caching(client, ferry):
    response = client.get("/api/v1/schools/")
    assert response["Access-Control-Allow-Origin"] == "*"
    assert response["Cache-Control"] == "public, max-age=300"


def test_page_cache_keeps_the_api_max_age(client, ferry, settings):
    settings.PAGE_CACHE_ENABLED = True
    for _ in range(2):
        assert client.get("/api/v1/schools/")["Cache-Control"] == "public, max-age=300"


def test_unknown_language_is_a_400_json(client, ferry):
    assert get_json(client, "/api/v1/schools/", status=400, lang="xx")["error"] == "unknown_language"


# Restrictions and schools with referents, permanences, restrictions and live translations for
# `urls`, closure periods, unreplaced absences, and the site lookups any request makes (cached after the first).
API_QUERIES = 10


@pytest.mark.parametrize("count", [12, 60])
def test_list_query_count_does_not_grow_with_schools(client, index, count, django_assert_max_num_queries):
    make_town(index, count)
    make_worker()  # a worker with no school changes nothing
    with django_assert_max_num_queries(API_QUERIES):
        items = client.get("/api/v1/schools/").json()["items"]
    assert len(items) == count
    assert all(item["urls"]["fr"] and item["next_permanences"] for item in items)
