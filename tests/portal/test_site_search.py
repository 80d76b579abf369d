"""Site search in the visitor's language (core.search, core.search_backend) and the site map
page: per language, accents ignored, any input answered (never a 500, bounded), linked from
every page's header and footer."""

import time

import pytest
from django.conf import settings
from django.db import connection

from core.search import MAX_RESULTS, clean_query, site_map
from tests.factories import (
    InformationPageFactory,
    make_evening,
    make_evening_index,
    make_index,
    make_school,
    make_site,
    translate_page,
)
from tests.helpers import parse

pytestmark = pytest.mark.usefixtures("fresh_cache")

HOSTILE = [
    "é" * 5000,
    "a " * 5000,
    "مدرسة جول فيري",
    "🏫🎒👨‍👩‍👧",
    "'; DROP TABLE wagtailcore_page; --",
    "école & | ! ( ) : * <-> \\ ' \"",
    "\x00\x01\u202e\u200f",
    "%",
]


@pytest.fixture
def site(db):
    home = make_site()
    index = make_index(home, publish=True)
    school = make_school(index, "École Jules-Ferry", address="12 rue de la République", publish=True)
    evenings = make_evening_index(home, publish=True)
    evening = make_evening(evenings, "Le sommeil des enfants", theme="Sommeil", place="Salle des fêtes", publish=True)
    info = InformationPageFactory(
        parent=home,
        title="Le secret professionnel",
        slug="secret",
        intro="Ce que l'assistante sociale garde pour elle.",
        publish=True,
    )
    translate_page(school, "ar", title="مدرسة جول فيري")
    translate_page(school, "en", title="Jules-Ferry School")
    translate_page(info, "tr", title="Mesleki gizlilik", intro="Sosyal çalışmacının kendine sakladıkları.")
    return {"home": home, "school": school, "evening": evening, "info": info}


def results(client, q, prefix=""):
    response = client.get(f"{prefix}/recherche/", {"q": q})
    assert response.status_code == 200
    found = parse(response).find("ol", class_="search-results")
    return [a.get_text(strip=True) for a in found.find_all("a")] if found else []


def test_search_finds_schools_evenings_and_pages_in_french(client, site):
    assert results(client, "Jules-Ferry") == ["École Jules-Ferry"]
    assert results(client, "sommeil") == ["Le sommeil des enfants"]
    assert "Le secret professionnel" in results(client, "secret professionnel")


def test_search_ignores_accents_both_ways(client, site):
    assert results(client, "ecole jules") == ["École Jules-Ferry"]
    assert results(client, "REPUBLIQUE") == ["École Jules-Ferry"]
    assert "École Jules-Ferry" in results(client, "ÉCOLE")
    if connection.vendor == "postgresql":
        # Stemmed as French too: "école" also finds "Les écoles".
        assert set(results(client, "ÉCOLE")) == {"École Jules-Ferry", "Les écoles"}


def test_search_answers_in_the_visitors_language_only(client, site):
    assert results(client, "Jules", prefix="/en") == ["Jules-Ferry School"]
    assert results(client, "مدرسة", prefix="/ar") == ["مدرسة جول فيري"]
    assert results(client, "gizlilik", prefix="/tr") == ["Mesleki gizlilik"]
    assert results(client, "gizlilik") == []


def test_no_result_says_so(client, site):
    response = client.get("/recherche/", {"q": "xylophone"})
    assert response.status_code == 200
    assert "0 résultat" in parse(response).find(role="status").get_text()


def test_an_empty_search_shows_the_form_only(client, site):
    response = client.get("/recherche/")
    assert response.status_code == 200
    assert parse(response).find(role="status") is None
    assert parse(response).find("main").find("input", attrs={"name": "q"}) is not None


