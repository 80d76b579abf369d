"""Template tags of the site-wide settings."""

from django import template
from django.utils import translation

register = template.Library()


@register.simple_tag
def ccas_contact(ccas):
    """The CCAS address and opening hours in the active language (CCASSettings.contact_in)."""
    return ccas.contact_in(translation.get_language())


@register.simple_tag
def accessibility_status(ccas) -> str:
    """The conformity status the footer states (home.models.accessibility_status)."""
    from home.models import accessibility_status as status

    return status(ccas)
