"""`manage.py load_demo`: a realistic site in one command, safe to run again."""

import io

from django.apps import apps
from django.contrib.auth import get_user_model
from django.core.management import call_command
from wagtail.models import Locale, Page, Revision, Site
from wagtail_localize.models import StringTranslation, Translation, TranslationSource

from home.models import CCASSettings
from portal.management.commands.load_demo import DEMO_ADMIN


def load_demo():
    call_command("load_demo", stdout=io.StringIO(), stderr=io.StringIO())


def content_snapshot():
    """Everything load_demo builds, in a form that compares equal when nothing changed."""
    pages = Page.objects.order_by("path").values_list(
        "path", "translation_key", "locale__language_code", "title", "slug", "url_path", "live", "numchild"
    )
    revisions = Revision.objects.order_by("pk").values_list("base_content_type", "object_id", "created_at")
    return {
        "pages": list(pages),
        "revisions": list(revisions),
        "locales": sorted(Locale.objects.values_list("language_code", flat=True)),
        "sites": list(Site.objects.values_list("hostname", "port", "root_page_id", "is_default_site")),
        "translation sources": TranslationSource.objects.count(),
        "translations": sorted(Translation.objects.values_list("source__object_id", "target_locale__language_code")),
        "translated strings": sorted(
            StringTranslation.objects.values_list("translation_of_id", "locale__language_code", "data")
        ),
        "ccas settings": list(CCASSettings.objects.values()),
        # Rows of every other model too (schools, workers, requests...): a demo loader that
        # duplicates its content on a second run shows up here.
        "rows": {
            model._meta.label: model._default_manager.count()
            for model in apps.get_models()
            if model is not get_user_model()
        },
    }


def accounts():
    """{username: (is a superuser, has a password one can log in with)}."""
    return {user.username: (user.is_superuser, user.has_usable_password()) for user in get_user_model().objects.all()}


def test_load_demo_again_changes_no_content_and_adds_the_admin_in_development_only(demo_site, settings):
    first = content_snapshot()
    assert len(first["pages"]) > 1 and first["revisions"]
    staff = accounts()
    assert not any(superuser or usable for superuser, usable in staff.values()), (
        "outside development, load_demo must leave no account anyone can log into"
    )

    # `make run` runs load_demo with the development settings on every start.
    settings.DEBUG = True
    load_demo()
    load_demo()

    assert content_snapshot() == first
    username, password = DEMO_ADMIN
    assert accounts() == {**staff, username: (True, True)}
    assert get_user_model().objects.get(username=username).check_password(password)
