"""Anti-spam on the booking flow: the honeypot and reCAPTCHA only with keys and after consent
(the submission limits: test_antispam_limits.py). Google is mocked: the suite never reaches
the network."""

from __future__ import annotations

import re
from unittest import mock

import pytest
from django.utils import translation
from django.utils.translation import gettext
from django_recaptcha.client import RecaptchaResponse

from forms.models import AppointmentRequest
from tests.booking_walk import DETAILS, error_texts, submission_key, url, walk_to
from tests.factories import SchoolPageFactory
from tests.helpers import parse

pytestmark = [pytest.mark.django_db, pytest.mark.usefixtures("fresh_cache")]

GOOGLE = "django_recaptcha.fields.client.submit"
HONEYPOT_MESSAGE = "Le formulaire n'a pas pu être envoyé. Réessayez ; si cela continue, appelez le service."
CONSENT_QUESTION = "La vérification anti-robot utilise un service de Google. Acceptez-vous ?"


@pytest.fixture
def school(db):
    return SchoolPageFactory(bookable_every_weekday=True)


@pytest.fixture
def with_keys(settings):
    settings.RECAPTCHA_ENABLED = True
    settings.RECAPTCHA_PUBLIC_KEY = "public-key-for-tests"
    settings.RECAPTCHA_PRIVATE_KEY = "private-key-for-tests"
    return settings


@pytest.fixture
def google():
    """Google's verification, mocked; fails the test if it is called unexpectedly."""
    with mock.patch(GOOGLE, side_effect=AssertionError("Google must not be called here")) as submit:
        yield submit


def test_honeypot_is_hidden_labelled_and_out_of_the_tab_order(client, school):
    page = walk_to(client, "coordonnees", school)
    soup = parse(page)
    field = soup.select_one(".honeypot input#id_website")
    assert field is not None
    assert field["tabindex"] == "-1"
    assert field["autocomplete"] == "off"
    assert soup.select_one('.honeypot label[for="id_website"]').get_text(strip=True) == "Ne pas remplir"


def test_filled_honeypot_gets_a_generic_error_and_nothing_goes_further(client, school):
    walk_to(client, "coordonnees", school)
    response = client.post(url("coordonnees"), {**DETAILS, "website": "http://spam.example"})
    assert response.status_code == 200
    assert HONEYPOT_MESSAGE in parse(response).select_one(".error-summary").get_text()
    # The details were not kept: the summary step is still out of reach, nothing is stored.
    assert client.get(url("recapitulatif"))["Location"] == url("coordonnees")
    assert AppointmentRequest.objects.count() == 0


def test_rate_limit_without_remote_address_is_not_a_500(client, school):
    walk_to(client, "recapitulatif", school)
    response = client.post(url("recapitulatif"), {"submission_key": "x"}, REMOTE_ADDR="")
    assert response.status_code == 200


def test_without_keys_the_captcha_is_off_and_no_question_is_asked(client, school, google):
    recap = walk_to(client, "recapitulatif", school)
    assert CONSENT_QUESTION not in recap.content.decode()
    assert "recaptcha" not in recap.content.decode()
    client.post(url("recapitulatif"), {"submission_key": submission_key(recap)})
    assert AppointmentRequest.objects.get().captcha == AppointmentRequest.Captcha.NOT_CONFIGURED
    google.assert_not_called()


def test_with_keys_consent_is_asked_before_any_google_script(client, school, with_keys, google):
    recap = walk_to(client, "recapitulatif", school)
    page = recap.content.decode()
    assert CONSENT_QUESTION in page
    assert "recaptcha/api.js" not in page
    assert "google.com" not in page
    radios = [r["value"] for r in parse(recap).select('fieldset input[name="captcha_consent"]')]
    assert radios == ["yes", "no"]


def test_consent_question_must_be_answered(client, school, with_keys, google):
    recap = walk_to(client, "recapitulatif", school)
    for answer in ({}, {"captcha_consent": "maybe"}):
        response = client.post(url("recapitulatif"), {"submission_key": submission_key(recap), **answer})
        assert response.status_code == 200
        assert error_texts(response)
    assert AppointmentRequest.objects.count() == 0


def test_yes_shows_googles_widget_in_the_page_language(client, school, with_keys, google):
    recap = walk_to(client, "recapitulatif", school, language="ar")
    response = client.post(
        url("recapitulatif", "ar"), {"submission_key": submission_key(recap), "captcha_consent": "yes"}
    )
    assert response.status_code == 302
    assert response["Location"] == url("recapitulatif", "ar")
    assert AppointmentRequest.objects.count() == 0
    page = client.get(url("recapitulatif", "ar"))
    soup = parse(page)
    script = soup.find("script", src=lambda src: src and "recaptcha/api.js" in src)
    assert script is not None
    assert "hl=ar" in script["src"]
    assert soup.select_one('.g-recaptcha[data-sitekey="public-key-for-tests"]') is not None
    assert soup.select_one('input[name="captcha_consent"][value="yes"]').has_attr("checked")
    # No inline script: the Content-Security-Policy refuses them.
    assert all(tag.has_attr("src") for tag in soup.find_all("script"))
    # Google's script carries this response's nonce, which the policy names.
    assert script["nonce"] and f"'nonce-{script['nonce']}'" in page["Content-Security-Policy"]
    again = parse(client.get(url("recapitulatif", "ar"))).find("script", src=lambda src: src and "api.js" in src)
    assert again["nonce"] != script["nonce"]


