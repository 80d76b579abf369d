"""StreamField blocks shared by every content page."""

from django.utils.translation import gettext_lazy as _
from wagtail import blocks
from wagtail.images.blocks import ImageBlock

# Headings inside rich text are limited to H2-H4: the page title is the only H1.
RICH_TEXT_FEATURES = ["h2", "h3", "h4", "bold", "italic", "ol", "ul", "link", "document-link"]


class HeadingBlock(blocks.StructBlock):
    text = blocks.CharBlock(label=_("Texte"), max_length=200)
    level = blocks.ChoiceBlock(
        label=_("Niveau"),
        choices=[("h2", _("Titre de niveau 2")), ("h3", _("Titre de niveau 3")), ("h4", _("Titre de niveau 4"))],
        default="h2",
    )

    class Meta:
        icon = "title"
        label = _("Titre")
        template = "core/blocks/heading.html"
        preview_value = {"text": "Nos missions", "level": "h2"}
        description = _("Un intertitre ; le titre de la page est le seul titre de niveau 1.")


class FigureBlock(blocks.StructBlock):
    image = ImageBlock(label=_("Image"))
    caption = blocks.CharBlock(label=_("Légende"), required=False, max_length=250)

    class Meta:
        icon = "image"
        label = _("Image")
        template = "core/blocks/figure.html"
        description = _("Une image avec son texte alternatif et une légende facultative.")


class CallToActionBlock(blocks.StructBlock):
    text = blocks.CharBlock(label=_("Texte du bouton"), max_length=80)
    page = blocks.PageChooserBlock(label=_("Page"), required=False)
    url = blocks.URLBlock(label=_("Ou adresse web"), required=False)

    class Meta:
        icon = "link"
        label = _("Bouton d'action")
        template = "core/blocks/call_to_action.html"
        preview_value = {"text": "Prendre rendez-vous", "url": "https://example.org/"}
        description = _("Un lien mis en avant vers une page du site ou une adresse web.")

    def clean(self, value):
        value = super().clean(value)
        if not value.get("page") and not value.get("url"):
            raise blocks.StructBlockValidationError(
                block_errors={"page": blocks.BlockValidationError(_("Choisissez une page ou une adresse web."))}
            )
        return value


class AccordionItemBlock(blocks.StructBlock):
    question = blocks.CharBlock(label=_("Question"), max_length=250)
    answer = blocks.RichTextBlock(label=_("Réponse"), features=RICH_TEXT_FEATURES)


class AccordionBlock(blocks.StructBlock):
    title = blocks.CharBlock(label=_("Titre de la section"), required=False, max_length=200)
    items = blocks.ListBlock(AccordionItemBlock(), label=_("Questions"))

    class Meta:
        icon = "list-ul"
        label = _("Questions fréquentes")
        template = "core/blocks/accordion.html"
        description = _("Des questions et leurs réponses, dépliables, qui fonctionnent sans JavaScript.")


class BodyBlock(blocks.StreamBlock):
    heading = HeadingBlock()
    paragraph = blocks.RichTextBlock(
        label=_("Texte"), features=RICH_TEXT_FEATURES, template="core/blocks/paragraph.html", icon="pilcrow"
    )
    figure = FigureBlock()
    call_to_action = CallToActionBlock()
    accordion = AccordionBlock()
