"""The school finder: accent-free search, kind filter, results with referent and next permanence."""

from datetime import UTC, datetime, time

import pytest
from django.utils import translation

from services.availability import next_occurrences
from services.finder import find_schools
from services.models import SchoolPage
from services.templatetags.services_tags import hour
from tests.factories import make_index, make_school, make_town, permanence, translate_page

Kind = SchoolPage.Kind


@pytest.fixture
def schools(index, leroy, centre):
    return {
        "ferry": make_school(
            index,
            "École Jules-Ferry",
            Kind.ELEMENTARY,
            leroy,
            permanences=[permanence(weekday=2, start="08:30", end="12:00", place="Bureau du rez-de-chaussée")],
            address="12 rue de la République",
            postcode="92000",
            neighbourhood="Centre-ville",
        ),
        "hirondelles": make_school(
            index,
            "École maternelle Les Hirondelles",
            Kind.NURSERY,
            leroy,
            permanences=[permanence(weekday=4, start="13:30", end="16:30", place="Salle des maîtres")],
            address="3 allée des Acacias",
            postcode="92001",
            neighbourhood="Les Planchettes",
            social_centre=centre,
            priority_network=SchoolPage.Network.REP_PLUS,
        ),
        "pasteur": make_school(index, "École Pasteur", Kind.PRIMARY, address="1 place Pasteur", postcode="92002"),
    }


def titles(finder):
    return [result.school.title for result in finder["results"]]


@pytest.mark.parametrize("query", ["jules ferry", "JULES-FERRY", "École Jules", "ecole  jules-ferry ", "ferry"])
def test_finder_ignores_accents_case_and_hyphens(index, schools, query):
    assert titles(find_schools(index, {"q": query})) == ["École Jules-Ferry"]


def test_every_word_must_match(index, schools):
    assert titles(find_schools(index, {"q": "jules pasteur"})) == []


def test_finder_searches_neighbourhood_social_centre_address_and_postcode(index, schools):
    assert titles(find_schools(index, {"q": "planchettes"})) == ["École maternelle Les Hirondelles"]
    assert titles(find_schools(index, {"q": "emile zola"})) == ["École maternelle Les Hirondelles"]
    assert titles(find_schools(index, {"q": "rue de la republique"})) == ["École Jules-Ferry"]
    assert titles(find_schools(index, {"q": "92002"})) == ["École Pasteur"]


def test_renaming_a_social_centre_updates_the_search(index, schools, centre):
    centre.name = "Maison des familles"
    centre.save()
    assert titles(find_schools(index, {"q": "maison des familles"})) == ["École maternelle Les Hirondelles"]


def test_kind_filter(index, schools):
    assert titles(find_schools(index, {"kind": Kind.NURSERY})) == ["École maternelle Les Hirondelles"]
    assert titles(find_schools(index, {"q": "ecole", "kind": Kind.ELEMENTARY})) == ["École Jules-Ferry"]


def test_without_parameters_all_schools_are_listed_alphabetically(index, schools):
    finder = find_schools(index, {})
    assert titles(finder) == ["École Jules-Ferry", "École maternelle Les Hirondelles", "École Pasteur"]
    assert finder["count"] == 3
    assert finder["searched"] is False
    assert not finder["form"].is_bound


def test_only_live_schools_of_this_index(index, schools, home):
    draft = make_school(index, "École Jules-Ferry annexe")
    draft.unpublish()
    make_school(make_index(home, title="Autres écoles", slug="autres-ecoles"), "École Jules-Ferry bis")
    assert titles(find_schools(index, {"q": "jules ferry"})) == ["École Jules-Ferry"]


def test_invalid_kind_gives_a_message_and_applies_the_valid_filters(index, schools):
    finder = find_schools(index, {"q": "ferry", "kind": "lycee"})
    assert finder["form"].errors["kind"]
    assert titles(finder) == ["École Jules-Ferry"]


def test_results_carry_referent_and_next_permanence(index, schools, leroy):
    result = find_schools(index, {"q": "ferry"})["results"][0]
    assert result.referent == leroy
    expected = next_occurrences(schools["ferry"], count=1)[0]
    assert result.next_permanence.start == expected.start
    assert result.next_permanence.start.isoweekday() == 2
    assert result.next_permanence.start.time() == time(8, 30)
    assert find_schools(index, {"q": "pasteur"})["results"][0].next_permanence is None


