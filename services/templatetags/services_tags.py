"""Template helpers of the service directory."""

from datetime import datetime, time

from django import template
from django.utils.translation import get_language

from services.schedule import PARIS

register = template.Library()


@register.filter
def hour(value, language=None):
    """A wall-clock time as families read it: "8 h 30" and "12 h" in French, "08:30" elsewhere.

    Accepts a `time` or a `datetime` (aware datetimes are shown in Europe/Paris)."""
    if isinstance(value, datetime):
        if value.tzinfo is not None:
            value = value.astimezone(PARIS)
        value = value.time()
    if not isinstance(value, time):
        return ""
    language = (language or get_language() or "").split("-")[0]
    if language == "fr":
        return f"{value.hour} h" if value.minute == 0 else f"{value.hour} h {value.minute:02d}"
    return f"{value.hour:02d}:{value.minute:02d}"
