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
