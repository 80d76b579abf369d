"""Admin speed (issue 16). Wagtail's page search and wagtail-localize's translations report are
their own views and templates: they read some objects row by row (the page search about 2
queries a result, its parent and specific row; the report about 8 a row, each translation's
source and target objects), bounded by their page size (20 and 50 rows), so neither grows with
the site beyond one page of results. Measured on the demo (PostgreSQL, our search backend):
page search 11 queries / 27 ms, translations report 411 queries / 388 ms."""

from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.urls import reverse
from wagtail.models import Locale
from wagtail_localize.models import Translation, TranslationSource

from tests.factories import InformationPageFactory, make_locales, make_site


def queries(client, url):
    with CaptureQueriesContext(connection) as captured:
        assert client.get(url).status_code == 200
    return len(captured)


def pages(home, count, start=0):
    return [
        InformationPageFactory(parent=home, title=f"Atelier école {n}", slug=f"atelier-{n}", publish=True)
        for n in range(start, start + count)
    ]


def test_admin_page_search_costs_the_same_for_25_and_60_matching_pages(admin_client, db):
    home = make_site()
    pages(home, 25)
    url = reverse("wagtailadmin_pages:search") + "?q=atelier"
    admin_client.get(url)
    one_page = queries(admin_client, url)
    pages(home, 35, start=25)
    assert queries(admin_client, url) == one_page <= 65


def translate_into(page, locales):
    source, _created = TranslationSource.get_or_create_from_instance(page)
    for locale in locales:
        Translation.objects.create(source=source, target_locale=locale).save_target(publish=True)


def test_translations_report_cost_per_row_is_wagtail_localizes_and_bounded_by_its_pages(admin_client, db):
    home = make_site()
    others = [locale for code, locale in make_locales().items() if code != "fr"]
    first = pages(home, 2)
    for page in first:
        translate_into(page, others[:1])
    url = reverse("wagtail_localize:translations_report")
    admin_client.get(url)
    two_rows = queries(admin_client, url)
    for page in pages(home, 2, start=2):
        translate_into(page, others[:1])
    four_rows = queries(admin_client, url)
    per_row = (four_rows - two_rows) / 2
    assert per_row <= 9, per_row
    assert Locale.objects.count() == 5
