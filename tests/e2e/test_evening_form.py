"""The thematic evening form behaves as the booking steps do: after a failed submit, the
error summary takes the focus and its links lead to the fields."""

import re

import pytest

from tests.e2e.journeys import open_evening_form


@pytest.mark.parametrize("language", ["fr", "ar"])
def test_a_failed_evening_registration_moves_the_focus_to_the_error_summary(page, db_access, language):
    open_evening_form(page, db_access, language)
    page.fill("#id_phone", "12")  # not a phone number
    page.locator("main form button[type=submit]").click()
    page.wait_for_url(re.compile(r"/inscription/$"))
    page.wait_for_load_state()

    assert page.evaluate("document.activeElement.classList.contains('error-summary')")
    page.locator(".error-summary a[href='#id_phone']").click()
    assert page.evaluate("document.activeElement.id") == "id_phone"
    assert page.input_value("#id_phone") == "12"
