"""sitemap.xml lists the pages of every language; robots.txt points to it."""

from urllib.parse import urlparse
from xml.etree import ElementTree

import pytest

from home.demo.localize import translate
from tests.factories import InformationPageFactory
from tests.helpers import LANGUAGES, home_url

SITEMAP_NAMESPACE = "{http://www.sitemaps.org/schemas/sitemap/0.9}"


def sitemap_paths(client):
    response = client.get("/sitemap.xml")
    assert response.status_code == 200
    assert response["Content-Type"].startswith("application/xml")
    locations = ElementTree.fromstring(response.content).iter(f"{SITEMAP_NAMESPACE}loc")
    return [urlparse(location.text.strip()).path for location in locations]


def test_sitemap_lists_the_pages_of_all_five_languages(french_home, locales, client, committed):
    page = InformationPageFactory(parent=french_home, title="Missions", slug="missions", publish=True)
    draft = InformationPageFactory(parent=french_home, title="Brouillon", slug="brouillon", live=False)
    # One commit per translation, as load_demo and the admin do (see demo_site in conftest).
    for code in LANGUAGES[1:]:
        for source in (french_home, page):
            with committed():
                translate(source, locales[code], strings={"missions": f"missions-{code}"})

    paths = sitemap_paths(client)

    expected = [home_url("fr"), "/missions/"]
    for code in LANGUAGES[1:]:
        expected += [home_url(code), f"{home_url(code)}missions-{code}/"]
    assert sorted(paths) == sorted(expected)
    assert draft.get_url() not in paths


@pytest.mark.django_db
def test_robots_txt_keeps_crawlers_out_of_the_admin_and_names_the_sitemap(client):
    response = client.get("/robots.txt")

    assert response.status_code == 200
    assert response["Content-Type"].startswith("text/plain")
    lines = response.content.decode().splitlines()
    assert "User-agent: *" in lines
    assert "Disallow: /admin/" in lines
    assert "Sitemap: http://testserver/sitemap.xml" in lines
    assert client.get("/sitemap.xml").status_code == 200
