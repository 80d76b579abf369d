"""Behind the reverse proxy (docs/deploy.md), every request comes from the proxy's address:
the per-address submission limit must count the address the proxy passes in
RATELIMIT_IP_META_KEY, or one family's submissions lock out the whole town for an hour."""

import uuid

import pytest
from django import forms
from django.test import RequestFactory

from forms import antispam

PROXY = "10.0.0.1"

pytestmark = [pytest.mark.django_db, pytest.mark.usefixtures("fresh_cache")]


class Submission(forms.Form):
    submission_key = forms.UUIDField()


def post_from(family_address: str):
    return RequestFactory().post("/soirees/1/inscription/", REMOTE_ADDR=PROXY, HTTP_X_REAL_IP=family_address)


def refused(request) -> bool:
    return antispam.refuse_submission(request, antispam.EVENING, Submission({"submission_key": uuid.uuid4()}))


def test_two_families_behind_the_proxy_have_their_own_limits(settings):
    settings.RATELIMIT_IP_META_KEY = "HTTP_X_REAL_IP"
    settings.SUBMISSION_RATES = {**settings.SUBMISSION_RATES, "evening": "1/h"}
    assert refused(post_from("203.0.113.7")) is False
    assert refused(post_from("203.0.113.7")) is True
    assert refused(post_from("198.51.100.20")) is False


# The staff login behind the proxy (django-axes, portal/staff_login.py).

STAFF_PASSWORD = "correct-horse-battery"


@pytest.fixture
def behind_the_proxy(settings):
    settings.AXES_ENABLED = True
    settings.RATELIMIT_IP_META_KEY = "HTTP_X_REAL_IP"


@pytest.fixture
def agent(db):
    from tests.factories import UserFactory

    return UserFactory(username="agent", password=STAFF_PASSWORD, is_staff=True)


def log_in(client, address, username="agent", password=STAFF_PASSWORD):
    client.cookies.clear()
    client.post(
        "/admin/login/", {"username": username, "password": password}, REMOTE_ADDR=PROXY, HTTP_X_REAL_IP=address
    )
    return "_auth_user_id" in client.session


def test_five_failures_lock_the_user_name_from_that_address_only(client, agent, behind_the_proxy):
    for _ in range(5):
        assert not log_in(client, "203.0.113.66", password="wrong")
    assert not log_in(client, "203.0.113.66")  # locked from the guesser's address
    assert log_in(client, "198.51.100.20")  # the agent, at the office behind the same proxy


def test_spraying_many_user_names_from_one_address_locks_that_address(client, agent, behind_the_proxy, settings):
    settings.STAFF_LOGIN_FAILURES_PER_ADDRESS = 30
    for n in range(30):
        assert not log_in(client, "203.0.113.66", username=f"guess{n}", password="wrong")
    assert not log_in(client, "203.0.113.66")  # even a right password, from there
    assert log_in(client, "198.51.100.20")


def test_a_few_typos_by_several_staff_behind_one_address_lock_nobody(client, agent, behind_the_proxy):
    from tests.factories import UserFactory

    UserFactory(username="collegue", password=STAFF_PASSWORD, is_staff=True)
    for username in ("agent", "collegue"):
        for _ in range(4):
            assert not log_in(client, "192.0.2.10", username=username, password="wrong")
    assert log_in(client, "192.0.2.10", username="collegue")
    assert log_in(client, "192.0.2.10")


def test_the_password_reset_form_sends_three_e_mails_per_address_an_hour(client, agent, settings, mailoutbox):
    settings.RATELIMIT_IP_META_KEY = "HTTP_X_REAL_IP"
    for n in range(5):
        response = client.post(
            "/admin/password_reset/", {"email": agent.email}, REMOTE_ADDR=PROXY, HTTP_X_REAL_IP="203.0.113.66"
        )
        assert response.status_code == 302, n
        assert response["Location"] == "/admin/password_reset/done/"
    assert len(mailoutbox) == 3
    client.post("/admin/password_reset/", {"email": agent.email}, REMOTE_ADDR=PROXY, HTTP_X_REAL_IP="198.51.100.20")
    assert len(mailoutbox) == 4
