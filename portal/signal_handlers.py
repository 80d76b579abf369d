"""Cache invalidation: the one place that decides when cached pages and fragments are dropped.

Every model a public page shows bumps the cache generation (portal.cache.invalidate) when one
of its rows is saved or deleted. The list is derived, not kept by hand:

- every model of the content apps (SHOWN_APPS): their pages, the directory (workers, social
  centres, permanences, absences, closures) and the CCAS settings;
- every page model, registered snippet and registered site setting (the booking settings);
- the image and document models, and the Wagtail rows that decide what a page is and who sees
  it (sites, locales, view restrictions).

A save that only records a draft (a new revision, a lock) changes nothing a visitor sees and
leaves the caches alone. Publishing, unpublishing and moving a page invalidate too, and so
does every `migrate` (a deployment).

tests/portal/test_signal_handlers.py renders every public page, lists the tables they read and
fails when one of them can change without invalidation."""

from functools import cache

from django.apps import apps
from django.core.cache import cache as django_cache
from django.db.models.signals import post_delete, post_init, post_migrate, post_save
from wagtail.documents import get_document_model
from wagtail.images import get_image_model
from wagtail.models import Locale, PageViewRestriction, Site, get_page_models
from wagtail.signals import page_published, page_unpublished, post_page_move
from wagtail.snippets.models import get_snippet_models

from home.models import CCASSettings
from portal.cache import CONTACT_KEY, invalidate

# The apps whose every model is public content.
SHOWN_APPS = ("home", "services")

# The fields a draft save, a new revision or a lock writes on a page or snippet: the live
# content stays as it was.
DRAFT_FIELDS = frozenset(
    {
        "latest_revision",
        "latest_revision_created_at",
        "has_unpublished_changes",
        "draft_title",
        "wagtail_admin_comments",
        "locked",
        "locked_at",
        "locked_by",
    }
)


@cache
def shown_models() -> frozenset:
    """The models whose rows public pages show (computed once every app is loaded)."""
    from wagtail.contrib.settings.registry import registry as settings_registry

    models = set()
    for label in SHOWN_APPS:
        models.update(apps.get_app_config(label).get_models())
    models.update(get_page_models())
    models.update(get_snippet_models())
    models.update(settings_registry)
    models.update({get_image_model(), get_document_model(), Site, Locale, PageViewRestriction})
    return frozenset(models)


def changed(sender, instance=None, update_fields=None, **kwargs):
    if sender not in shown_models():
        return
    if update_fields and DRAFT_FIELDS.issuperset(update_fields):
        return
    invalidate()


def remember_contact(sender, instance, **kwargs):
    """Keep the CCAS name and phone in the cache for the page shown when the database is down
    (portal.middleware.service_unavailable): replaced when they are saved, added when they are
    first read."""
    if instance.pk is None:  # not saved yet: nothing to remember
        return
    contact = {"name": instance.name, "phone": instance.phone}
    if kwargs.get("signal") is post_save:
        django_cache.set(CONTACT_KEY, contact, timeout=None)
    else:
        django_cache.add(CONTACT_KEY, contact, timeout=None)


def connect():
    # Every model's saves and deletions reach `changed`, which keeps those of shown_models():
    # snippets are registered after this app is ready, so the list is read on the first save.
    post_save.connect(changed, dispatch_uid="portal-cache-save")
    post_delete.connect(changed, dispatch_uid="portal-cache-delete")
    page_published.connect(invalidate, dispatch_uid="portal-cache-published")
    page_unpublished.connect(invalidate, dispatch_uid="portal-cache-unpublished")
    # Moving a page changes the addresses (and the menus) of its whole subtree.
    post_page_move.connect(invalidate, dispatch_uid="portal-cache-moved")
    # A deployment migrates: nothing the previous code stored (pages, fragments, pickled facts)
    # is read by the new one.
    post_migrate.connect(invalidate, dispatch_uid="portal-cache-migrated")

    post_save.connect(remember_contact, sender=CCASSettings, dispatch_uid="portal-contact-save")
    post_init.connect(remember_contact, sender=CCASSettings, dispatch_uid="portal-contact-read")
