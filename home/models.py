from django.conf import settings
from django.db import models
from django.utils.translation import gettext_lazy as _
from modelcluster.fields import ParentalKey
from modelcluster.models import ClusterableModel
from wagtail.admin.panels import FieldPanel, InlinePanel, MultiFieldPanel
from wagtail.contrib.settings.models import BaseGenericSetting, register_setting
from wagtail.fields import RichTextField, StreamField
from wagtail.models import Orderable
from wagtail.search import index

from core.blocks import BodyBlock
from core.pages import BasePage


class HomePage(BasePage):
    body = StreamField(BodyBlock(), blank=True, verbose_name=_("contenu"))

    content_panels = BasePage.content_panels + [FieldPanel("intro"), FieldPanel("body")]
    search_fields = BasePage.search_fields + [index.SearchField("body")]
    parent_page_types = ["wagtailcore.Page"]
    max_count_per_parent = 1

    class Meta:
        verbose_name = _("page d'accueil")


class InformationPage(BasePage):
    """General content: missions, professional secrecy, legal notices, FAQ."""

    body = StreamField(BodyBlock(), blank=True, verbose_name=_("contenu"))

    content_panels = BasePage.content_panels + [FieldPanel("intro"), FieldPanel("body")]
    search_fields = BasePage.search_fields + [index.SearchField("body")]
    parent_page_types = ["home.HomePage", "home.InformationPage"]

    class Meta:
        verbose_name = _("page d'information")
        verbose_name_plural = _("pages d'information")


@register_setting(icon="home")
class CCASSettings(ClusterableModel, BaseGenericSetting):
    """Contact of the CCAS, shown in every footer. Legal pages are linked in the visitor's language.

    The address and opening hours are written in French here and may be translated per language
    (`translations`, CCASContactTranslation): a page of another language shows its translation,
    else the French text marked lang="fr" (see contact_in())."""

    name = models.CharField(_("nom du CCAS"), max_length=200, default="CCAS")
    service_name = models.CharField(_("nom du service"), max_length=200, default="Service social scolaire")
    address = models.TextField(_("adresse"), blank=True)
    phone = models.CharField(_("téléphone"), max_length=30, blank=True)
    email = models.EmailField(_("e-mail"), blank=True)
    opening_hours = RichTextField(_("horaires d'accueil"), blank=True, features=["bold", "ul"])
    legal_notice_page = models.ForeignKey(
        "wagtailcore.Page",
        null=True,
        blank=True,
        on_delete=models.SET_NULL,
        related_name="+",
        verbose_name=_("mentions légales"),
    )
    privacy_page = models.ForeignKey(
        "wagtailcore.Page",
        null=True,
        blank=True,
        on_delete=models.SET_NULL,
        related_name="+",
        verbose_name=_("données personnelles"),
    )
    accessibility_page = models.ForeignKey(
        "wagtailcore.Page",
        null=True,
        blank=True,
        on_delete=models.SET_NULL,
        related_name="+",
        verbose_name=_("accessibilité"),
    )

    panels = [
        MultiFieldPanel([FieldPanel("name"), FieldPanel("service_name")], heading=_("Identité")),
        MultiFieldPanel(
            [FieldPanel("address"), FieldPanel("phone"), FieldPanel("email"), FieldPanel("opening_hours")],
            heading=_("Contact"),
        ),
        InlinePanel("translations", heading=_("Adresse et horaires dans les autres langues"), label=_("Traduction")),
        MultiFieldPanel(
            [FieldPanel("legal_notice_page"), FieldPanel("privacy_page"), FieldPanel("accessibility_page")],
            heading=_("Pages légales"),
        ),
    ]

    class Meta:
        verbose_name = _("coordonnées du CCAS")

    def contact_in(self, language: str) -> dict:
        """The address and opening hours to show in `language`: {"address", "opening_hours",
        "address_lang", "hours_lang"}, where a *_lang is "" for a text in `language` and the
        source language's code for a French text shown as it is."""
        source = settings.LANGUAGE_CODE
        translation = None
        if language != source:
            translation = next((t for t in self.translations.all() if t.language == language), None)
        address = translation.address if translation and translation.address else self.address
        hours = translation.opening_hours if translation and translation.opening_hours else self.opening_hours
        return {
            "address": address,
            "opening_hours": hours,
            "address_lang": "" if language == source or (translation and translation.address) else source,
            "hours_lang": "" if language == source or (translation and translation.opening_hours) else source,
        }


TRANSLATED_LANGUAGES = [(code, name) for code, name in settings.LANGUAGES if code != settings.LANGUAGE_CODE]


class CCASContactTranslation(Orderable):
    """The CCAS address and opening hours in one of the other languages."""

    ccas = ParentalKey(CCASSettings, on_delete=models.CASCADE, related_name="translations")
    language = models.CharField(_("langue"), max_length=5, choices=TRANSLATED_LANGUAGES)
    address = models.TextField(_("adresse"), blank=True, help_text=_("Laisser vide : l'adresse en français."))
    opening_hours = RichTextField(
        _("horaires d'accueil"), blank=True, features=["bold", "ul"], help_text=_("Laisser vide : en français.")
    )

    panels = [FieldPanel("language"), FieldPanel("address"), FieldPanel("opening_hours")]

    class Meta(Orderable.Meta):
        verbose_name = _("traduction des coordonnées")
        constraints = [models.UniqueConstraint(fields=["ccas", "language"], name="one_ccas_translation_per_language")]

    def __str__(self):
        return self.language

    @property
    def legal_pages(self):
        return [p for p in (self.legal_notice_page, self.accessibility_page, self.privacy_page) if p]
