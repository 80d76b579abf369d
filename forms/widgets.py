"""Widgets of the public forms."""

from django import forms

from core.languages import text_direction


class LanguageSelect(forms.Select):
    """Each language named in itself, marked up so that screen readers pronounce it right."""

    def create_option(self, name, value, *args, **kwargs):
        option = super().create_option(name, value, *args, **kwargs)
        if value:
            option["attrs"]["lang"] = value
            option["attrs"]["dir"] = text_direction(value)
        return option
