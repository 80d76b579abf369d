from django.conf import settings
from django.core.exceptions import ValidationError
from django.core.validators import MaxValueValidator, MinValueValidator
from django.db import models
from django.utils import timezone
from django.utils.translation import gettext_lazy as _
from modelcluster.fields import ParentalKey
from modelcluster.models import ClusterableModel
from wagtail.admin.panels import FieldPanel, InlinePanel, MultiFieldPanel
from wagtail.contrib.settings.models import BaseGenericSetting, register_setting
from wagtail.fields import RichTextField, StreamField
from wagtail.models import Orderable, TranslatableMixin
from wagtail.search import index
from wagtail_localize.fields import SynchronizedField

from core.blocks import RICH_TEXT_FEATURES, BodyBlock
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


class AccessibilityStatementPage(BasePage):
    """The accessibility statement (loi 2005-102 art. 47, décret 2019-768) in the structure of the
    RGAA model: conformity status, test results, non-accessible content (non-conformities,
    derogations, exempt content), how the statement was made, feedback and contact, recourse.
    The status, dates and rate are the same in every language; the texts are translated. The
    footer of every page shows the status (CCASSettings.accessibility_page points here)."""

    class Status(models.TextChoices):
        NONE = "non", _("non conforme")
        PARTIAL = "partiel", _("partiellement conforme")
        FULL = "total", _("totalement conforme")

    status = models.CharField(_("état de conformité"), max_length=10, choices=Status.choices, default=Status.NONE)
    rgaa_version = models.CharField(_("version du RGAA"), max_length=10, default="4.1")
    compliance_rate = models.DecimalField(
        _("taux de conformité (%)"),
        max_digits=5,
        decimal_places=2,
        null=True,
        blank=True,
        validators=[MinValueValidator(0), MaxValueValidator(100)],
        help_text=_("Part des critères du RGAA respectés, selon l'audit."),
    )
    audit_date = models.DateField(_("date de l'audit"), null=True, blank=True)
    statement_date = models.DateField(_("date de la déclaration"), null=True, blank=True)
    audit_by = models.CharField(
        _("audit réalisé par"), max_length=200, blank=True, help_text=_("Par exemple « auto-évaluation »")
    )
    audit_tools = models.TextField(_("outils et environnement de test"), blank=True)
    audited_pages = models.TextField(_("pages vérifiées"), blank=True)
    non_compliant = RichTextField(_("non-conformités"), blank=True, features=RICH_TEXT_FEATURES)
    derogations = RichTextField(_("dérogations pour charge disproportionnée"), blank=True, features=RICH_TEXT_FEATURES)
    exempt_content = RichTextField(
        _("contenus non soumis à l'obligation d'accessibilité"), blank=True, features=RICH_TEXT_FEATURES
    )
    feedback = RichTextField(
        _("retour d'information et contact"),
        blank=True,
        features=RICH_TEXT_FEATURES,
        help_text=_("Comment signaler un défaut d'accessibilité ; le téléphone et l'e-mail du CCAS sont ajoutés."),
    )
    plan_url = models.URLField(_("schéma pluriannuel (adresse)"), blank=True)

    content_panels = BasePage.content_panels + [
        FieldPanel("intro"),
        MultiFieldPanel(
            [
                FieldPanel("status"),
                FieldPanel("rgaa_version"),
                FieldPanel("compliance_rate"),
                FieldPanel("audit_date"),
                FieldPanel("statement_date"),
                FieldPanel("audit_by"),
                FieldPanel("audit_tools"),
                FieldPanel("audited_pages"),
            ],
            heading=_("État de conformité et audit"),
        ),
        MultiFieldPanel(
            [FieldPanel("non_compliant"), FieldPanel("derogations"), FieldPanel("exempt_content")],
            heading=_("Contenus non accessibles"),
        ),
        FieldPanel("feedback"),
        FieldPanel("plan_url"),
    ]
    override_translatable_fields = [
        SynchronizedField("status", overridable=False),
        SynchronizedField("rgaa_version", overridable=False),
        SynchronizedField("compliance_rate", overridable=False),
        SynchronizedField("audit_date", overridable=False),
        SynchronizedField("statement_date", overridable=False),
        SynchronizedField("plan_url", overridable=False),
    ]
    search_fields = BasePage.search_fields + [index.SearchField("non_compliant")]
    parent_page_types = ["home.HomePage"]
    subpage_types = []
    max_count_per_parent = 1

    class Meta:
        verbose_name = _("déclaration d'accessibilité")


