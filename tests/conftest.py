"""Fixtures shared by the whole suite."""

import io
import json

import pytest
from django.conf import settings
from django.contrib.contenttypes.models import ContentType
from django.core.cache import cache
from django.core.management import call_command
from django.db import connections
from django.utils import translation
from pytest_django.fixtures import validate_django_db
from pytest_django.plugin import blocking_manager_key
from wagtail.models import Locale, Site

from home.models import HomePage
from tests.factories import HomePageFactory
from tests.helpers import login_staff


@pytest.fixture(autouse=True)
def source_language():
    """Every test starts in French, the source language, whatever language a test before it
    left active (a view or a message rendered in Arabic activates it for the thread)."""
    translation.activate(settings.LANGUAGE_CODE)
    yield
    translation.activate(settings.LANGUAGE_CODE)


def restore_migrated_rows():
    """Put the test database back as the migrations left it (root page, default site, locale,
    groups, content types), from the copy pytest-django serialized when it created it."""
    for connection in connections.all(initialized_only=True):
        rows = getattr(connection, "_test_serialized_contents", None)
        if rows is None:
            continue
        # A transactional test without serialized_rollback leaves re-created content types
        # and permissions behind, under new ids: empty the tables before loading the copy.
        if ContentType.objects.using(connection.alias).exists():
            call_command(
                "flush",
                database=connection.alias,
                interactive=False,
                inhibit_post_migrate=True,
                # Keep the sequences where they are, as Django's own flush between tests
                # does: the copy brings back explicit ids the sequences have already passed.
                reset_sequences=False,
                verbosity=0,
            )
        # Content types first: saving the rows of earlier apps makes Wagtail look some up,
        # and a lookup that misses creates the content type again under a new id.
        objects = json.loads(rows)
        objects.sort(key=lambda row: row["model"] != "contenttypes.contenttype")
        ContentType.objects.clear_cache()
        connection.creation.deserialize_db_from_string(json.dumps(objects))
        ContentType.objects.clear_cache()


def is_transactional(item):
    marker = item.get_closest_marker("django_db")
    if marker is not None:
        transaction, reset_sequences, *_rest = validate_django_db(marker)
        if transaction or reset_sequences:
            return True
    return bool({"transactional_db", "live_server"} & set(getattr(item, "fixturenames", ())))


@pytest.hookimpl(wrapper=True)
def pytest_runtest_teardown(item, nextitem):
    """After a transactional test has flushed the database, put the migrated rows back.

    Django restores them when the next serialized test starts, not when one ends: without
    this, the tests that run after the last transactional one (the browser tests load the
    demo once for the session) find no root page, and a serialized test that follows a
    non-serialized one fails on duplicate content types."""
    result = yield
    # After the last test, the session's teardown has already dropped the test database.
    if nextitem is not None and is_transactional(item):
        with item.config.stash[blocking_manager_key].unblock():
            restore_migrated_rows()
    return result


@pytest.fixture
def _migrated_rows_back_after_flush():
    """Kept for the tests that request it; pytest_runtest_teardown now does this for every
    transactional test."""
    return None


@pytest.fixture
def demo_site(request, transactional_db, django_db_serialized_rollback):
    """The demo portal exactly as `make run` builds it; returns the French home page.

    `load_demo` runs with real commits (a transactional test), because wagtail-localize
    creates each translation as a draft and publishes it in `transaction.on_commit`:

    - in an ordinary test (`django_db(transaction=False)`) nothing ever commits, so every
      translation stays a draft and Wagtail quietly serves the French page at /en/, /ar/...
      with a 200: tests would pass on a site that shows no translation at all;
    - `django_capture_on_commit_callbacks(execute=True)` around the command runs all the
      publications at the very end, and each one saves the page object its revision holds:
      the translated home pages were copied before their children, so publishing them puts
      their child counter back to 0 and /en/missions/ becomes a 404.

    With real commits each translation is published when `translate()` commits, as in
    production. The flush after a transactional test also deletes what the migrations
    created (root page, default site, locale, groups): `serialized_rollback` restores it
    before the test and pytest_runtest_teardown below after it.
    Don't add a `django_db` marker to a test that uses this fixture: pytest-django would
    then read `serialized_rollback` from the marker only, and set the database up first.
    """
    if request.node.get_closest_marker("django_db"):
        pytest.fail("demo_site runs load_demo with real commits: remove the test's django_db marker")
    call_command("load_demo", stdout=io.StringIO(), stderr=io.StringIO())
    return HomePage.objects.get(locale__language_code=settings.LANGUAGE_CODE)


@pytest.fixture
def locales(db):
    """One wagtail Locale per language of the portal, by language code."""
    return {code: Locale.objects.get_or_create(language_code=code)[0] for code, _name in settings.LANGUAGES}


@pytest.fixture
def french_home(locales):
    """A bare French home page at the root of the default site, for tests that need no demo."""
    home = HomePageFactory(title="Accueil", locale=locales[settings.LANGUAGE_CODE], publish=True)
    Site.objects.filter(is_default_site=True).update(root_page=home)
    return home


@pytest.fixture
def committed(django_capture_on_commit_callbacks):
    """Run what the code under test deferred with `transaction.on_commit`, as a commit would.

    In production each admin request commits when it ends, and wagtail-localize publishes
    then; wrap each request of a non-transactional test in `with committed():` to match."""

    def run_on_commit():
        return django_capture_on_commit_callbacks(execute=True)

    return run_on_commit


@pytest.fixture
def fresh_cache():
    """An empty process-wide cache before and after the test: the per-IP rate limits count in it.

    Modules whose every test needs it say `pytestmark = pytest.mark.usefixtures("fresh_cache")`."""
    cache.clear()
    yield
    cache.clear()


@pytest.fixture
def admin_client(db, admin_user):
    """pytest-django's admin_client, past the one-time code too (tests.helpers.login_staff)."""
    from django.test import Client

    return login_staff(Client(), admin_user)
