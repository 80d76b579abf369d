"""Two-factor authentication for staff (issue 17, portal.two_factor): every role that enters the
admin gives a one-time code after its password, enrols an authenticator app at its first login,
is throttled on wrong codes, and a lost phone is reset by a superuser. Codes are computed here
from the secret the page shows (tests.helpers.totp_code, RFC 6238), not by django-otp."""

import importlib
import io
import os
import subprocess
import sys
import time
from datetime import timedelta

import pytest
from django.core import checks
from django.core.management import call_command
from django.test import Client
from django.urls import reverse
from django.utils import timezone
from django_otp.plugins.otp_totp.models import TOTPDevice
from wagtail.models import ModelLogEntry
from wagtail.users.models import UserProfile

from forms.records.permissions import ASSISTANTS, MANAGER, WORKERS
from portal import two_factor
from services.roles import COMMUNICATION
from tests.factories import PASSWORD, UserFactory
from tests.helpers import device_secret, login_staff, parse, totp_code

pytestmark = pytest.mark.django_db

ROLES = {"worker": [WORKERS], "manager": [MANAGER], "assistant": [ASSISTANTS], "communication": [COMMUNICATION]}


def account(role):
    if role == "superuser":
        return UserFactory(username="admin-2fa", is_superuser=True, is_staff=True)
    return UserFactory(username=f"{role}-2fa", groups=ROLES[role])


def password_login(client, user):
    response = client.post(reverse("wagtailadmin_login"), {"username": user.username, "password": PASSWORD})
    assert response.status_code == 302 and "_auth_user_id" in client.session
    return client


def confirmed_device(user):
    return TOTPDevice.objects.create(user=user, name="phone", confirmed=True)


def a_day_ago():
    return timezone.now() - timedelta(days=1)


def errors(response):
    return [item.get_text(" ", strip=True) for item in parse(response).select(".messages .error, .error-message")]


@pytest.mark.parametrize("role", [*ROLES, "superuser"])
def test_every_admin_role_is_sent_to_enrolment_after_its_password(client, role):
    user = account(role)
    assert two_factor.required_for(user)
    password_login(client, user)
    for url in (reverse("wagtailadmin_home"), reverse("forms_admin:index"), reverse("wagtailusers_users:index")):
        response = client.get(url)
        assert response.status_code == 302, url
        assert response["Location"].startswith(reverse("two_factor_enrol") + "?next="), url


@pytest.mark.parametrize("role", [*ROLES, "superuser"])
def test_every_admin_role_with_an_app_is_asked_its_code_and_then_gets_in(client, role):
    user = account(role)
    device = confirmed_device(user)
    password_login(client, user)
    response = client.get(reverse("wagtailadmin_home"))
    assert response["Location"].startswith(reverse("two_factor_verify"))
    response = client.post(response["Location"], {"code": totp_code(device_secret(device))})
    assert response.status_code == 302 and response["Location"] == reverse("wagtailadmin_home")
    assert client.get(reverse("wagtailadmin_home")).status_code == 200


def test_an_account_without_admin_access_is_not_asked():
    assert not two_factor.required_for(UserFactory(username="famille"))


def test_enrolment_shows_a_local_qr_code_and_the_secret_and_a_real_code_confirms_it(client):
    user = account("worker")
    password_login(client, user)
    page = client.get(client.get(reverse("forms_admin:index"))["Location"])
    assert page.status_code == 200
    html = parse(page)
    assert html.find("h1").get_text(strip=True) == "Activer la double authentification"
    svg = html.select_one("figure.two-factor-qr svg")
    assert svg is not None and svg.find("path") is not None
    assert "http" not in str(html.select_one("figure.two-factor-qr")).replace("http://www.w3.org/2000/svg", "")
    secret = html.select_one("code.two-factor-secret").get_text()
    pending = TOTPDevice.objects.get(user=user, confirmed=False)
    assert "".join(secret.split()) == device_secret(pending)
    assert "issuer=Service%20social%20scolaire" in pending.config_url
    # The same secret on every visit until it is confirmed.
    assert parse(client.get(reverse("two_factor_enrol"))).select_one("code.two-factor-secret").get_text() == secret

    response = client.post(
        reverse("two_factor_enrol"), {"code": totp_code(secret), "next": reverse("forms_admin:index")}
    )

    assert response.status_code == 302 and response["Location"] == reverse("forms_admin:index")
    assert client.get(reverse("forms_admin:index")).status_code == 200
    assert list(TOTPDevice.objects.filter(user=user).values_list("confirmed", flat=True)) == [True]
    # The next login asks the code of the app just enrolled (the next 30-second code: one is never reused).
    client.logout()
    password_login(client, user)
    response = client.post(reverse("two_factor_verify"), {"code": totp_code(secret, at=time.time() + 30)})
    assert response.status_code == 302
    assert client.get(reverse("wagtailadmin_home")).status_code == 200


