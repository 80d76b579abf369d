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


class SchoolSelect(forms.Select):
    """The school choice: the schools whose name is still written in French on a page of another
    language (`french_values`, set by the form) are marked `lang="fr" dir="ltr"`, like every
    French text inside another language (portal/templates/includes/lang_source.html)."""

    french_values: frozenset[str] = frozenset()

    def create_option(self, name, value, *args, **kwargs):
        option = super().create_option(name, value, *args, **kwargs)
        if str(value) in self.french_values:
            option["attrs"]["lang"] = "fr"
            option["attrs"]["dir"] = "ltr"
        return option
