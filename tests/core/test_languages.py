"""Text direction and the active language come from core.languages only."""

import pytest
from django.utils import translation

from core.languages import current_language, text_direction
from tests.helpers import LANGUAGES
from tests.helpers import text_direction as expected_direction


@pytest.mark.parametrize("code", LANGUAGES)
def test_each_language_has_its_direction(code):
    assert text_direction(code) == expected_direction(code)


@pytest.mark.parametrize("code", LANGUAGES)
def test_without_a_code_the_active_language_decides(code):
    with translation.override(code):
        assert text_direction() == expected_direction(code)
        assert current_language() == code


def test_a_regional_variant_reads_as_its_language():
    assert text_direction("ar-dz") == "rtl"
    assert text_direction("fr-be") == "ltr"


def test_a_language_the_site_does_not_offer_falls_back_to_the_source_language():
    with translation.override("de"):
        assert current_language() == "fr"


def test_the_template_filter_says_the_same():
    from django.template import Context, Template

    template = Template("{% load portal_tags %}{{ 'ar'|text_direction }} {{ 'tr'|text_direction }}")
    assert template.render(Context()) == "rtl ltr"