class SiteNotice(TranslatableMixin, models.Model):
    """A banner on every page of the site (the CCAS closed, a strike, a new phone number) from
    `starts_at` to `ends_at`, then gone by itself. Translated with wagtail-localize; a page of a
    language without its translation shows the French text."""

    class Level(models.TextChoices):
        INFO = "info", _("Information")
        WARNING = "warning", _("Important")
        ALERT = "alert", _("Urgent")

    level = models.CharField(_("niveau"), max_length=10, choices=Level.choices, default=Level.INFO)
    text = models.CharField(_("texte"), max_length=300)
    link_url = models.URLField(_("lien (adresse)"), blank=True)
    link_text = models.CharField(_("texte du lien"), max_length=80, blank=True)
    starts_at = models.DateTimeField(_("début de l'affichage"))
    ends_at = models.DateTimeField(_("fin de l'affichage"))

    panels = [
        FieldPanel("level"),
        FieldPanel("text"),
        MultiFieldPanel([FieldPanel("link_url"), FieldPanel("link_text")], heading=_("Lien (facultatif)")),
        MultiFieldPanel([FieldPanel("starts_at"), FieldPanel("ends_at")], heading=_("Dates")),
    ]
    override_translatable_fields = [
        SynchronizedField("level", overridable=False),
        SynchronizedField("starts_at", overridable=False),
        SynchronizedField("ends_at", overridable=False),
    ]

    class Meta(TranslatableMixin.Meta):
        verbose_name = _("bandeau d'information")
        verbose_name_plural = _("bandeaux d'information")
        ordering = ["-starts_at"]

    def __str__(self):
        return self.text

    def clean(self):
        super().clean()
        if self.starts_at and self.ends_at and self.ends_at <= self.starts_at:
            raise ValidationError({"ends_at": _("La fin de l'affichage doit être après son début.")})
        if self.link_url and not self.link_text:
            raise ValidationError({"link_text": _("Donnez le texte du lien.")})


def current_site_notices(language: str, now=None) -> list[SiteNotice]:
    """The banners shown now, in `language` (else in French, `in_source_language` True): two
    queries at most."""
    now = now or timezone.now()
    sources = list(
        SiteNotice.objects.filter(
            starts_at__lte=now, ends_at__gt=now, locale__language_code=settings.LANGUAGE_CODE
        ).order_by("-level", "starts_at")
    )
    translated = {}
    if sources and language != settings.LANGUAGE_CODE:
        translated = {
            n.translation_key: n
            for n in SiteNotice.objects.filter(
                translation_key__in=[s.translation_key for s in sources], locale__language_code=language
            )
        }
    shown = []
    for source in sources:
        notice = translated.get(source.translation_key, source)
        notice.in_source_language = notice is source and language != settings.LANGUAGE_CODE
        shown.append(notice)
    return shown


def accessibility_status(ccas) -> str:
    """The status the footer states: the statement's, "non conforme" without a statement (the
    law's answer for a site never audited)."""
    page = ccas.accessibility_page
    statement = getattr(page.specific, "status", None) if page is not None else None
    return AccessibilityStatementPage.Status(statement or AccessibilityStatementPage.Status.NONE).label


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

    @property
    def legal_pages(self):
        return [p for p in (self.legal_notice_page, self.accessibility_page, self.privacy_page) if p]

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
