"""Translate demo pages and snippets through wagtail-localize, as an editor would.

Demo translations live in `home/demo/translations/<lang>.json`: a mapping from each French
source segment to its translation. Segments missing from a catalogue fall back to French and
are reported, so a forgotten string is visible rather than silently lost."""

import json
from functools import cache
from pathlib import Path

from django.db import transaction
from wagtail_localize.models import StringSegment, StringTranslation, Translation, TranslationSource

CATALOGUE_DIR = Path(__file__).parent / "translations"


@cache
def catalogue(language_code):
    path = CATALOGUE_DIR / f"{language_code}.json"
    if not path.exists():
        return {}
    return json.loads(path.read_text(encoding="utf-8"))


@transaction.atomic
def translate(instance, locale, strings=None, publish=True):
    """Create or update the translation of `instance` into `locale`; return the missing segments."""
    strings = catalogue(locale.language_code) if strings is None else strings
    source, created = TranslationSource.get_or_create_from_instance(instance)
    if not created:
        source.update_from_db()
    translation, _ = Translation.objects.get_or_create(source=source, target_locale=locale, defaults={"enabled": True})
    missing = []
    segments = StringSegment.objects.filter(source=source).select_related("string", "context")
    for segment in segments:
        text = strings.get(segment.string.data)
        if text is None:
            missing.append(segment.string.data)
            continue
        StringTranslation.objects.update_or_create(
            translation_of=segment.string,
            locale=locale,
            context=segment.context,
            defaults={"data": text},
        )
    translation.save_target(publish=publish)
    return missing


def source_strings(instance):
    """Every French segment of an object, as wagtail-localize extracts it."""
    source, created = TranslationSource.get_or_create_from_instance(instance)
    if not created:
        source.update_from_db()
    return [s.string.data for s in StringSegment.objects.filter(source=source).select_related("string")]
