"""Production settings refuse to start without real secrets, and pass `check --deploy`."""

import os
import secrets
import subprocess
import sys

import pytest
from django.conf import settings

GOOD_SECRET_KEY = secrets.token_urlsafe(50)
GOOD_HOSTS = "portal.example.fr"


def run_with_production_settings(*args, **environment):
    """Run Python in a fresh process with production settings and only the given secrets."""
    env = {key: value for key, value in os.environ.items() if key not in {"SECRET_KEY", "ALLOWED_HOSTS"}}
    env["DJANGO_SETTINGS_MODULE"] = "portal.settings.production"
    env.update(environment)
    return subprocess.run(
        [sys.executable, *args], cwd=settings.BASE_DIR, env=env, capture_output=True, text=True, timeout=120
    )


START_DJANGO = """
import django
django.setup()
from django.conf import settings
print(settings.DEBUG, settings.ALLOWED_HOSTS)
"""


def start_django(**environment):
    return run_with_production_settings("-c", START_DJANGO, **environment)


@pytest.mark.parametrize(
    "secret_key",
    [
        None,
        "",
        "too-short",
        "dev-only-insecure-key-do-not-use-in-production-" + "x" * 20,
        "django-insecure-" + "x" * 50,
    ],
    ids=["missing", "empty", "short", "dev key", "django-insecure key"],
)
def test_production_refuses_to_start_without_a_real_secret_key(secret_key):
    environment = {"ALLOWED_HOSTS": GOOD_HOSTS}
    if secret_key is not None:
        environment["SECRET_KEY"] = secret_key

    result = start_django(**environment)

    assert result.returncode != 0
    assert "ImproperlyConfigured" in result.stderr and "SECRET_KEY" in result.stderr


@pytest.mark.parametrize("hosts", [None, "", "*"], ids=["missing", "empty", "wildcard"])
def test_production_refuses_to_start_without_allowed_hosts(hosts):
    environment = {"SECRET_KEY": GOOD_SECRET_KEY}
    if hosts is not None:
        environment["ALLOWED_HOSTS"] = hosts

    result = start_django(**environment)

    assert result.returncode != 0
    assert "ImproperlyConfigured" in result.stderr and "ALLOWED_HOSTS" in result.stderr


def test_production_starts_with_real_secrets():
    result = start_django(SECRET_KEY=GOOD_SECRET_KEY, ALLOWED_HOSTS=f"{GOOD_HOSTS},www.{GOOD_HOSTS}")

    assert result.returncode == 0, result.stderr
    assert result.stdout.strip() == f"False ['{GOOD_HOSTS}', 'www.{GOOD_HOSTS}']"


def test_check_deploy_reports_nothing_under_production_settings():
    result = run_with_production_settings(
        "manage.py",
        "check",
        "--deploy",
        "--fail-level",
        "WARNING",
        SECRET_KEY=GOOD_SECRET_KEY,
        ALLOWED_HOSTS=GOOD_HOSTS,
    )

    assert result.returncode == 0, result.stdout + result.stderr
    assert "System check identified no issues" in result.stdout


SHOW_CACHES = """
import django
django.setup()
from django.conf import settings
print(settings.PAGE_CACHE_ENABLED if hasattr(settings, "PAGE_CACHE_ENABLED") else True,
      getattr(settings, "FRAGMENT_CACHE_ENABLED", True), settings.SESSION_ENGINE.rsplit(".", 1)[-1])
"""


@pytest.mark.parametrize(
    "redis_url, expected",
    [("", "False False db"), ("redis://127.0.0.1:6379/9", "True True cached_db")],
)
def test_shared_caches_only_with_redis_and_sessions_always_in_the_database(redis_url, expected):
    """Without Redis, each worker's own cache would serve pages an editor has unpublished."""
    result = run_with_production_settings(
        "-c", SHOW_CACHES, SECRET_KEY=GOOD_SECRET_KEY, ALLOWED_HOSTS=GOOD_HOSTS, REDIS_URL=redis_url
    )
    assert result.returncode == 0, result.stderr
    assert result.stdout.strip() == expected


SCAN_HEADERS = """
import json
import django
django.setup()
from django.test import Client
client = Client()
secure = client.get("/robots.txt", HTTP_HOST="portal.example.fr", HTTP_X_FORWARDED_PROTO="https")
plain = client.get("/robots.txt", HTTP_HOST="portal.example.fr")
print(json.dumps({"status": secure.status_code, "headers": dict(secure.headers),
                  "plain": plain.status_code, "location": plain.get("Location", "")}))
"""


def test_a_scan_of_production_response_headers_shows_every_policy():
    """The production settings behind the TLS proxy (X-Forwarded-Proto: https), no database."""
    import json

    result = run_with_production_settings(
        "-c", SCAN_HEADERS, SECRET_KEY=GOOD_SECRET_KEY, ALLOWED_HOSTS=GOOD_HOSTS, REDIS_URL=""
    )
    assert result.returncode == 0, result.stderr
    scan = json.loads(result.stdout.strip().splitlines()[-1])
    headers = scan["headers"]
    assert scan["status"] == 200
    assert headers["Strict-Transport-Security"] == "max-age=31536000; includeSubDomains; preload"
    policy = headers["Content-Security-Policy"]
    assert "default-src 'self'" in policy and "object-src 'none'" in policy and "frame-ancestors 'none'" in policy
    assert "unsafe-inline" not in policy and "unsafe-eval" not in policy
    assert headers["Referrer-Policy"] == "same-origin"
    assert "camera=()" in headers["Permissions-Policy"] and "geolocation=()" in headers["Permissions-Policy"]
    assert headers["X-Content-Type-Options"] == "nosniff"
    assert headers["X-Frame-Options"] == "DENY"
    # Plain HTTP is sent to HTTPS.
    assert scan["plain"] == 301 and scan["location"] == "https://portal.example.fr/robots.txt"


PROBE_HEALTH = """
import django
django.setup()
from django.test import Client
client = Client()
print(client.get("/healthz", HTTP_HOST="portal.example.fr").status_code,
      client.get("/robots.txt", HTTP_HOST="portal.example.fr").status_code)
"""


def test_the_liveness_probe_answers_over_plain_http_without_a_database_or_redis():
    """The load balancer probes the app servers over HTTP: /healthz is not sent to HTTPS."""
    result = run_with_production_settings(
        "-c",
        PROBE_HEALTH,
        SECRET_KEY=GOOD_SECRET_KEY,
        ALLOWED_HOSTS=GOOD_HOSTS,
        REDIS_URL="redis://127.0.0.1:1/0",
        DATABASE_URL="postgres://nobody@127.0.0.1:1/none",
    )
    assert result.returncode == 0, result.stderr
    assert result.stdout.strip().splitlines()[-1] == "200 301"
