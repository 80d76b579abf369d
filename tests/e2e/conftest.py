"""Browser tests: Debian's Chromium driven by Playwright against a live server on the test DB.

The demo content is loaded once (committed) and served by one live server thread for the
whole session, so these tests run last (see pytest_collection_modifyitems) and never flush
the database between tests (pytest-django's live_server would flush after each test)."""

import io
import os
import re
from pathlib import Path

import pytest
from django.conf import settings
from django.contrib.staticfiles.handlers import StaticFilesHandler
from django.core.management import call_command
from django.db import connections
from django.test import override_settings
from django.test.testcases import LiveServerThread

CHROMIUM = os.environ.get("CHROMIUM", "/usr/bin/chromium")
OUTPUT = Path(settings.BASE_DIR) / "test-output" / "e2e"
CHROMIUM_ARGS = [
    "--no-sandbox",
    "--disable-gpu",
    "--disable-quic",
    "--no-first-run",
    "--disable-background-networking",
    "--disable-component-update",
    "--disable-sync",
]
PHONE = {"width": 360, "height": 740}


def pytest_collection_modifyitems(config, items):
    e2e_dir = str(Path(__file__).parent)
    browser_items = [item for item in items if str(item.path).startswith(e2e_dir)]
    for item in browser_items:
        item.add_marker(pytest.mark.e2e)
    others = [item for item in items if item not in browser_items]
    items[:] = others + browser_items


@pytest.fixture(scope="session")
def django_db_setup(django_db_setup, request, django_db_blocker, django_db_keepdb):
    """Make sure the test database exists when only browser tests run.

    pytest-django sets up the databases that the collected tests ask for (`db`, a `django_db`
    marker, `live_server`); browser tests ask for none, so `pytest tests/e2e` alone would load
    the demo into the development database named in the settings."""
    from django.db import DEFAULT_DB_ALIAS
    from django.test.utils import setup_databases, teardown_databases
    from pytest_django.fixtures import _get_databases_for_setup

    aliases, _serialized = _get_databases_for_setup(request.session.items)
    if DEFAULT_DB_ALIAS in aliases:
        yield
        return
    with django_db_blocker.unblock():
        config = setup_databases(
            verbosity=request.config.option.verbose,
            interactive=False,
            keepdb=django_db_keepdb,
            aliases={DEFAULT_DB_ALIAS},
            serialized_aliases=set(),
        )
    yield
    if not django_db_keepdb:
        with django_db_blocker.unblock():
            _wait_for_server_threads_to_disconnect()
            teardown_databases(config, verbosity=request.config.option.verbose)


def _wait_for_server_threads_to_disconnect(timeout=3.0):
    """The live server's request threads are daemons that close their connection when their
    last keep-alive socket ends: give them a moment before PostgreSQL drops the database."""
    import time

    connection = connections["default"]
    if connection.vendor != "postgresql":
        return
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        with connection.cursor() as cursor:
            cursor.execute(
                "SELECT count(*) FROM pg_stat_activity WHERE datname = current_database() AND pid <> pg_backend_pid()"
            )
            if cursor.fetchone()[0] == 0:
                break
        time.sleep(0.2)
    else:
        # A server-side connection that outlived the server (not found yet): end it, as the
        # database is about to be dropped anyway.
        with connection.cursor() as cursor:
            cursor.execute(
                "SELECT pg_terminate_backend(pid) FROM pg_stat_activity"
                " WHERE datname = current_database() AND pid <> pg_backend_pid()"
            )
    connection.close()


@pytest.fixture(scope="session")
def demo_server(django_db_setup, django_db_blocker):
    """Load the demo once, then serve it from a thread sharing in-memory SQLite if need be."""
    with django_db_blocker.unblock():
        call_command("load_demo", stdout=io.StringIO(), stderr=io.StringIO())
        overrides = {}
        for conn in connections.all():
            if conn.vendor == "sqlite" and conn.is_in_memory_db():
                # As LiveServerTestCase does: the server thread uses this very connection.
                conn.inc_thread_sharing()
                overrides[conn.alias] = conn
        thread = LiveServerThread("127.0.0.1", StaticFilesHandler, connections_override=overrides, port=0)
        thread.daemon = True
        thread.start()
        thread.is_ready.wait()
        if thread.error:
            raise thread.error
        # Every browser family types the same phone number, in one day: lift the daily limit
        # per number (forms.antispam; tested in tests/forms/test_antispam_limits.py).
        many = override_settings(BOOKING_MAX_REQUESTS_PER_PHONE_PER_DAY=1_000_000)
        many.enable()
        try:
            yield f"http://127.0.0.1:{thread.port}"
        finally:
            many.disable()
            thread.terminate()
            for conn in overrides.values():
                conn.dec_thread_sharing()


@pytest.fixture(scope="session")
def db_access(django_db_blocker):
    """Read the committed test database from a test (assertions on what the server stored)."""
    return django_db_blocker.unblock


@pytest.fixture(scope="session")
def browser():
    if not os.path.exists(CHROMIUM):
        if os.environ.get("E2E_REQUIRED"):
            pytest.fail(f"{CHROMIUM} is missing: install Debian's chromium package")
        pytest.skip(f"{CHROMIUM} is missing (apt-get install chromium); CI installs it and sets E2E_REQUIRED")
    from playwright.sync_api import sync_playwright

    # Playwright's sync API keeps an event loop in the test thread; the ORM calls the tests make
    # there are still synchronous and safe. Set only here: subprocesses of other tests never see it.
    os.environ["DJANGO_ALLOW_ASYNC_UNSAFE"] = "true"
    with sync_playwright() as playwright:
        browser = playwright.chromium.launch(executable_path=CHROMIUM, headless=True, args=CHROMIUM_ARGS)
        yield browser
        browser.close()


@pytest.fixture
def page(demo_server, browser, request):
    context = browser.new_context(
        base_url=demo_server, viewport=PHONE, locale="fr-FR", timezone_id="Europe/Paris", accept_downloads=True
    )
    page = context.new_page()
    page.set_default_timeout(15_000)
    page.shots = Screenshots(page, request.node.name)
    yield page
    context.close()


@pytest.fixture
def touch_phone(demo_server, browser, request):
    """The same phone in mobile emulation: touch events (`page.tap`), `is_mobile`, a 2x screen."""
    context = browser.new_context(
        base_url=demo_server,
        viewport=PHONE,
        device_scale_factor=2,
        is_mobile=True,
        has_touch=True,
        locale="fr-FR",
        timezone_id="Europe/Paris",
    )
    page = context.new_page()
    page.set_default_timeout(15_000)
    page.shots = Screenshots(page, request.node.name)
    yield page
    context.close()


class Screenshots:
    """Numbered screenshots of a journey, written to test-output/e2e/<test name>/."""

    def __init__(self, page, name):
        self.page = page
        self.folder = OUTPUT / re.sub(r"[^\w.-]+", "_", name)
        self.count = 0

    def __call__(self, label, full_page=True):
        """full_page=False: only the viewport (small files, for the chosen ones under docs/)."""
        self.folder.mkdir(parents=True, exist_ok=True)
        self.count += 1
        path = self.folder / f"{self.count:02d}-{label}.png"
        self.page.screenshot(path=str(path), full_page=full_page)
        return path
