"""The uncached render path: the shared fragments (Django's `{% cache %}` tag) kept under the
page cache's generation, with the full-page cache off so that every request renders."""

import re
from datetime import timedelta

import pytest
from django.core.cache import cache
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.utils import timezone

from home.models import CCASSettings
from services.models import Permanence
from tests.factories import make_absence, make_closure, make_index, make_school, make_worker, translate_page


@pytest.fixture
def render_cache(settings):
    settings.PAGE_CACHE_ENABLED = False
    settings.FRAGMENT_CACHE_ENABLED = True
    CCASSettings.load()
    cache.clear()
    yield
    cache.clear()


URL = "/ecoles/ecole-jules-ferry/"


def count_queries(client, url):
    with CaptureQueriesContext(connection) as queries:
        response = client.get(url)
    return response, len(queries)


# What a render with every fragment in the cache still reads: Wagtail's routing (the site, the
# locale, each level's page and its specific row) and its view-restriction check (the page's
# ancestors, then their restrictions). Routes are not kept in the cache (issue 11).
WARM_RENDER_QUERIES = 9


def test_a_second_render_reads_the_fragments_from_the_cache(client, school, render_cache):
    first, cold = count_queries(client, URL)
    second, warm = count_queries(client, URL)
    assert first.status_code == second.status_code == 200
    assert "X-Cache" not in second  # rendered again, not the page cache
    assert second.content == first.content
    assert warm <= WARM_RENDER_QUERIES < cold


# The school page rendered with every cache off: routing, restrictions, menu, language switcher,
# breadcrumbs, settings, the school's referent, permanences, closures and absences.
UNCACHED_SCHOOL_QUERIES = 22


@pytest.mark.parametrize("count", [1, 6])
def test_the_uncached_school_page_reads_a_fixed_number_of_queries(
    client, school, count, settings, django_assert_max_num_queries
):
    settings.PAGE_CACHE_ENABLED = settings.FRAGMENT_CACHE_ENABLED = False
    CCASSettings.load()
    today = timezone.localdate()
    for n in range(count):
        Permanence.objects.create(
            school=school, locale=school.locale, weekday=1 + n % 5, start_time="14:00", end_time="16:00"
        )
        make_absence(
            school.referent,
            today + timedelta(days=7 * n + 1),
            today + timedelta(days=7 * n + 1),
            replacement=make_worker(f"Remplaçant {n}"),
        )
        make_closure(today + timedelta(days=7 * n + 3), today + timedelta(days=7 * n + 3), name=f"Fermeture {n}")
    client.get(URL)  # the site's root paths and the content types, read once per process
    with django_assert_max_num_queries(UNCACHED_SCHOOL_QUERIES):
        response = client.get(URL)
    assert response.status_code == 200
    assert response.content.decode().count("14 h") >= 1


def test_without_the_setting_every_render_reads_the_database(client, school, render_cache, settings):
    settings.FRAGMENT_CACHE_ENABLED = False
    count_queries(client, URL)
    _, second = count_queries(client, URL)
    assert second > 10


def test_publishing_a_change_shows_at_once(client, school, render_cache):
    client.get(URL)
    school.title = "École Jules-Ferry-Centre"
    school.save_revision().publish()
    html = client.get(URL).content.decode()
    assert "<h1>École Jules-Ferry-Centre</h1>" in html


def test_a_new_permanence_time_shows_at_once(client, school, render_cache):
    before = client.get(URL).content.decode()
    Permanence.objects.filter(school=school).update(start_time="09:15")
    row = Permanence.objects.get(school=school)
    row.save()  # the admin saves the row: its signal bumps the generation
    after = client.get(URL).content.decode()
    assert after != before
    assert re.search(r"9\s?h\s?15|09:15", after)


def test_a_new_referent_name_shows_at_once(client, school, render_cache):
    client.get(URL)
    school.referent.public_name = "Mme Leroy-Martin"
    school.referent.save()
    assert "Mme Leroy-Martin" in client.get(URL).content.decode()


def test_an_unpublished_page_is_gone_at_once(client, school, render_cache):
    assert client.get(URL).status_code == 200
    school.unpublish()
    assert client.get(URL).status_code == 404


def test_a_deleted_page_is_gone_at_once(client, school, render_cache):
    # A page with no permanence: nothing but the page itself is deleted.
    bare = make_school(school.get_parent().specific, "École sans permanence", slug="sans-permanence")
    assert client.get("/ecoles/sans-permanence/").status_code == 200
    bare.delete()
    assert client.get("/ecoles/sans-permanence/").status_code == 404


