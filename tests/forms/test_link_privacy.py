"""Family links are capabilities (issue 17): no Referer carries them (the pages behind them send
`Referrer-Policy: no-referrer`, and their own POSTs still work), and no log line holds one:
gunicorn's access log (portal.access_log) and Django's log records (forms.link_paths)."""

from __future__ import annotations

import io
import logging
import os
import signal
import socket
import subprocess
import sys
import time
import urllib.error
import urllib.request
from datetime import timedelta
from pathlib import Path

import pytest
from django.conf import settings
from django.core import signing
from django.urls import reverse
from django.utils import timezone, translation

from forms.link_paths import REDACTED, RedactTokens, redact_tokens
from forms.links import (
    CANCEL_SALT,
    cancel_path,
    evening_cancel_path,
    ics_path,
    make_cancel_token,
    make_evening_cancel_token,
    make_ics_token,
    make_referral_token,
    short_url,
)
from tests.factories import AppointmentRequestFactory, EveningRegistrationFactory, make_worker

pytestmark = pytest.mark.django_db


@pytest.fixture
def appointment():
    start = timezone.now() + timedelta(days=5)
    return AppointmentRequestFactory(
        assigned_worker=make_worker("Mme Leroy"), slot_start=start, status="scheduled", language="ar"
    )


@pytest.fixture
def registration():
    return EveningRegistrationFactory(evening__date=timezone.localdate() + timedelta(days=10))


def family_paths(appointment, registration):
    """Every kind of link a family is sent, in French and in Arabic, with its token."""
    paths = []
    for language in ("fr", "ar"):
        with translation.override(language):
            token = make_cancel_token(appointment)
            evening = make_evening_cancel_token(registration)
            referral = make_referral_token(appointment)
            paths += [
                (reverse("booking_cancel", args=[token]), token),
                (reverse("booking_move", args=[token]), token),
                (reverse("evening_cancel", args=[evening]), evening),
                (reverse("referral_family", args=[referral]), referral),
                (reverse("referral_slots", args=[referral]), referral),
            ]
    ics = make_ics_token(appointment)
    paths.append((reverse("booking_ics", args=[ics]), ics))
    short = short_url(appointment).removeprefix(settings.WAGTAILADMIN_BASE_URL.rstrip("/"))
    paths.append((short, short.rsplit("/", 1)[1]))
    # A link signed before opaque tokens, still in families' mailboxes for 90 days.
    legacy = signing.TimestampSigner(salt=CANCEL_SALT).sign(f"{appointment.pk}.{appointment.reference}")
    paths.append((reverse("booking_cancel", args=[legacy]), legacy))
    return paths


def test_every_family_link_is_redacted_and_nothing_else(appointment, registration):
    for path, token in family_paths(appointment, registration):
        assert token and token in path
        line = f'GET {path}?slot=20261124T073000Z HTTP/1.1" 200 "https://site.example{path}"'
        redacted = redact_tokens(line)
        assert token not in redacted, path
        assert redacted.count(REDACTED) == 2, redacted
    for path in (
        "/ecoles/ecole-jules-ferry/",
        "/rendez-vous/creneau/",
        "/soirees/12/inscription/",
        "/orienter-une-famille/envoyee/K3M-7QX/",
        "/admin/",
    ):
        assert redact_tokens(f"GET {path} HTTP/1.1") == f"GET {path} HTTP/1.1"


def test_the_sms_webhook_secret_and_a_workers_feed_are_redacted_too():
    assert redact_tokens("/sms/rapports/?secret=s3cr3t&id=1") == f"/sms/rapports/?secret={REDACTED}&id=1"
    assert redact_tokens("GET /agenda/prive/Zq9-x_0.ics HTTP/1.1") == f"GET /agenda/prive/{REDACTED}.ics HTTP/1.1"


def test_django_log_records_pass_through_the_redacting_filter(appointment):
    handlers = logging.getLogger("django.request").handlers
    handler = next(h for h in handlers if any(isinstance(f, RedactTokens) for f in h.filters))
    path = cancel_path(appointment)
    stream = io.StringIO()
    previous = handler.setStream(stream)
    try:
        logging.getLogger("django.request").error("Internal Server Error: %s", path)
    finally:
        handler.setStream(previous)
    written = stream.getvalue()
    assert "Internal Server Error: /annuler/" in written
    assert path not in written and REDACTED in written


@pytest.mark.parametrize("name", ["cancel", "evening", "ics", "short"])
def test_pages_behind_links_send_no_referrer(client, appointment, registration, name):
    path = {
        "cancel": lambda: cancel_path(appointment),
        "evening": lambda: evening_cancel_path(registration),
        "ics": lambda: ics_path(appointment),
        "short": lambda: short_url(appointment).removeprefix(settings.WAGTAILADMIN_BASE_URL.rstrip("/")),
    }[name]()
    tampered = path[:-8] + ("A" if path[-8] != "A" else "B") + path[-7:]
    for response in (client.get(path), client.get(tampered)):
        assert response["Referrer-Policy"] == "no-referrer", (path, response.status_code)
        assert response["X-Robots-Tag"] == "noindex, nofollow"


def test_the_evening_cancel_post_passes_with_csrf_checks_enforced_and_origin_null(registration):
    from django.test import Client

    response = Client(enforce_csrf_checks=True).post(evening_cancel_path(registration), HTTP_ORIGIN="null", secure=True)
    assert response.status_code == 302
    registration.refresh_from_db()
    assert registration.status == registration.Status.CANCELLED


def _free_port():
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return sock.getsockname()[1]


def test_gunicorns_access_log_holds_no_token(tmp_path, appointment):
    """A real gunicorn, run as docs/deploy.md says, with its access log in a file."""
    port = _free_port()
    log = tmp_path / "access.log"
    path = cancel_path(appointment)
    environment = {**os.environ, "DJANGO_SETTINGS_MODULE": "portal.settings.test"}
    server = subprocess.Popen(
        [
            str(Path(sys.executable).with_name("gunicorn")),
            "portal.wsgi",
            "--bind",
            f"127.0.0.1:{port}",
            "--workers",
            "1",
            "--access-logfile",
            str(log),
            "--logger-class",
            "portal.access_log.TokenRedactingLogger",
        ],
        cwd=settings.BASE_DIR,
        env=environment,
        stdout=subprocess.DEVNULL,
        stderr=subprocess.DEVNULL,
    )
    try:
        for _attempt in range(100):
            try:
                request = urllib.request.Request(
                    f"http://127.0.0.1:{port}{path}?slot=1", headers={"Referer": f"http://127.0.0.1:{port}{path}"}
                )
                urllib.request.urlopen(request, timeout=5)  # noqa: S310  (a local server)
                break
            except urllib.error.HTTPError:
                break  # any answer is logged; the test database is not this server's
            except OSError:
                time.sleep(0.1)
        for _attempt in range(50):
            if log.exists() and log.read_text():
                break
            time.sleep(0.1)
    finally:
        server.send_signal(signal.SIGTERM)
        server.wait(timeout=30)
    written = log.read_text()
    assert "/annuler/" in written
    token = path.split("/")[2]
    assert token not in written and written.count(REDACTED) == 2, written
