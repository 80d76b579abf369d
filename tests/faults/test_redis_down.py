"""Redis unreachable: the public site, the API, booking and the staff login work without it.

A real Redis client (django-redis) points at a port nobody listens on; the page cache, the
fragment cache, the sessions and the rate limits are all on, as in production."""

from __future__ import annotations

import json
import logging

import pytest
from django.core.cache import caches
from django.db import OperationalError, connection
from django.urls import reverse
from django_otp.plugins.otp_totp.models import TOTPDevice

from forms.models import AppointmentRequest
from portal.cache import OUTAGES
from tests.booking_walk import STEPS, submit, walk_to
from tests.factories import (
    make_evening,
    make_evening_index,
    make_index,
    make_school,
    make_site,
    make_worker,
    permanence,
)
from tests.helpers import device_secret, totp_code

CLOSED_PORT = "redis://127.0.0.1:1/0"
REDIS_DOWN = {
    "default": {
        "BACKEND": "portal.cache.ResilientRedisCache",
        "LOCATION": CLOSED_PORT,
        "OPTIONS": {"SOCKET_CONNECT_TIMEOUT": 0.5, "SOCKET_TIMEOUT": 1},
    },
    "uncached": {"BACKEND": "django.core.cache.backends.dummy.DummyCache"},
}


@pytest.fixture
def redis_down(settings):
    """pytest-django's `settings` (override_settings underneath: the cache handler is rebuilt)."""
    OUTAGES.skip_until.clear()
    OUTAGES.warned_at.clear()
    settings.CACHES = REDIS_DOWN
    settings.SESSION_ENGINE = "django.contrib.sessions.backends.cached_db"
    settings.PAGE_CACHE_ENABLED = settings.FRAGMENT_CACHE_ENABLED = True
    yield
    OUTAGES.skip_until.clear()
    OUTAGES.warned_at.clear()


@pytest.fixture
def town(db):
    home = make_site()
    index = make_index(home, publish=True)
    school = make_school(
        index,
        "École Jules-Ferry",
        slug="ecole-jules-ferry",
        referent=make_worker("Mme Leroy"),
        permanences=[permanence(weekday=day) for day in range(1, 6)],
    )
    evening = make_evening(make_evening_index(home, publish=True), "Le sommeil", slug="le-sommeil")
    return {"school": school, "evening": evening}


def public_urls(town):
    school, evening = town["school"], town["evening"]
    return {
        "/": 200,
        "/ecoles/": 200,
        "/ecoles/?q=jules": 200,
        "/ecoles/ecole-jules-ferry/": 200,
        "/soirees/le-sommeil/": 200,
        f"/soirees/{evening.pk}/inscription/": 200,
        "/api/v1/schools/": 200,
        f"/api/v1/schools/{school.pk}/": 200,
        f"/api/v1/schools/{school.pk}/slots/": 200,
        "/sitemap.xml": 200,
        "/robots.txt": 200,
        "/page-qui-n-existe-pas/": 404,
        f"/rendez-vous/?ecole={school.pk}": 302,
    }


def test_the_client_really_cannot_reach_redis(redis_down):
    """The premise: a real client, really refused (not a stub that answers None)."""
    from django_redis import get_redis_connection
    from redis.exceptions import ConnectionError as RedisConnectionError

    with pytest.raises(RedisConnectionError):
        get_redis_connection("default").ping()


def test_every_public_url_answers_without_redis(client, town, redis_down):
    for url, status in public_urls(town).items():
        for _ in range(2):
            response = client.get(url)
            assert response.status_code == status, url
            assert response.get("X-Cache") != "HIT", url  # nothing is kept anywhere


def test_a_whole_booking_goes_through_without_redis(client, town, redis_down):
    school = town["school"]
    assert client.get(f"/rendez-vous/?ecole={school.pk}").status_code == 302
    walk_to(client, STEPS[-1], school)
    response = submit(client)
    assert response.status_code == 302, response.content.decode()[:500]
    assert client.get(response["Location"]).status_code == 200
    assert AppointmentRequest.objects.get().parent_name == "Amina Benali"


def test_staff_can_log_in_without_redis(client, town, redis_down, admin_user):
    device = TOTPDevice.objects.create(user=admin_user, name="phone", confirmed=True)
    response = client.post("/admin/login/", {"username": admin_user.username, "password": "password"}, follow=True)
    assert response.status_code == 200
    assert response.context["user"].is_authenticated
    response = client.post(reverse("two_factor_verify"), {"code": totp_code(device_secret(device))})
    assert response.status_code == 302
    assert client.get("/admin/").status_code == 200


def test_the_outage_is_logged_once_per_interval_not_on_every_call(client, town, redis_down, caplog, settings):
    settings.CACHE_UNAVAILABLE_RETRY_SECONDS = 30
    with caplog.at_level(logging.WARNING, logger="portal.cache"):
        for _ in range(3):
            client.get("/ecoles/ecole-jules-ferry/")
    warnings = [record for record in caplog.records if record.name == "portal.cache"]
    assert len(warnings) == 1
    assert "unavailable" in warnings[0].getMessage() and "127.0.0.1:1" in warnings[0].getMessage()


def test_robots_and_liveness_never_touch_redis_or_the_database(client, redis_down):
    # No `db` fixture: pytest-django fails any query this test would make.
    for url in ("/healthz", "/robots.txt"):
        assert client.get(url).status_code == 200, url
    # The closed port was never even tried.
    assert OUTAGES.warned_at == {} and OUTAGES.skip_until == {}


def test_readiness_reports_redis_down_but_stays_ready(client, town, redis_down):
    response = client.get("/readyz")
    assert response.status_code == 200
    report = json.loads(response.content)
    assert report["status"] == "ok" and report["database"] == "ok" and report["cache"] == "unavailable"
    assert "due" in report["tasks"] or "backend" in report["tasks"]


def test_readiness_is_503_with_a_short_json_when_the_database_is_down(client, db):
    def refuse(execute, sql, params, many, context):
        raise OperationalError("database down")

    with connection.execute_wrapper(refuse):
        response = client.get("/readyz")
    assert response.status_code == 503
    assert response["Content-Type"] == "application/json"
    assert json.loads(response.content) == {
        "database": "unavailable",
        "cache": "ok",
        "tasks": {"backend": "ImmediateBackend"},
        "status": "unavailable",
    }


def test_every_cache_operation_answers_as_an_empty_cache(redis_down, settings):
    settings.CACHE_UNAVAILABLE_RETRY_SECONDS = 0
    backend = caches["default"]
    assert backend.get("x", "fallback") == "fallback"
    assert backend.set("x", 1) is False
    assert backend.add("x", 1) is False
    assert backend.incr("x") is None
    assert backend.get_many(["x"]) == {}
    assert len(OUTAGES.skip_until) == 1
