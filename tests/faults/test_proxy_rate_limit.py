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