def test_a_wrong_code_is_refused_with_a_message_and_the_admin_stays_closed(client):
    user = account("manager")
    device = confirmed_device(user)
    password_login(client, user)
    right = totp_code(device_secret(device))
    wrong = f"{(int(right) + 1) % 1_000_000:06d}"

    response = client.post(reverse("two_factor_verify"), {"code": wrong})

    assert response.status_code == 200
    assert errors(response) == ["Ce code est incorrect ou a expiré. Saisissez le code affiché maintenant."]
    assert client.get(reverse("wagtailadmin_home"))["Location"].startswith(reverse("two_factor_verify"))
    response = client.post(reverse("two_factor_verify"), {"code": "12 34"})
    assert errors(response) == ["Saisissez les 6 chiffres affichés par votre application."]


def test_a_code_is_never_accepted_twice(client):
    user = account("worker")
    device = confirmed_device(user)
    code = totp_code(device_secret(device))
    assert password_login(client, user).post(reverse("two_factor_verify"), {"code": code}).status_code == 302
    other = password_login(Client(), user)
    assert other.post(reverse("two_factor_verify"), {"code": code}).status_code == 200


def test_after_a_wrong_code_even_the_right_one_waits_longer_each_time(client):
    user = account("assistant")
    device = confirmed_device(user)
    password_login(client, user)
    for _ in range(3):
        client.post(reverse("two_factor_verify"), {"code": "000000"})
        TOTPDevice.objects.filter(pk=device.pk).update(throttling_failure_timestamp=a_day_ago())
    client.post(reverse("two_factor_verify"), {"code": "000000"})
    device.refresh_from_db()
    assert device.throttling_failure_count >= 4  # the next try waits 8 seconds, then 16, 32…

    response = client.post(reverse("two_factor_verify"), {"code": totp_code(device_secret(device))})

    assert response.status_code == 200
    assert errors(response)[0].startswith("Trop de codes incorrects. Réessayez à partir de ")
    assert client.get(reverse("wagtailadmin_home")).status_code == 302
    # Once the wait is over, the right code opens the admin.
    TOTPDevice.objects.filter(pk=device.pk).update(throttling_failure_timestamp=a_day_ago())
    assert client.post(reverse("two_factor_verify"), {"code": totp_code(device_secret(device))}).status_code == 302
    assert client.get(reverse("wagtailadmin_home")).status_code == 200


def test_a_password_alone_never_enrols_a_new_app_over_the_existing_one(client):
    user = account("worker")
    confirmed_device(user)
    password_login(client, user)
    response = client.get(reverse("two_factor_enrol"))
    assert response.status_code == 302 and response["Location"].startswith(reverse("two_factor_verify"))
    assert not TOTPDevice.objects.filter(user=user, confirmed=False).exists()


def test_an_unverified_session_can_still_sign_out(client):
    user = account("worker")
    password_login(client, user)
    client.post(reverse("wagtailadmin_logout"))
    assert "_auth_user_id" not in client.session


def test_the_code_step_never_sends_elsewhere_than_this_site(client):
    user = account("worker")
    device = confirmed_device(user)
    password_login(client, user)
    response = client.post(
        reverse("two_factor_verify"), {"code": totp_code(device_secret(device)), "next": "https://evil.example/"}
    )
    assert response["Location"] == reverse("wagtailadmin_home")


def test_the_code_steps_speak_the_staff_members_language(client):
    user = account("worker")
    UserProfile.objects.filter(pk=UserProfile.get_for_user(user).pk).update(preferred_language="en")
    password_login(client, user)
    heading = parse(client.get(reverse("two_factor_enrol"))).find("h1").get_text(strip=True)
    assert heading == "Turn on two-factor authentication"


