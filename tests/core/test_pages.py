"""One look-up of "this page in the source language" (core.pages)."""

import pytest

from core.pages import in_source_language, source_page
from services.models import Permanence, SchoolPage
from tests.factories import make_index, make_school, make_site, permanence, translate_page


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
