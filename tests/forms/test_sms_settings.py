"""The SMS settings from the environment: the sender is checked, and production will not run a
provider without its key nor hide that texts go nowhere."""

import os
import secrets
import subprocess
import sys

import pytest
from django.conf import settings

START_DJANGO = "import django; django.setup(); from django.conf import settings; print(settings.SMS_SENDER)"
SMS_VARIABLES = {"SMS_BACKEND", "SMS_API_KEY", "SMS_SENDER"}


def start_django(settings_module, **environment):
    env = {key: value for key, value in os.environ.items() if key not in SMS_VARIABLES}
    env.update(DJANGO_SETTINGS_MODULE=settings_module, **environment)
    if settings_module.endswith("production"):
        env.update(SECRET_KEY=secrets.token_urlsafe(50), ALLOWED_HOSTS="portal.example.fr")
    return subprocess.run(
        [sys.executable, "-c", START_DJANGO], cwd=settings.BASE_DIR, env=env, capture_output=True, text=True, timeout=60
    )


@pytest.mark.parametrize("sender", ["CCAS Ville", "CCASVILLEBELLE", "0612345678"])
def test_a_sender_that_phones_would_refuse_stops_the_start(sender):
    result = start_django("portal.settings.dev", SMS_SENDER=sender)
    assert result.returncode != 0 and "SMS_SENDER must be 1 to 11 letters or digits" in result.stderr


def test_an_alphanumeric_sender_of_eleven_characters_is_accepted():
    result = start_django("portal.settings.dev", SMS_SENDER="VILLEBELLE1")
    assert result.returncode == 0, result.stderr
    assert result.stdout.strip() == "VILLEBELLE1"


def test_production_refuses_a_provider_without_its_key():
    result = start_django("portal.settings.production", SMS_BACKEND="forms.notifications.sms.backends.brevo.SmsBackend")
    assert result.returncode != 0 and "Set SMS_API_KEY" in result.stderr


def test_production_starts_with_a_provider_and_its_key():
    result = start_django(
        "portal.settings.production",
        SMS_BACKEND="forms.notifications.sms.backends.brevo.SmsBackend",
        SMS_API_KEY="xkeysib-test",
    )
    assert result.returncode == 0, result.stderr
    assert "no text message reaches a family" not in result.stderr


def test_production_warns_when_texts_only_go_to_the_console():
    result = start_django("portal.settings.production")
    assert result.returncode == 0, result.stderr
    assert "no text message reaches a family" in result.stderr
