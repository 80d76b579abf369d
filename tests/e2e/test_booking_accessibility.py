"""axe-core (RGAA rules) on every booking step and its error state, in French and in Arabic,
and on the thematic evening registration form. The confirmation is checked by the booking
journey itself (tests/e2e/test_journeys.py), which is the only way to reach it."""

import re

import pytest

from tests.e2e.axe import axe_violations
from tests.e2e.journeys import assert_step, fill_details, fresh_limits, open_evening_form, prefix, school

SCHOOLS = {"fr": "les-tilleuls", "ar": "jean-jaures"}


def submit(page):
    page.locator("main form button[type=submit]").click()
    page.wait_for_load_state()


def check(page, language, step, label):
    assert_step(page, language, step)
    page.shots(f"{language}-{label}")
    assert axe_violations(page) == [], f"{language} {label}"


@pytest.mark.parametrize("language", ["fr", "ar"])
def test_every_booking_step_and_its_error_state_has_no_rgaa_violation(page, db_access, language):
    fresh_limits()
    source = school(db_access, SCHOOLS[language])
    p = prefix(language)

    page.goto(f"{p}/rendez-vous/")
    check(page, language, "ecole", "ecole")
    submit(page)
    assert page.locator(".error-summary").is_visible()
    check(page, language, "ecole", "ecole-error")
    page.select_option("#id_school", str(source.pk))
    submit(page)

    check(page, language, "modalite", "modalite")
    submit(page)
    assert page.get_attribute("#id_mode_0", "aria-invalid") == "true"
    check(page, language, "modalite", "modalite-error")
    page.check("input[name=mode][value=school]")
    submit(page)

    check(page, language, "creneau", "creneau")
    submit(page)
    assert page.locator(".error-summary a[href='#id_slot_0']").count() == 1
    check(page, language, "creneau", "creneau-error")
    page.check("#id_slot_0")
    submit(page)

    check(page, language, "coordonnees", "coordonnees")
    page.fill("#id_email", "not an address")
    submit(page)
    check(page, language, "coordonnees", "coordonnees-error")
    fill_details(page, name="Inès Moreau", email=f"axe-{language}@example.org")
    submit(page)

    check(page, language, "recapitulatif", "recapitulatif")


@pytest.mark.parametrize("language", ["fr", "ar"])
def test_evening_registration_form_and_its_errors_have_no_rgaa_violation(page, db_access, language):
    open_evening_form(page, db_access, language)
    assert page.locator("html").get_attribute("lang") == language
    page.shots(f"{language}-evening-form")
    assert axe_violations(page) == []
    page.locator("main form button[type=submit]").click()
    page.wait_for_url(re.compile(r"/inscription/$"))
    assert page.locator("#id_name").get_attribute("aria-invalid") == "true"
    page.shots(f"{language}-evening-form-error")
    assert axe_violations(page) == []
