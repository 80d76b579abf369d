"""Home and information pages in the five languages, with the language switcher."""

from django.conf import settings
from wagtail.models import Page

from home.demo import pages as demo_content
from home.demo.localize import translate
from home.models import AccessibilityStatementPage, InformationPage
from tests.factories import InformationPageFactory
from tests.helpers import (
    LANGUAGES,
    html_attributes,
    language_of_path,
    switcher_links,
    text_direction,
)


def translations_by_language(page):
    """{language code: live translation} of a page, the page itself included."""
    return {
        translation.locale.language_code: translation.specific
        for translation in page.get_translations(inclusive=True).live().select_related("locale")
    }


def demo_pages(home):
    """The French home page, its information pages and the accessibility statement, as the demo
    builds them."""
    children = Page.objects.child_of(home).filter(locale=home.locale).type(InformationPage, AccessibilityStatementPage)
    return [home, *children.specific().order_by("path")]


def test_the_portal_offers_french_english_arabic_portuguese_and_turkish():
    assert [code for code, _name in settings.LANGUAGES] == LANGUAGES
    assert settings.LANGUAGE_CODE == "fr"


def test_home_and_information_pages_are_served_in_every_language_with_lang_dir_and_switcher(demo_site, client):
    # One test for both checks: each needs the whole demo, and loading it is the slow part.
    pages = demo_pages(demo_site)
    slugs = {page.slug for page in pages[1:]}
    assert {page["slug"] for page in demo_content.INFORMATION_PAGES} <= slugs
    assert len(slugs) >= 6, "missions, secrecy, child protection, accessibility, legal notice, privacy"
    problems = []
    for source in pages:
        translations = translations_by_language(source)
        missing = [code for code in LANGUAGES if code not in translations]
        if missing:
            problems.append(f"{source.slug}: no live translation in {missing}")
            continue
        expected_switcher = [
            {
                "href": translations[code].get_url(),
                "hreflang": code,
                "lang": code,
                "dir": text_direction(code),
            }
            for code in LANGUAGES
        ]
        for code in LANGUAGES:
            page = translations[code]
            url = page.get_url()
            if language_of_path(url) != code:
                problems.append(f"{source.slug} [{code}]: URL {url} lacks the language prefix")
            response = client.get(url)
            if response.status_code != 200:
                problems.append(f"{url}: status {response.status_code}")
                continue
            # Wagtail serves the French page at /en/... when a translation is a draft: check
            # that the page served is the translation itself.
            served = response.context["page"]
            if served.pk != page.pk:
                problems.append(f"{url}: served the {served.locale.language_code} page {served.pk}")
            attributes = html_attributes(response)
            if attributes != {"lang": code, "dir": text_direction(code)}:
                problems.append(f"{url}: <html> has {attributes}")
            links = switcher_links(response)
            if links != expected_switcher:
                problems.append(f"{url}: switcher {links}, expected {expected_switcher}")
    assert problems == []


def test_language_switcher_falls_back_to_the_home_page_of_a_language_without_translation(
    french_home, locales, client, committed
):
    page = InformationPageFactory(parent=french_home, title="Missions", slug="missions", publish=True)
    # One commit per translation, as load_demo and the admin do (see demo_site in conftest).
    for code in LANGUAGES[1:]:
        with committed():
            translate(french_home, locales[code], strings={})
    with committed():
        translate(page, locales["en"], strings={"Missions": "Our missions", "missions": "our-missions"})

    links = {link["hreflang"]: link["href"] for link in switcher_links(client.get("/missions/"))}

    assert links == {"fr": "/missions/", "en": "/en/our-missions/", "ar": "/ar/", "pt": "/pt/", "tr": "/tr/"}
