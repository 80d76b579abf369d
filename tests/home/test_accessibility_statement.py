"""The accessibility statement as content (RGAA model structure), the footer's
"Accessibilité : …" mention on every page in every language, and who may edit the CCAS
contact settings."""

from datetime import date
from decimal import Decimal

import pytest
from django.conf import settings
from django.urls import reverse

from forms.records.permissions import ASSISTANTS, MANAGER, WORKERS
from home.models import AccessibilityStatementPage, CCASSettings
from services.roles import COMMUNICATION
from tests.factories import UserFactory, make_index, make_school, make_site, translate_page
from tests.helpers import home_url, login_staff, parse

pytestmark = pytest.mark.usefixtures("fresh_cache")

PARTIAL = {
    "fr": "Accessibilité : partiellement conforme",
    "en": "Accessibility: partially compliant",
    "ar": "إمكانية الوصول: متوافق جزئياً",
    "pt": "Acessibilidade: parcialmente conforme",
    "tr": "Erişilebilirlik: kısmen uyumlu",
}


@pytest.fixture
def home(db):
    home = make_site()
    for code, _name in settings.LANGUAGES:
        if code != "fr":
            translate_page(home, code)
    return home


@pytest.fixture
def statement(home):
    page = AccessibilityStatementPage(
        title="Déclaration d'accessibilité",
        slug="accessibilite",
        status=AccessibilityStatementPage.Status.PARTIAL,
        compliance_rate=Decimal("84.62"),
        audit_date=date(2026, 11, 16),
        statement_date=date(2026, 11, 20),
        audit_by="Auto-évaluation par le CCAS",
        audit_tools="axe-core, NVDA",
        audited_pages="Accueil, page d'une école",
        non_compliant="<ul><li>Des PDF non balisés.</li></ul>",
        exempt_content="<p>Documents publiés avant 2018.</p>",
    )
    home.add_child(instance=page)
    page.save_revision().publish()
    ccas = CCASSettings.load()
    ccas.name, ccas.phone = "CCAS de Nanterre", "01 47 29 50 00"
    ccas.accessibility_page = page
    ccas.save()
    return page


def footer_text(response):
    return parse(response).find("footer").get_text(" ", strip=True)


def test_the_statement_follows_the_rgaa_model(client, statement):
    response = client.get(statement.get_url())
    assert response.status_code == 200
    main = parse(response).find("main")
    headings = [h.get_text(strip=True) for h in main.find_all("h2")]
    assert headings == [
        "État de conformité",
        "Résultats des tests",
        "Contenus non accessibles",
        "Établissement de cette déclaration d'accessibilité",
        "Retour d'information et contact",
        "Voies de recours",
    ]
    text = main.get_text(" ", strip=True)
    assert "partiellement conforme" in text
    assert "84,62 % des critères" in text
    assert "16 novembre 2026" in text
    assert "Auto-évaluation par le CCAS" in text
    assert "Des PDF non balisés." in text
    assert "Défenseur des droits" in text
    assert "01 47 29 50 00" in text


@pytest.mark.parametrize("code", ["fr", "en", "ar", "pt", "tr"])
def test_every_page_footer_states_the_status_in_its_language(client, home, statement, code):
    index = make_index(home, publish=True)
    school = make_school(index, "École Jules-Ferry", publish=True)
    translate_page(statement, code) if code != "fr" else None
    pages = [home_url(code)]
    if code == "fr":
        pages.append(school.get_url())
    for url in pages:
        response = client.get(url)
        assert response.status_code == 200, url
        footer = parse(response).find("footer")
        mention = footer.find(class_="site-footer__accessibility")
        assert mention.get_text(" ", strip=True).replace(" :", " :") == PARTIAL[code]
        link = mention.find("a")["href"]
        assert client.get(link).status_code == 200


def test_the_status_is_the_same_in_every_language(statement, home):
    english = translate_page(statement, "en")
    statement.status = AccessibilityStatementPage.Status.FULL
    statement.save_revision().publish()
    english.refresh_from_db()
    assert english.status == AccessibilityStatementPage.Status.FULL


def test_without_a_statement_the_footer_says_non_compliant(client, home):
    response = client.get("/")
    assert "Accessibilité : non conforme" in footer_text(response)


def settings_url(model):
    return reverse("wagtailsettings:edit", args=["home" if model == "ccassettings" else "forms", model])


@pytest.mark.parametrize(
    ("group", "may"),
    [(COMMUNICATION, True), (MANAGER, True), (ASSISTANTS, False), (WORKERS, False)],
)
def test_ccas_contact_settings_are_edited_by_the_manager_and_communication_staff(client, home, group, may):
    CCASSettings.load().save()
    login_staff(client, UserFactory(groups=[group]))
    response = client.get(settings_url("ccassettings"), follow=True)
    assert (response.status_code == 200 and "Coordonnées du CCAS" in response.content.decode()) is may


def test_booking_rules_stay_the_managers(client, home):
    login_staff(client, UserFactory(groups=[COMMUNICATION]))
    response = client.get(settings_url("bookingsettings"), follow=True)
    assert "Règles de réservation" not in parse(response).find("main").get_text()
    login_staff(client, UserFactory(groups=[MANAGER]))
    response = client.get(settings_url("bookingsettings"), follow=True)
    assert response.status_code == 200