def test_a_moved_page_answers_at_its_new_address(client, school, render_cache):
    other = make_index(school.get_parent().get_parent().specific, title="Écoles du nord", slug="nord", publish=True)
    assert client.get(URL).status_code == 200
    school.move(other, pos="last-child")
    assert client.get("/nord/ecole-jules-ferry/").status_code == 200
    # Not the page from the old route: Wagtail's redirect to its new address.
    old = client.get(URL)
    assert old.status_code == 301 and old["Location"] == "/nord/ecole-jules-ferry/"


def test_breadcrumbs_and_title_belong_to_the_page_shown(client, school, render_cache):
    index_html = client.get("/ecoles/").content.decode()
    school_html = client.get(URL).content.decode()
    # The school's breadcrumbs and title are its own, not the index's kept from before.
    assert '<li aria-current="page">École Jules-Ferry</li>' in school_html
    assert '<li aria-current="page">École Jules-Ferry</li>' not in index_html
    assert "<title>École Jules-Ferry" in school_html


def test_fragments_are_kept_per_language(client, school, render_cache):
    arabic = translate_page(school, "ar", title="مدرسة جول فيري")
    french_first = client.get(URL).content.decode()
    arabic_html = client.get(arabic.url).content.decode()
    french_again = client.get(URL).content.decode()
    assert '<html lang="ar" dir="rtl">' in arabic_html
    assert "مدرسة جول فيري" in arabic_html
    # The Arabic header is not served to French visitors, nor the other way round.
    switcher = re.search(r'<nav class="language-switcher".*?</nav>', arabic_html, re.S).group(0)
    assert 'aria-current="true">العربية' in switcher
    assert french_again == french_first
    assert 'aria-current="true">Français' in french_again


def test_forms_keep_their_own_token_per_visitor(client, school, render_cache, django_user_model):
    from django.test import Client

    first = client.get("/rendez-vous/", follow=True).content.decode()
    second = Client().get("/rendez-vous/", follow=True).content.decode()
    token = re.compile(r'name="csrfmiddlewaretoken" value="([^"]+)"')
    assert token.search(first) and token.search(second)
    assert token.search(first).group(1) != token.search(second).group(1)


def test_a_page_made_private_leaves_the_menu_and_the_caches(client, school, render_cache, settings):
    from wagtail.models import PageViewRestriction

    settings.PAGE_CACHE_ENABLED = True
    index = school.get_parent()
    index.show_in_menus = True
    index.save_revision().publish()
    assert 'href="/ecoles/"' in client.get("/").content.decode().split("</header>")[0]
    assert client.get(URL).status_code == 200
    PageViewRestriction.objects.create(page=index, restriction_type=PageViewRestriction.LOGIN)
    assert 'href="/ecoles/"' not in client.get("/").content.decode().split("</header>")[0]
    assert client.get(URL).status_code == 302  # to the login page, not the cached school


def test_booking_steps_share_the_header_but_not_unknown_addresses(client, school, render_cache, settings):
    step = client.get("/rendez-vous/", follow=True).redirect_chain[-1][0]
    settings.FRAGMENT_CACHE_ENABLED = False
    without, uncached = count_queries(client, step)
    settings.FRAGMENT_CACHE_ENABLED = True
    client.get(step)
    with_fragments, cached = count_queries(client, step)
    assert without.status_code == with_fragments.status_code == 200
    assert cached < uncached
    keys_before = len(cache._cache)
    for n in range(5):
        assert client.get(f"/rendez-vous/confirmation/INCONNU{n}/").status_code == 404
        assert client.get(f"/ecoles/page-{n}/").status_code == 404
        assert client.get(f"/rendez-vous/ecole/?x={n}").status_code in (200, 302)
    assert len(cache._cache) == keys_before


def test_a_change_drops_the_caches_again_once_committed(db, django_capture_on_commit_callbacks):
    """A visitor who read the database between the change and its commit cached the old state
    under the new generation: the second bump, at commit, drops it."""
    from portal.cache import generation, invalidate

    before = generation()
    with django_capture_on_commit_callbacks(execute=True):
        invalidate()
        during = generation()
    assert before < during < generation()


def test_a_page_reads_the_generation_once(client, school, render_cache, settings, monkeypatch):
    """The page cache's key and every fragment's vary-on share one read of the generation."""
    from portal.cache import GENERATION_KEY, generation

    settings.PAGE_CACHE_ENABLED = True
    generation()  # the counter exists (its first read also creates it)
    reads = []
    get = cache.get

    def counting_get(key, *args, **kwargs):
        reads.append(key)
        return get(key, *args, **kwargs)

    monkeypatch.setattr(cache, "get", counting_get)
    response = client.get(URL)
    assert response["X-Cache"] == "MISS"
    assert reads.count(GENERATION_KEY) == 1
    assert len(reads) > 1  # the page's own key and the fragments' were looked up too
