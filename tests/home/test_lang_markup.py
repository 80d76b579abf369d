"""The CCAS's name, address and opening hours are written in French in the settings: inside
a page of another language they carry `lang="fr"` and, for Arabic, `dir="ltr"` (an Arabic
page would otherwise show "place de la République 12")."""

import pytest

from home.models import CCASSettings
from tests.factories import make_site, translate_page
from tests.helpers import login_staff, parse


@pytest.fixture
def ccas(db):
    home = make_site()
    translate_page(home, "ar", title="الخدمة الاجتماعية المدرسية")
    settings = CCASSettings.load()
    settings.name = "CCAS de Villebelle"
    settings.address = "Hôtel de ville annexe\n12 place de la République\n99100 Villebelle"
    settings.opening_hours = "<p>Du lundi au vendredi, 8 h 30 – 12 h</p>"
    settings.phone = "01 23 45 67 89"
    settings.save()
    return settings


def footer(client, path):
    return parse(client.get(path)).find("footer")


def test_arabic_footer_marks_the_french_address_hours_and_name(client, ccas):
    soup = footer(client, "/ar/")
    address = soup.find("address")
    assert (address.get("lang"), address.get("dir")) == ("fr", "ltr")
    assert "place de la République" in address.get_text()
    hours = soup.find(string=lambda text: "Du lundi au vendredi" in text).find_parent(attrs={"lang": True})
    assert (hours.get("lang"), hours.get("dir")) == ("fr", "ltr")
    name = soup.find("strong", string="CCAS de Villebelle").parent
    assert (name.get("lang"), name.get("dir")) == ("fr", "ltr")
    phone = soup.find("a", href="tel:0123456789")
    assert phone.get("dir") == "ltr"


def test_french_footer_has_no_language_marks(client, ccas):
    assert footer(client, "/").select("[lang]") == []


def test_translated_opening_hours_are_shown_in_the_page_language_without_a_french_mark(client, ccas):
    from home.models import CCASContactTranslation

    CCASContactTranslation.objects.create(
        ccas=ccas, language="ar", opening_hours="<p>من الاثنين إلى الجمعة، 8:30 – 12:00</p>"
    )
    soup = footer(client, "/ar/")
    hours = soup.select_one(".site-footer__hours div")
    assert "من الاثنين" in hours.get_text() and hours.get("lang") is None
    # The address has no Arabic version: still the French one, marked.
    assert soup.find("address").get("lang") == "fr"
    # Another language without a translation keeps the French hours, marked.
    translate_page(ccas_home(), "tr", title="Okul sosyal hizmeti")
    hours = footer(client, "/tr/").select_one(".site-footer__hours div")
    assert "Du lundi" in hours.get_text() and hours.get("lang") == "fr"


def ccas_home():
    from home.models import HomePage

    return HomePage.objects.get(locale__language_code="fr")


def test_the_ccas_settings_page_offers_the_translations(client, ccas, django_user_model):
    admin = django_user_model.objects.create_superuser("admin", "admin@example.org", "x")
    login_staff(client, admin)
    response = client.get(f"/admin/settings/home/ccassettings/{ccas.pk}/")
    if response.status_code == 302:  # the settings URL without the id on some versions
        response = client.get(response["Location"])
    assert response.status_code == 200
    assert "Adresse et horaires dans les autres langues" in response.content.decode()
