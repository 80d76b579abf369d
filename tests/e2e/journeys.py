"""Helpers shared by the browser journeys: demo data look-ups, form filling, mail reading."""

import base64
import re

from django.core import mail
from django.core.cache import cache

from tests.helpers import totp_code

STEPS = ["ecole", "modalite", "creneau", "coordonnees", "recapitulatif"]
PASSWORD = "e2e-Journeys-2026!"
# The staff accounts' authenticator app: a known TOTP secret (hex, as django-otp stores it).
TOTP_KEY = "3132333435363738393031323334353637383930"


def prefix(language):
    return "" if language == "fr" else f"/{language}"


def school(db_access, slug):
    from services.models import SchoolPage

    with db_access():
        return SchoolPage.objects.get(slug=slug, locale__language_code="fr")


def open_evening_form(page, db_access, language, slug="le-sommeil-des-enfants"):
    """A demo evening's registration form, in `language`, with the submission limit reset."""
    from services.models import ThematicEveningPage

    fresh_limits()
    with db_access():
        evening = ThematicEveningPage.objects.get(slug=slug, locale__language_code="fr")
    page.goto(f"{prefix(language)}/soirees/{evening.pk}/inscription/")
    return evening


def fresh_limits():
    """The per-IP submission limit lives in the locmem cache, shared with the unit tests."""
    cache.clear()


def assert_html(page, language):
    html = page.locator("html")
    assert html.get_attribute("lang") == language
    assert html.get_attribute("dir") == ("rtl" if language == "ar" else "ltr")


def assert_step(page, language, step):
    # The first step after a school's link carries the school in its address (?ecole=).
    assert re.search(rf"{prefix(language)}/rendez-vous/{step}/(\?ecole=\d+)?$", page.url), page.url
    assert_html(page, language)


def fill_details(page, *, name, email, phone="06 12 34 56 78", notify_by=None):
    """The contact step. `notify_by`: "sms", "email" or "both"; by default both with an
    e-mail address, the preselected text message without."""
    page.select_option("#id_reason", "schooling")
    page.fill("#id_parent_name", name)
    page.fill("#id_phone", phone)
    page.fill("#id_email", email)
    page.check(f"input[name=notify_by][value={notify_by or ('both' if email else 'sms')}]")
    page.check("#id_consent")


def messages_to(address):
    return [message for message in mail.outbox if address in message.to]


def cancel_path(address):
    """The cancel link of the family's confirmation e-mail, as a path on the live server."""
    for message in messages_to(address):
        found = re.search(r"https?://[^/\s\"]+((?:/[a-z]{2})?/annuler/[^\s\"<]+/)", message.body)
        if found:
            return found.group(1)
    raise AssertionError(f"no cancel link in the mails to {address}: {[m.subject for m in messages_to(address)]}")


def create_staff(db_access, username, *, superuser=False):
    """A known password and authenticator app for a demo account (load_demo sets no password when
    DEBUG is False, and the test settings require the one-time code)."""
    from django.contrib.auth import get_user_model
    from django_otp.plugins.otp_totp.models import TOTPDevice

    User = get_user_model()
    with db_access():
        if superuser:
            user, _created = User.objects.get_or_create(
                username=username, defaults={"email": f"{username}@example.org", "is_staff": True}
            )
            user.is_superuser = True
            user.is_staff = True
        else:
            user = User.objects.get(username=username)
        user.is_active = True
        user.set_password(PASSWORD)
        user.save()
        TOTPDevice.objects.filter(user=user).delete()
        TOTPDevice.objects.create(user=user, name="e2e", key=TOTP_KEY, confirmed=True)
    return username


def admin_login(page, username):
    page.goto("/admin/login/")
    page.fill("#id_username", username)
    page.fill("#id_password", PASSWORD)
    page.locator("form button[type=submit]").first.click()
    # Then the one-time code, as the staff member's phone shows it (portal.two_factor).
    page.wait_for_url(re.compile(r"/admin/two-factor/verify/"))
    page.fill("#id_code", totp_code(base64.b32encode(bytes.fromhex(TOTP_KEY)).decode()))
    page.locator("form button[type=submit]").first.click()
    page.wait_for_url(re.compile(r"/admin/$"))
