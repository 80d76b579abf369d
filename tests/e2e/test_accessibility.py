"""axe-core with the RGAA rules on the key public pages, in French and in Arabic."""

import pytest

from tests.e2e.axe import axe_violations

PAGES = [
    ("home", "/"),
    ("information", "/missions/"),
    ("school-index", "/ecoles/?q=jules"),
    ("school", "/ecoles/jules-ferry-elementaire/"),
    ("evening-index", "/soirees-thematiques/"),
    ("evening", "/soirees-thematiques/le-sommeil-des-enfants/"),
    ("not-found", "/page-qui-n-existe-pas/"),
    ("referral-form", "/orienter-une-famille/"),
]


@pytest.mark.parametrize("language", ["fr", "ar"])
@pytest.mark.parametrize("name, path", PAGES)
def test_public_page_has_no_rgaa_violation(page, language, name, path):
    url = path if language == "fr" else f"/{language}{path}"
    response = page.goto(url)
    assert response.status == (404 if name == "not-found" else 200)
    assert page.locator("html").get_attribute("lang") == language
    assert page.locator("html").get_attribute("dir") == ("rtl" if language == "ar" else "ltr")
    page.shots(f"{language}-{name}")
    assert axe_violations(page) == []


def test_the_accessibility_check_can_fail(page):
    """Guard against a silent axe: a field without a label must be reported."""
    page.set_content(
        '<html lang="fr"><head><title>t</title></head><body><main><input type="text"></main></body></html>'
    )
    violations = axe_violations(page)
    assert any(v.startswith("label:") for v in violations), violations