def test_index_page_shows_the_finder_and_result_cards(client, index, schools):
    response = client.get(index.url, {"q": "jules ferry"})
    html = response.content.decode()
    assert response.status_code == 200
    assert '<input type="search" name="q" id="id_q" value="jules ferry"' in html
    assert '<label for="id_kind">' in html
    assert "Toutes les écoles" in html
    assert 'role="status"' in html
    assert "1 école correspond à votre recherche." in html
    assert f'href="{schools["ferry"].url}"' in html
    assert "Mme Leroy" in html
    assert "Assistant·e de service social" in html
    occurrence = next_occurrences(schools["ferry"], count=1)[0]
    with translation.override("fr"):
        day = f"{occurrence.start:%d}".lstrip("0")
    assert f"{day} " in html
    assert "8 h 30 – 12 h</time>, Bureau du rez-de-chaussée" in html
    assert "Hirondelles" not in html


def test_index_page_with_no_result_suggests_spelling_or_calling(client, index, schools):
    html = client.get(index.url, {"q": "zzzz"}).content.decode()
    assert "Aucune école ne correspond à votre recherche." in html
    assert "Vérifiez l'orthographe" in html
    assert "Appelez le CCAS" in html


@pytest.mark.parametrize("params", [{"kind": "lycee"}, {"q": "x" * 101}, {"q": "é" * 300, "kind": "<b>"}])
def test_bad_input_shows_a_message_not_an_error(client, index, schools, params):
    response = client.get(index.url, params)
    html = response.content.decode()
    assert response.status_code == 200
    assert 'class="error-summary" role="alert"' in html
    assert 'aria-invalid="true"' in html
    assert "<b>" not in html


def test_arabic_index_lists_the_arabic_translations(client, index, schools):
    school = translate_page(schools["ferry"], "ar", title="مدرسة جول فيري", places=["مكتب الطابق الأرضي"])
    ar_index = school.get_parent()
    response = client.get(ar_index.url)
    html = response.content.decode()
    assert response.status_code == 200
    assert 'dir="rtl"' in html
    assert "مدرسة جول فيري" in html
    assert "مكتب الطابق الأرضي" in html
    assert "Mme Leroy" in html
    assert "08:30 – 12:00" in html
    assert "École Jules-Ferry" not in html
    assert titles(find_schools(index, {})) == [
        "École Jules-Ferry",
        "École maternelle Les Hirondelles",
        "École Pasteur",
    ]


# Restrictions (public()), schools with referents and centres, permanences, closure periods,
# referents away without replacement.
FINDER_QUERIES = 5
# The finder plus what every page costs: site, routing, menu, language switcher, breadcrumbs, settings.
PAGE_QUERIES = 22


@pytest.mark.parametrize("count", [12, 60])
def test_finder_query_count_does_not_grow_with_schools(index, count, django_assert_max_num_queries):
    make_town(index, count)
    with django_assert_max_num_queries(FINDER_QUERIES):
        finder = find_schools(index, {"q": "ecole"})
        assert all(result.next_permanence for result in finder["results"])
    assert finder["count"] == count


@pytest.mark.parametrize("count", [12, 60])
def test_index_page_query_count_does_not_grow_with_schools(client, index, count, django_assert_max_num_queries):
    make_town(index, count)
    with django_assert_max_num_queries(PAGE_QUERIES):
        response = client.get(index.url)
    assert response.status_code == 200
    assert response.content.decode().count('class="card"') == count


def test_hour_filter_formats_per_language():
    with translation.override("fr"):
        assert hour(time(8, 30)) == "8 h 30"
        assert hour(time(12, 0)) == "12 h"
    with translation.override("ar"):
        assert hour(time(8, 30)) == "08:30"
    assert hour(time(12, 0), "en") == "12:00"
    assert hour(None) == ""


def test_hour_filter_shows_aware_datetimes_in_paris():
    assert hour(datetime(2026, 7, 1, 6, 30, tzinfo=UTC), "fr") == "8 h 30"
    assert hour(datetime(2026, 12, 1, 7, 30, tzinfo=UTC), "fr") == "8 h 30"


def test_the_index_page_shows_the_finders_results_for_its_query_string(client, index, schools):
    # The page's template asks the finder ({% school_finder page as finder %}): the page model
    # does not import the finder, which imports the page models.
    html = client.get(index.url, {"q": "pasteur"}).content.decode()

    assert "École Pasteur" in html
    assert "École Jules-Ferry" not in html
