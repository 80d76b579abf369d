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


@register.inclusion_tag("includes/site_notices.html", takes_context=True)
def site_notices(context):
    """The site-wide banners shown now (home.models.current_site_notices)."""
    from home.models import current_site_notices

    return {
        "notices": current_site_notices(translation.get_language()),
        "current_language": context.get("current_language"),
    }
