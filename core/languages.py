"""The site's languages: which one is active, and which way each one is written.

The one place that knows that Arabic reads right to left (`settings.LANGUAGES_BIDI`): pages,
error pages, e-mails, the language menus and the booking recap all ask here."""

from __future__ import annotations

from django.conf import settings
from django.utils.translation import get_language

RTL, LTR = "rtl", "ltr"


def current_language() -> str:
    """The active language as one of `settings.LANGUAGES` (the source language otherwise)."""
    code = (get_language() or settings.LANGUAGE_CODE).split("-")[0]
    return code if code in dict(settings.LANGUAGES) else settings.LANGUAGE_CODE


def text_direction(language_code: str | None = None) -> str:
    """The HTML `dir` of `language_code` ("rtl" or "ltr"), else of the active language."""
    code = language_code or get_language() or settings.LANGUAGE_CODE
    return RTL if code.split("-")[0] in settings.LANGUAGES_BIDI else LTR
