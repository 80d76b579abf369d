"""Behind the reverse proxy (docs/deploy.md), every request comes from the proxy's address:
the per-family rate limit must count the address the proxy passes in RATELIMIT_IP_META_KEY,
or one family's ten submissions lock out the whole town for an hour."""

import pytest
from django.test import RequestFactory

from forms import antispam

PROXY = "10.0.0.1"

pytestmark = pytest.mark.usefixtures("fresh_cache")


def post_from(family_address: str):
    return RequestFactory().post("/rendez-vous/recapitulatif/", REMOTE_ADDR=PROXY, HTTP_X_REAL_IP=family_address)


def test_two_families_behind_the_proxy_have_their_own_limits(settings):
    settings.RATELIMIT_IP_META_KEY = "HTTP_X_REAL_IP"
    settings.BOOKING_SUBMISSION_RATE = "1/h"
    assert antispam.submission_limited(post_from("203.0.113.7")) is False
    assert antispam.submission_limited(post_from("203.0.113.7")) is True
    assert antispam.submission_limited(post_from("198.51.100.20")) is False
