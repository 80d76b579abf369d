"""The request's Wagtail site from the cache generation's facts (portal.middleware
.CachedSiteMiddleware), with the fragment cache on as in production: read once, seen changed
at the next request, and never a 500 for a host the site does not serve."""

import pytest
from django.core.cache import cache
from django.core.management import call_command
from django.db import connection
from django.test.utils import CaptureQueriesContext
from wagtail.models import Site

from core.generation import generation
from home.models import CCASSettings
from tests.factories import InformationPageFactory, make_site

pytestmark = pytest.mark.django_db


@pytest.fixture(autouse=True)
def facts_cached(settings):
    settings.PAGE_CACHE_ENABLED = False
    settings.FRAGMENT_CACHE_ENABLED = True
    cache.clear()
    yield
    cache.clear()


def site_queries(client, url="/"):
    with CaptureQueriesContext(connection) as queries:
        response = client.get(url)
    return response, [q["sql"] for q in queries if '"wagtailcore_site"' in q["sql"]]


def test_the_site_is_read_once_then_from_the_cache(client):
    make_site()
    CCASSettings.load()  # created on the first read: a save, which bumps the generation
    first, cold = site_queries(client)
    second, warm = site_queries(client)
    assert first.status_code == second.status_code == 200
    assert cold and not warm
    assert second.content == first.content


def test_a_site_given_another_root_page_serves_it_at_the_next_request(client):
    home = make_site()
    client.get("/")
    page = InformationPageFactory(parent=home, title="Accueil des partenaires")
    page.save_revision().publish()
    site = Site.objects.get(is_default_site=True)
    site.root_page = page
    site.save()
    response = client.get("/")
    assert response.status_code == 200
    assert "Accueil des partenaires" in response.content.decode()


def test_a_host_the_site_does_not_serve_is_refused_without_a_500(client, settings):
    settings.ALLOWED_HOSTS = ["testserver"]
    make_site()
    response = client.get("/", HTTP_HOST="elsewhere.example")
    assert response.status_code == 400


def test_migrate_drops_what_the_previous_code_stored():
    before = generation()
    call_command("migrate", verbosity=0)
    assert generation() > before
