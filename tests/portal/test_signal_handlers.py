"""Cache invalidation (portal/signal_handlers.py): whatever a public page reads, changing it drops
the cached pages and fragments.

The first test does not trust the list the handlers derive: it renders every public page of a
town with one row of everything, lists the tables their queries read, and saves a row of each."""

import io
import re
from datetime import timedelta

import pytest
from django.apps import apps
from django.core.files.images import ImageFile
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.utils import timezone
from PIL import Image as PILImage
from wagtail.images import get_image_model
from wagtail.models import Page, PageViewRestriction

from forms.models import BookingSettings
from home.models import CCASContactTranslation, CCASSettings, InformationPage, SiteNotice
from portal.cache import generation
from services.models import (
    CollectiveActionIndexPage,
    CollectiveActionPage,
    SchoolNotice,
    SocialCentreName,
    SocialWorker,
)
from tests.factories import (
    make_absence,
    make_centre,
    make_closure,
    make_evening,
    make_evening_index,
    make_index,
    make_school,
    make_site,
    make_worker,
    permanence,
    translate_page,
)

# Read while public pages render, yet rightly not invalidating: why.
NOT_INVALIDATING = {
    # Made from an image the first time a size is shown; changing the image invalidates.
    "wagtailimages.rendition": "derived from an image",
    # Only the slots API reads the bookings, and the page cache keeps it 60 s at most (its own
    # max-age): a booking must not empty every cached page.
    "forms.appointmentrequest": "kept no longer than the slots API's max-age",
    # Redirects are looked up only for addresses that answer 404, which are never cached.
    "wagtailredirects.redirect": "only read on 404 answers",
    # Django's own catalogue of models, written by migrations only.
    "contenttypes.contenttype": "written by migrations only",
}


def a_photo():
    buffer = io.BytesIO()
    PILImage.new("RGB", (8, 8), "blue").save(buffer, "PNG")
    return get_image_model().objects.create(title="Portrait", file=ImageFile(buffer, name="portrait.png"))


@pytest.fixture
def town(db, settings, tmp_path):
    """One row of everything a public page can show."""
    settings.MEDIA_ROOT = tmp_path
    settings.PAGE_CACHE_ENABLED = settings.FRAGMENT_CACHE_ENABLED = False
    home = make_site()
    index = make_index(home, publish=True)
    replacement = make_worker("M. Martin")
    school = make_school(
        index,
        "École Jules-Ferry",
        slug="ecole-jules-ferry",
        referent=make_worker("Mme Leroy", photo=a_photo()),
        social_centre=make_centre(),
        permanences=[permanence()],
        publish=True,
    )
    today = timezone.localdate()
    make_absence(school.referent, today, today, replacement=replacement)
    make_closure(today, today)
    translate_page(school, "ar", title="مدرسة جول فيري")
    SocialCentreName.objects.create(centre=school.social_centre, language="ar", name="المركز الاجتماعي")
    evenings = make_evening_index(home, publish=True)
    make_evening(evenings, publish=True)
    actions = CollectiveActionIndexPage(title="Actions collectives", slug="actions")
    home.add_child(instance=actions)
    actions.save_revision().publish()
    action = CollectiveActionPage(title="Ludothèque", slug="ludotheque", when="Le mercredi")
    action.schools = [school]
    actions.add_child(instance=action)
    action.save_revision().publish()
    legal = InformationPage(title="Mentions légales", slug="mentions-legales")
    home.add_child(instance=legal)
    legal.save_revision().publish()
    private = InformationPage(title="Espace des partenaires", slug="partenaires")
    home.add_child(instance=private)
    private.save_revision().publish()
    PageViewRestriction.objects.create(page=private, restriction_type=PageViewRestriction.LOGIN)
    ccas = CCASSettings.load()
    ccas.legal_notice_page = legal
    ccas.save()
    CCASContactTranslation.objects.create(ccas=ccas, language="en", opening_hours="<p>Monday to Friday</p>")
    BookingSettings.load()
    now = timezone.now()
    SiteNotice.objects.create(text="Fermé le 24", starts_at=now - timedelta(hours=1), ends_at=now + timedelta(days=1))
    SchoolNotice.objects.create(school=school, text="Annulée", first_day=today, last_day=today, cancelled_day=today)
    return school


def public_urls(school):
    urls = [page.url for page in Page.objects.live().filter(depth__gte=2).specific()]
    urls += [
        f"{school.get_parent().url}?q=ferry",
        "/api/v1/schools/",
        f"/api/v1/schools/{school.pk}/",
        f"/api/v1/schools/{school.pk}/slots/",
        "/agenda/soirees.ics",
        "/page-absente/",
        "/plan-du-site/",
    ]
    return urls


def tables_read(client, urls) -> set[str]:
    with CaptureQueriesContext(connection) as queries:
        for url in urls:
            assert client.get(url).status_code in (200, 302, 404), url
    return {table for query in queries.captured_queries for table in re.findall(r'(?:FROM|JOIN) "(\w+)"', query["sql"])}


def a_row(model):
    """A saved row of `model` (an m2m table: the row of the model that owns the field, whose
    save writes the table)."""
    if model._meta.auto_created:
        model = model._meta.auto_created
    row = model.objects.order_by("pk").first()
    assert row is not None, f"the town has no {model._meta.label}: add one to the fixture"
    return row.specific if isinstance(row, Page) else row


def test_every_table_a_public_page_reads_invalidates_when_a_row_is_saved(client, town):
    by_table = {model._meta.db_table: model for model in apps.get_models(include_auto_created=True)}
    read = tables_read(client, public_urls(town))
    assert {"services_permanence", "services_socialworker", "home_ccassettings", "wagtailcore_page"} <= read
    unexplained = []
    for table in sorted(read):
        model = by_table[table]
        if model._meta.label_lower in NOT_INVALIDATING:
            continue
        row = a_row(model)
        before = generation()
        row.save()
        if generation() == before:
            unexplained.append(model._meta.label)
    assert unexplained == [], "read by public pages, saved without invalidating the caches"


def test_deleting_a_row_invalidates(town):
    before = generation()
    today = timezone.localdate()
    make_closure(today, today, name="Pont").delete()
    assert generation() >= before + 2  # created, then deleted


def test_a_draft_leaves_the_caches_alone_and_publishing_it_does_not(town):
    before = generation()
    town.title = "École Jules-Ferry-Centre"
    revision = town.save_revision()
    worker = SocialWorker.objects.get(public_name="Mme Leroy")
    worker.public_name = "Mme Leroy-Martin"
    worker_revision = worker.save_revision()
    assert generation() == before
    revision.publish()
    after_page = generation()
    assert after_page > before
    worker_revision.publish()
    assert generation() > after_page


def test_booking_settings_invalidate(town):
    before = generation()
    rules = BookingSettings.load()
    rules.horizon_weeks += 1
    rules.save()
    assert generation() > before


def test_the_ccas_contact_is_kept_for_the_database_down_page(town):
    from django.core.cache import cache

    from portal.cache import CONTACT_KEY

    ccas = CCASSettings.load()
    ccas.phone = "01 23 45 67 89"
    ccas.save()
    assert cache.get(CONTACT_KEY)["phone"] == "01 23 45 67 89"
    cache.delete(CONTACT_KEY)
    CCASSettings.load()  # read again (a new process, a flushed cache)
    assert cache.get(CONTACT_KEY)["phone"] == "01 23 45 67 89"
