"""Fifty families book the same slot at the same moment, over HTTP (issue 7, DESIGN.md rule 2).

A live server thread on the test database serves fifty clients, each with its own cookie jar.
Every client walks the real steps (school, mode, slot, details, recap) and then all fifty
send the final POST together from behind a barrier. The database's unique constraint
decides: exactly one booking, forty-nine redirections to the slot step saying that the slot
was just taken, no 5xx, one AppointmentRequest for the slot.

PostgreSQL only: SQLite serialises every writer on one database lock (and an in-memory
SQLite database is shared by one connection), so it cannot show the race."""

from __future__ import annotations

import threading

import pytest
from django.contrib.staticfiles.handlers import StaticFilesHandler
from django.core.cache import cache
from django.core.servers.basehttp import ThreadedWSGIServer
from django.db import connection
from django.test.testcases import LiveServerThread

from forms.models import AppointmentRequest
from tests.booking_walk import DETAILS
from tests.factories import SchoolPageFactory
from tests.faults.browser import Browser, slot_keys, submission_key

FAMILIES = 50
TAKEN = "Ce créneau vient d'être pris."


class WideServer(ThreadedWSGIServer):
    # socketserver's listen backlog of 10 would refuse some of fifty simultaneous connects.
    request_queue_size = 128


class WideLiveServerThread(LiveServerThread):
    server_class = WideServer


@pytest.fixture
def live_url():
    thread = WideLiveServerThread("127.0.0.1", StaticFilesHandler, port=0)
    thread.daemon = True
    thread.start()
    thread.is_ready.wait()
    if thread.error:
        raise thread.error
    try:
        yield f"http://127.0.0.1:{thread.port}"
    finally:
        thread.terminate()


def walk_to_recap(browser: Browser, school_pk: int) -> tuple:
    """The real steps, each answered from the page just read; returns (recap page, slot key)."""
    statuses = []
    response = browser.get(f"/rendez-vous/?ecole={school_pk}")
    statuses.append(response.status)
    page = browser.get(f"/rendez-vous/modalite/?ecole={school_pk}")
    response = browser.post(f"/rendez-vous/modalite/?ecole={school_pk}", {"mode": "school"}, page)
    statuses += [page.status, response.status]
    page = browser.get("/rendez-vous/creneau/")
    keys = slot_keys(page)
    assert keys, page.text[:500]
    response = browser.post("/rendez-vous/creneau/", {"slot": keys[0]}, page)
    statuses += [page.status, response.status]
    page = browser.get("/rendez-vous/coordonnees/")
    response = browser.post("/rendez-vous/coordonnees/", DETAILS, page)
    statuses += [page.status, response.status]
    recap = browser.get("/rendez-vous/recapitulatif/")
    statuses.append(recap.status)
    assert statuses == [302, 200, 302, 200, 302, 200, 302, 200], statuses
    return recap, keys[0]


def test_fifty_families_booking_one_slot_over_http(
    _migrated_rows_back_after_flush, transactional_db, django_db_serialized_rollback, settings, live_url
):
    if connection.vendor != "postgresql":
        pytest.skip("SQLite serialises every writer on one lock: the HTTP race needs PostgreSQL (set DATABASE_URL)")
    # Fifty final POSTs from 127.0.0.1 in one go: lift the per-IP limits of forms.antispam.
    settings.SUBMISSION_RATES = {"booking": "10000/h", "evening": "10000/h"}
    settings.SUBMISSION_DECLINED_RATE = settings.INVALID_SUBMISSION_RATE = "10000/h"
    settings.BOOKING_MAX_REQUESTS_PER_PHONE_PER_DAY = 10000
    settings.RECAPTCHA_ENABLED = False
    cache.clear()
    school = SchoolPageFactory(bookable_every_weekday=True)
    barrier = threading.Barrier(FAMILIES)
    lock = threading.Lock()
    outcomes: list[tuple] = []

    def family(number: int):
        browser = Browser(live_url)
        try:
            recap, key = walk_to_recap(browser, school.pk)
            data = {"submission_key": submission_key(recap)}
            barrier.wait(timeout=300)
            final = browser.post("/rendez-vous/recapitulatif/", data, recap)
            followed = browser.get(final.location) if final.status == 302 else None
            outcome = (final.status, final.location, followed.status if followed else None, key)
            if followed is not None and TAKEN in followed.text:
                outcome += ("taken",)
            elif "/rendez-vous/confirmation/" in final.location:
                outcome += ("booked",)
            else:
                outcome += ("other", (followed or final).text[:300])
        except Exception as error:  # noqa: BLE001  reported with the others below
            barrier.abort()
            outcome = ("error", repr(error))
        with lock:
            outcomes.append(outcome)

    threads = [threading.Thread(target=family, args=(n,)) for n in range(FAMILIES)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join(timeout=600)

    assert len(outcomes) == FAMILIES
    assert [o for o in outcomes if o[0] == "error"] == []
    assert len({o[3] for o in outcomes}) == 1, "every family chose the same first free slot"
    assert [o for o in outcomes if o[0] >= 500 or (o[2] or 0) >= 500] == []
    kinds = [o[4] for o in outcomes]
    assert [o for o in outcomes if o[4] == "other"] == []
    assert kinds.count("booked") == 1
    assert kinds.count("taken") == FAMILIES - 1
    assert all(o[1].endswith("/rendez-vous/creneau/") for o in outcomes if o[4] == "taken")
    assert AppointmentRequest.objects.count() == 1
