"""core.pages: one look-up of "this page in the source language", and BasePage.route."""

import pytest
from django.contrib.contenttypes.models import ContentType
from django.http import Http404
from wagtail.models import Locale, Page, PageViewRestriction

from core.pages import in_source_language, public, published_source, source_page
from services.models import Permanence, SchoolPage
from tests.factories import make_index, make_school, make_site, make_town, permanence, translate_page


@pytest.fixture
def school(db):
    index = make_index(make_site(), publish=True)
    return make_school(index, "École des Lilas", permanences=[permanence()], publish=True)


def test_a_translation_leads_to_its_source_and_the_source_to_itself(school):
    arabic = translate_page(school, "ar")

    assert source_page(SchoolPage.objects.get(pk=arabic.pk)) == school
    assert source_page(school) is school
    assert SchoolPage.objects.get(pk=arabic.pk).source_school == school


def test_a_page_created_directly_in_another_language_is_its_own_source(school):
    english = translate_page(school, "en")
    SchoolPage.objects.filter(pk=school.pk).delete()

    orphan = SchoolPage.objects.get(pk=english.pk)
    assert source_page(orphan) == orphan


def test_the_queryset_keeps_only_the_source_language(school):
    translate_page(school, "ar")
    translate_page(school, "tr")

    assert list(in_source_language(SchoolPage.objects.all())) == [school]
    assert SchoolPage.objects.count() == 3


def test_through_a_relation_the_related_page_decides(school):
    translate_page(school, "ar")

    permanences = in_source_language(Permanence.objects.all(), through="school")
    assert [p.school_id for p in permanences] == [school.pk]
    assert Permanence.objects.count() == 2


def test_the_look_up_costs_one_query(school, django_assert_num_queries):
    arabic = SchoolPage.objects.select_related("locale").get(pk=translate_page(school, "ar").pk)
    with django_assert_num_queries(1):
        source_page(arabic)


# public() and published_source(): what Wagtail's .public() keeps, in the same query.


def test_public_keeps_what_wagtail_keeps_without_a_query_of_its_own(school, django_assert_num_queries):
    lilas = school
    index = lilas.get_parent()
    roses = make_school(index.specific, "École des Roses", permanences=[permanence()], publish=True)
    PageViewRestriction.objects.create(page=roses, restriction_type=PageViewRestriction.PASSWORD, password="x")
    pages = Page.objects.live().descendant_of(index.get_parent(), inclusive=True)
    expected = set(pages.public().values_list("pk", flat=True))
    with django_assert_num_queries(1):
        kept = set(public(pages).values_list("pk", flat=True))
    assert kept == expected
    assert lilas.pk in kept and roses.pk not in kept

    # A restriction on an ancestor covers the whole branch, as in Wagtail.
    PageViewRestriction.objects.create(page=index, restriction_type=PageViewRestriction.LOGIN)
    assert set(public(pages).values_list("pk", flat=True)) == set(pages.public().values_list("pk", flat=True))
    assert lilas.pk not in set(public(pages).values_list("pk", flat=True))


def test_published_source_finds_the_french_school_from_any_translation(school):
    arabic = translate_page(school, "ar")
    assert published_source(SchoolPage, arabic.pk) == school
    assert published_source(SchoolPage, school.pk) == school
    assert published_source(SchoolPage, 10**9) is None


def test_published_source_refuses_an_unpublished_or_restricted_school(school):
    arabic = translate_page(school, "ar")
    PageViewRestriction.objects.create(page=school, restriction_type=PageViewRestriction.LOGIN)
    assert published_source(SchoolPage, school.pk) is None
    assert published_source(SchoolPage, arabic.pk) is None  # its French source is restricted
    PageViewRestriction.objects.all().delete()
    school.unpublish()
    assert published_source(SchoolPage, arabic.pk) is None


def test_a_page_with_no_source_translation_stands_for_itself(school):
    english = translate_page(school, "en")
    SchoolPage.objects.filter(pk=school.pk).delete()
    assert published_source(SchoolPage, english.pk).pk == english.pk


def test_view_restrictions_are_wagtails_in_one_query(school, django_assert_num_queries):
    index = school.get_parent()
    assert list(school.get_view_restrictions()) == []
    on_index = PageViewRestriction.objects.create(page=index, restriction_type=PageViewRestriction.LOGIN)
    on_school = PageViewRestriction.objects.create(page=school, restriction_type=PageViewRestriction.PASSWORD)
    other = make_school(index.specific, "École des Roses", permanences=[permanence()], publish=True)
    PageViewRestriction.objects.create(page=other, restriction_type=PageViewRestriction.LOGIN)
    with django_assert_num_queries(1):
        ours = set(school.get_view_restrictions())
    assert ours == set(Page.get_view_restrictions(school)) == {on_index, on_school}


def test_an_alias_counts_its_source_pages_restrictions_not_its_own(school):
    index = school.get_parent()
    alias = index.specific.create_alias(parent=index.get_parent(), update_slug="ecoles-bis")
    on_source = PageViewRestriction.objects.create(page=index, restriction_type=PageViewRestriction.LOGIN)
    PageViewRestriction.objects.create(page=alias, restriction_type=PageViewRestriction.LOGIN)
    alias = type(index.specific).objects.get(pk=alias.pk)
    assert set(alias.get_view_restrictions()) == set(Page.get_view_restrictions(alias)) == {on_source}


# BasePage.route: Wagtail's answer, in fewer queries.


def wagtail_route(page, request, components):
    """What Wagtail's own Page.route answers, level by level."""
    return Page.route(page, request, components)


@pytest.fixture
def town(db):
    home = make_site()
    index = make_index(home, publish=True)
    schools = make_town(index, 3)
    draft = make_school(index, "École en brouillon")
    Page.objects.filter(pk=draft.pk).update(live=False)  # unpublished
    translate_page(home, "ar")
    translate_page(index, "ar")
    translate_page(schools[0], "ar")
    return home, index, schools, draft


def components(page, home):
    return [c for c in page.url_path[len(home.url_path) :].split("/") if c]


def test_routing_answers_what_wagtails_walk_answers(town, rf):
    home, index, schools, draft = town
    request = rf.get("/")
    for page in [index, *schools]:
        path = components(page, home)
        ours = home.specific.route(request, path)
        assert ours.page.pk == wagtail_route(home, request, path).page.pk == page.pk
        assert type(ours.page) is type(page.specific)
    arabic_home = home.get_translation(Locale.objects.get(language_code="ar"))
    arabic_school = schools[0].get_translation(arabic_home.locale)
    assert arabic_home.specific.route(request, components(arabic_school, arabic_home)).page.pk == arabic_school.pk


@pytest.mark.parametrize("kind", ["draft", "missing child", "missing level"])
def test_an_unknown_or_unpublished_path_is_not_found_as_with_wagtail(town, rf, kind):
    home, index, schools, draft = town
    request = rf.get("/")
    path = {
        "draft": components(draft, home),
        "missing child": [index.slug, "pas-une-ecole"],
        "missing level": ["pas-un-index", schools[0].slug],
    }[kind]
    with pytest.raises(Http404):
        wagtail_route(home, request, path)
    with pytest.raises(Http404):
        home.specific.route(request, path)


def test_a_school_is_routed_in_two_queries_whatever_its_depth(town, rf, django_assert_num_queries):
    home, index, schools, draft = town
    home = home.specific
    ContentType.objects.clear_cache()
    home.specific.route(rf.get("/"), components(schools[0], home))  # warms the content types
    with django_assert_num_queries(2):
        home.route(rf.get("/"), components(schools[1], home))
