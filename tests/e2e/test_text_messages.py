"""A family that gives only a mobile number books in Arabic on a phone, gets its confirmation by
text message in Arabic, and opens its appointment from the text's short link (issue 12)."""

import re

import pytest

from forms.notifications.sms.backends import locmem
from tests.e2e.journeys import assert_html, assert_step, fill_details, fresh_limits, prefix, school

SHORT_LINK = re.compile(r"https?://[^/\s]+(/r/[A-Za-z0-9_-]{16,})")


@pytest.fixture(autouse=True)
def _text_messages(settings):
    fresh_limits()
    settings.SMS_BACKEND = "forms.notifications.sms.backends.locmem.SmsBackend"
    locmem.outbox.clear()
    yield
    locmem.outbox.clear()


def to_the_contact_step(page, db_access, language):
    """From a school's booking link, a school appointment at its first free slot."""
    source = school(db_access, "simone-veil")
    page.goto(f"{prefix(language)}/rendez-vous/?ecole={source.pk}")
    page.check("input[name=mode][value=school]")
    page.locator("main form button[type=submit]").click()
    page.wait_for_url(re.compile(r"/rendez-vous/creneau/$"))
    page.check("#id_slot_0")
    page.locator("main form button[type=submit]").click()
    page.wait_for_url(re.compile(r"/rendez-vous/coordonnees/$"))


def test_a_mobile_only_family_books_in_arabic_and_opens_its_appointment_from_the_text(page, db_access):
    from forms.models import AppointmentRequest, Notification

    to_the_contact_step(page, db_access, "ar")
    assert_step(page, "ar", "coordonnees")
    # Text message is preselected; a landline with it chosen is refused next to the choice.
    assert page.locator("input[name=notify_by][value=sms]").is_checked()
    fill_details(page, name="Samira Haddad", email="", phone="01 45 67 89 01")
    page.locator("main form button[type=submit]").click()
    page.wait_for_url(re.compile(r"/rendez-vous/coordonnees/$"))
    error = page.locator("#id_notify_by_error, .field--error").first.inner_text()
    assert "محمول" in error
    assert page.input_value("#id_parent_name") == "Samira Haddad"  # nothing typed is lost
    page.fill("#id_phone", "06 98 76 54 32")
    page.check("#id_consent")
    page.locator("main form button[type=submit]").click()
    page.wait_for_url(re.compile(r"/rendez-vous/recapitulatif/$"))
    page.locator("main form button[type=submit]").click()
    page.wait_for_url(re.compile(r"/ar/rendez-vous/confirmation/[^/]+/$"))
    reference = page.locator(".booking__reference").inner_text().strip()
    assert "رسالة نصية" in page.locator("main").inner_text()  # "a confirmation is sent to you by text message"

    [text] = [message for message in locmem.outbox if message.to == "+33698765432"]
    assert reference in text.text and "موعد" in text.text
    path = SHORT_LINK.search(text.text).group(1)
    page.goto(path)
    assert page.url.split("?")[0].split("/annuler/")[0].endswith("/ar")
    assert_html(page, "ar")
    assert reference in page.content()
    with db_access():
        request = AppointmentRequest.objects.get(reference=reference)
        assert request.notify_by == "sms" and request.email == ""
        row = Notification.objects.get(request=request, kind=Notification.Kind.PARENT_CONFIRMATION)
        assert (row.channel, row.state) == (Notification.Channel.SMS, Notification.State.SENT)


def test_the_message_shows_a_live_count_and_a_longer_one_is_refused_not_cut(page, db_access):
    to_the_contact_step(page, db_access, "fr")
    assert page.locator("#id_message").get_attribute("maxlength") is None
    page.fill("#id_message", "Bonjour")
    assert page.locator("#id_message_count").inner_text() == "7 / 5000 caractères"
    fill_details(page, name="Julie Martin", email="")
    page.fill("#id_message", "a" * 5001)  # pasted: nothing cuts it
    assert page.locator("#id_message_count").inner_text() == "5001 / 5000 caractères"
    page.locator("main form button[type=submit]").click()
    page.wait_for_url(re.compile(r"/rendez-vous/coordonnees/$"))
    assert "5000" in page.locator(".error-summary").inner_text()
    assert len(page.input_value("#id_message")) == 5001  # what was typed is kept
