from django.conf import settings
from django.db import models
from django.utils.translation import gettext_lazy as _
from wagtail.models import Page
from wagtail.search import index


class BasePage(Page):
    """Fields every public content page has. An ordinary abstract page (wagtail-localize
    does not support Wagtail 8's custom base page model)."""

    intro = models.TextField(_("chapeau"), blank=True, help_text=_("Une ou deux phrases sous le titre."))

    search_fields = Page.search_fields + [index.SearchField("intro")]

    class Meta:
        abstract = True


def in_source_language(queryset, through: str = ""):
    """`queryset` narrowed to the source language (settings.LANGUAGE_CODE): its own rows
    (pages, translatable snippets), or with `through` ("school") the rows whose related
    page is in it. One filter on the locale join, no query of its own."""
    lookup = f"{through}__locale__language_code" if through else "locale__language_code"
    return queryset.filter(**{lookup: settings.LANGUAGE_CODE})


def source_page(page):
    """This page in the source language: the page itself when it is the source (or when it
    was created directly in another language and has no source translation)."""
    if page.locale.language_code == settings.LANGUAGE_CODE:
        return page
    return in_source_language(type(page).objects.filter(translation_key=page.translation_key)).first() or page