def test_a_superuser_resets_a_lost_phone_and_the_account_enrols_again(client):
    superuser = account("superuser")
    worker = account("worker")
    device = confirmed_device(worker)
    worker_client = login_staff(Client(), worker)
    # login_staff reuses the device above.
    assert worker_client.get(reverse("wagtailadmin_home")).status_code == 200
    login_staff(client, superuser)
    listing = client.get(reverse("wagtailusers_users:index")).content.decode()
    assert reverse("two_factor_reset", args=[worker.pk]) in listing
    assert "Double authentification active" not in listing

    page = client.get(reverse("two_factor_reset", args=[worker.pk]))
    assert page.status_code == 200 and "ne donnera plus accès au portail" in page.content.decode()
    response = client.post(reverse("two_factor_reset", args=[worker.pk]))

    assert response.status_code == 302
    assert not TOTPDevice.objects.filter(pk=device.pk).exists()
    assert ModelLogEntry.objects.filter(action=two_factor.RESET_ACTION, user=superuser, object_id=str(worker.pk))
    # Her session verified by the lost phone is closed to the admin: she enrols a new app.
    assert worker_client.get(reverse("wagtailadmin_home"))["Location"].startswith(reverse("two_factor_enrol"))


@pytest.mark.parametrize("role", ROLES)
def test_only_a_superuser_may_reset_an_account(client, role):
    target = UserFactory(username="cible", groups=[WORKERS])
    confirmed_device(target)
    login_staff(client, account(role))
    # Wagtail turns the refusal into a redirect to the dashboard with its "no permission" message.
    response = client.post(reverse("two_factor_reset", args=[target.pk]))
    assert response.status_code in (302, 403) and response.get("Location") in (None, reverse("wagtailadmin_home"))
    assert TOTPDevice.objects.filter(user=target).exists()
    dashboard = client.get(reverse("wagtailadmin_home")).content.decode()
    assert reverse("two_factor_reset", args=[target.pk]) not in dashboard


def test_the_reset_command_is_the_path_for_a_locked_out_superuser():
    superuser = account("superuser")
    confirmed_device(superuser)
    out = io.StringIO()
    call_command("reset_two_factor", superuser.username, stdout=out)
    assert "1 device(s) removed" in out.getvalue()
    assert not TOTPDevice.objects.filter(user=superuser).exists()


def test_development_settings_may_skip_the_code_for_the_demo_accounts(client, settings):
    settings.STAFF_TWO_FACTOR_REQUIRED = False
    settings.DEBUG = True
    password_login(client, account("worker"))
    assert client.get(reverse("wagtailadmin_home")).status_code == 200
    assert "portal.E001" not in [message.id for message in checks.run_checks(tags=[checks.Tags.security])]
    assert importlib.import_module("portal.settings.dev").STAFF_TWO_FACTOR_REQUIRED is False


def test_settings_without_debug_refuse_to_skip_the_code(settings):
    settings.STAFF_TWO_FACTOR_REQUIRED = False
    settings.DEBUG = False
    assert "portal.E001" in [message.id for message in checks.run_checks(tags=[checks.Tags.security])]


def test_production_settings_require_the_code():
    env = {
        **os.environ,
        "DJANGO_SETTINGS_MODULE": "portal.settings.production",
        "SECRET_KEY": "p" * 60,
        "ALLOWED_HOSTS": "portal.example.fr",
    }
    result = subprocess.run(
        [sys.executable, "-c", "from django.conf import settings; print(settings.STAFF_TWO_FACTOR_REQUIRED)"],
        env=env,
        capture_output=True,
        text=True,
        check=True,
    )
    assert result.stdout.strip().splitlines()[-1] == "True"


def test_make_run_says_next_to_the_admin_login_whether_a_code_is_asked(settings):
    from portal.management.commands.load_demo import Command

    settings.STAFF_TWO_FACTOR_REQUIRED = False
    out = io.StringIO()
    Command(stdout=out).ensure_admin()
    assert "No one-time code asked: two-factor authentication is off in development only" in out.getvalue()
    settings.STAFF_TWO_FACTOR_REQUIRED = True
    out = io.StringIO()
    Command(stdout=out).ensure_admin()
    assert "one-time code from an authenticator app" in out.getvalue()