def test_googles_hosts_are_in_the_policy_of_the_widget_step_only(client, school, with_keys, google):
    """The Content-Security-Policy names Google only on the response that shows its widget."""
    pages = {"school page": client.get(school.url), "booking start": client.get(url("modalite"))}
    recap = walk_to(client, "recapitulatif", school)
    pages["recap, before consent"] = recap
    client.post(url("recapitulatif"), {"submission_key": submission_key(recap), "captcha_consent": "yes"})
    widget = client.get(url("recapitulatif"))
    for name, page in pages.items():
        policy = page["Content-Security-Policy"]
        assert "google" not in policy and "gstatic" not in policy, name
    policy = widget["Content-Security-Policy"]
    assert "recaptcha/api.js" in widget.content.decode()
    script_src = re.search(r"script-src ([^;]*)", policy).group(1).split()
    frame_src = re.search(r"frame-src ([^;]*)", policy).group(1).split()
    assert "https://www.google.com/recaptcha/" in script_src and "https://www.gstatic.com/recaptcha/" in script_src
    assert "'self'" in script_src and any(source.startswith("'nonce-") for source in script_src)
    assert frame_src == ["https://www.google.com/recaptcha/", "https://recaptcha.google.com/recaptcha/"]
    # Leaving the widget step: the strict policy again.
    assert "google" not in client.get(school.url)["Content-Security-Policy"]


def test_yes_and_a_valid_check_stores_captcha_passed(client, school, with_keys, google):
    recap = walk_to(client, "recapitulatif", school)
    key = submission_key(recap)
    client.post(url("recapitulatif"), {"submission_key": key, "captcha_consent": "yes"})
    google.side_effect = None
    google.return_value = RecaptchaResponse(is_valid=True)
    response = client.post(
        url("recapitulatif"),
        {"submission_key": key, "captcha_consent": "yes", "g-recaptcha-response": "token-from-google"},
    )
    assert response.status_code == 302
    assert AppointmentRequest.objects.get().captcha == AppointmentRequest.Captcha.PASSED
    assert google.call_args.kwargs["recaptcha_response"] == "token-from-google"
    assert google.call_args.kwargs["private_key"] == "private-key-for-tests"


def test_yes_and_a_failed_check_is_a_translated_error_and_stores_nothing(client, school, with_keys, google):
    recap = walk_to(client, "recapitulatif", school, language="ar")
    key = submission_key(recap)
    client.post(url("recapitulatif", "ar"), {"submission_key": key, "captcha_consent": "yes"})
    google.side_effect = None
    google.return_value = RecaptchaResponse(is_valid=False, error_codes=["invalid-input-response"])
    response = client.post(
        url("recapitulatif", "ar"),
        {"submission_key": key, "captcha_consent": "yes", "g-recaptcha-response": "bad-token"},
    )
    assert response.status_code == 200
    with translation.override("ar"):
        expected = gettext("La vérification anti-robot a échoué. Cochez à nouveau la case « Je ne suis pas un robot ».")
    assert any(expected in text for text in error_texts(response))
    assert AppointmentRequest.objects.count() == 0


def test_yes_without_ticking_the_box_is_an_error(client, school, with_keys, google):
    recap = walk_to(client, "recapitulatif", school)
    key = submission_key(recap)
    client.post(url("recapitulatif"), {"submission_key": key, "captcha_consent": "yes"})
    response = client.post(url("recapitulatif"), {"submission_key": key, "captcha_consent": "yes"})
    assert response.status_code == 200
    assert error_texts(response)
    assert AppointmentRequest.objects.count() == 0
    google.assert_not_called()


def test_declining_still_sends_the_request_marked_declined(client, school, with_keys, google):
    recap = walk_to(client, "recapitulatif", school)
    response = client.post(url("recapitulatif"), {"submission_key": submission_key(recap), "captcha_consent": "no"})
    assert response.status_code == 302
    assert AppointmentRequest.objects.get().captcha == AppointmentRequest.Captcha.DECLINED
    google.assert_not_called()


def test_changing_ones_mind_after_yes_declines_without_google(client, school, with_keys, google):
    recap = walk_to(client, "recapitulatif", school)
    key = submission_key(recap)
    client.post(url("recapitulatif"), {"submission_key": key, "captcha_consent": "yes"})
    response = client.post(url("recapitulatif"), {"submission_key": key, "captcha_consent": "no"})
    assert response.status_code == 302
    assert AppointmentRequest.objects.get().captcha == AppointmentRequest.Captcha.DECLINED
    google.assert_not_called()
