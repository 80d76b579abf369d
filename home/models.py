from django.db import models
from django.utils.translation import gettext_lazy as _
from wagtail.admin.panels import FieldPanel, MultiFieldPanel
from wagtail.contrib.settings.models import BaseGenericSetting, register_setting
from wagtail.fields import RichTextField, StreamField
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
class CCASSettings(BaseGenericSetting):
    """Contact of the CCAS, shown in every footer. Legal pages are linked in the visitor's language."""

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