@pytest.mark.parametrize("q", HOSTILE)
def test_hostile_input_is_answered_quickly(client, site, q):
    started = time.perf_counter()
    response = client.get("/recherche/", {"q": q})
    assert response.status_code == 200
    assert time.perf_counter() - started < 2
    assert len(parse(response).find("main").find("input", attrs={"name": "q"})["value"]) <= 200


def test_clean_query_bounds_any_text():
    assert clean_query("  école\x00  jules\n\tferry ") == "école jules ferry"
    assert len(clean_query("x" * 5000)) == 200
    assert len(clean_query("a " * 5000).split()) == 10
    assert clean_query(None) == ""


def test_results_are_bounded(client, db):
    home = make_site()
    for n in range(MAX_RESULTS + 5):
        InformationPageFactory(parent=home, title=f"Atelier {n}", slug=f"atelier-{n}", publish=True)
    assert len(results(client, "atelier")) == MAX_RESULTS


def test_every_page_has_the_search_field_in_its_header_without_script(client, site):
    for url in ("/", site["school"].get_url(), "/plan-du-site/"):
        header = parse(client.get(url)).find("header")
        form = header.find("form", role="search")
        assert form["method"] == "get" and form["action"] == "/recherche/"
        field = form.find("input", attrs={"name": "q"})
        assert header.find("label", attrs={"for": field["id"]}) is not None
        assert form.find("button", type="submit") is not None


def test_search_and_site_map_are_linked_in_every_languages_footer(client, site):
    for code, prefix in (("fr", ""), ("ar", "/ar")):
        footer = parse(client.get(f"{prefix}/")).find("footer")
        hrefs = {a["href"] for a in footer.find_all("a")}
        assert {f"{prefix}/recherche/", f"{prefix}/plan-du-site/"} <= hrefs, code


def test_site_map_lists_every_page_of_the_language(client, site):
    response = client.get("/plan-du-site/")
    assert response.status_code == 200
    titles = [a.get_text(strip=True) for a in parse(response).find("nav", class_="site-map").find_all("a")]
    for page in ("École Jules-Ferry", "Le sommeil des enfants", "Le secret professionnel", "Les écoles"):
        assert page in titles
    arabic = client.get("/ar/plan-du-site/")
    titles = [a.get_text(strip=True) for a in parse(arabic).find("nav", class_="site-map").find_all("a")]
    assert "مدرسة جول فيري" in titles
    assert "École Jules-Ferry" not in titles


def test_site_map_queries_do_not_grow_with_pages(site, django_assert_max_num_queries):
    with django_assert_max_num_queries(3):
        site_map("fr")


@pytest.mark.skipif(connection.vendor != "postgresql", reason="PostgreSQL configurations")
def test_postgresql_indexes_each_page_with_its_languages_configuration(site):
    from django.test import Client as client_for

    assert settings.WAGTAILSEARCH_BACKENDS["default"]["BACKEND"] == "core.search_backend"
    home = site["home"]
    page = InformationPageFactory(parent=home, title="Atelier running", slug="running", publish=True)
    translate_page(page, "en", title="Running workshops")
    # English stemming for the English page ("running" is "run"), French for the French one.
    assert results(client_for(), "run", prefix="/en") == ["Running workshops"]
    assert results(client_for(), "run") == []


def test_an_evening_is_found_by_its_theme_and_an_action_by_its_place(client, site):
    from services.models import CollectiveActionIndexPage, CollectiveActionPage

    make_evening(site["evening"].get_parent(), "Soirée des parents", theme="Cyberharcèlement", publish=True)
    actions = CollectiveActionIndexPage(title="Actions collectives", slug="actions")
    site["home"].add_child(instance=actions)
    actions.save_revision().publish()
    action = CollectiveActionPage(title="Le mercredi en famille", slug="mercredi", place="Ludothèque des Tilleuls")
    actions.add_child(instance=action)
    action.save_revision().publish()
    assert results(client, "cyberharcelement") == ["Soirée des parents"]
    assert results(client, "ludotheque") == ["Le mercredi en famille"]
