"""Synchronised data never drifts (DESIGN.md rule 9): when a page in the source language is
published, its translations take its synchronised fields and inline rows at once, and their
translated texts stay as they are.

What is synchronised is what the model declares `SynchronizedField(..., overridable=False)` in
`override_translatable_fields` (wagtail-localize's own declaration, the one its editor shows
as locked), plus the synchronised fields of its translatable inline rows (a school's
permanences): a row added in French is added to every translation with its French text (shown
marked lang="fr" until translated), a row removed in French is removed everywhere.

Why not wagtail-localize's "Synchroniser les pages traduites" (`create_or_update_translation`)
on every publish: it rebuilds each translation from the translation memory, so a French text
changed and not yet translated either stops it (MissingTranslationError) or, with fallback,
replaces the translated text with the French one; and it saves and publishes a revision per
language (seconds per page). Here the translations' rows are written directly, a few queries
per language, and the page's TranslationSource is refreshed from the published page so that the
next publish from wagtail-localize's editor starts from today's data, not from the snapshot of
the last synchronisation (which would put the old permanence time back).

Pure of requests and templates; the signal is connected in services.apps."""

from __future__ import annotations

from django.conf import settings
from django.db import models, transaction
from modelcluster.fields import ParentalKey, ParentalManyToManyField
from wagtail.models import Page, TranslatableMixin
from wagtail.search import index
from wagtail_localize.fields import SynchronizedField
from wagtail_localize.models import TranslationSource


def locked_fields(model) -> list[str]:
    """The names of the fields of `model` that may never differ between languages."""
    return [
        field.field_name
        for field in getattr(model, "override_translatable_fields", ())
        if isinstance(field, SynchronizedField) and not field.overridable
    ]


def _split(model):
    """The locked fields of `model` as (concrete fields, many-to-many fields, inline relations)."""
    concrete, many, inline = [], [], []
    for name in locked_fields(model):
        field = model._meta.get_field(name)
        if isinstance(field, ParentalManyToManyField | models.ManyToManyField):
            many.append(field)
        elif isinstance(field, models.ManyToOneRel) and isinstance(field.remote_field, ParentalKey):
            inline.append(field)
        else:
            concrete.append(field)
    return concrete, many, inline


def inline_relations(model) -> list[models.ManyToOneRel]:
    """The translatable inline rows of `model` (ParentalKey children with a locale, e.g. a
    school's permanences): synchronised row by row, their texts kept per language."""
    return [
        relation
        for relation in model._meta.related_objects
        if isinstance(relation.remote_field, ParentalKey) and issubclass(relation.related_model, TranslatableMixin)
    ]


def is_source(page) -> bool:
    return page.locale.language_code == settings.LANGUAGE_CODE


@transaction.atomic
def synchronise_translations(source) -> list:
    """Copy the locked fields and the inline rows' locked fields of `source` (a specific page in
    the source language) into each of its translations; returns the translations touched.

    Queries: a fixed number per translation (the page row, its inline rows, the search index),
    whatever the number of fields and rows."""
    model = type(source)
    concrete, many, _declared_inline = _split(model)
    relations = inline_relations(model)
    if not (concrete or many or relations):
        return []
    translations = list(
        model.objects.filter(translation_key=source.translation_key).exclude(pk=source.pk).select_related("locale")
    )
    if not translations:
        return []
    values = {field.attname: getattr(source, field.attname) for field in concrete}
    for translation in translations:
        for attname, value in values.items():
            setattr(translation, attname, value)
        extra = _derived_fields(translation)
        if values or extra:
            model.objects.filter(pk=translation.pk).update(**values, **extra)
        for field in many:
            related = getattr(translation, field.name)
            related.set(list(getattr(source, field.name).all()))
            related.commit()
        for relation in relations:
            _synchronise_rows(source, translation, relation)
        index.insert_or_update_object(translation)
    TranslationSource.update_or_create_from_instance(source)
    return translations


def _derived_fields(translation) -> dict:
    """Fields computed from the synchronised ones (a school's search text)."""
    build = getattr(translation, "build_search_text", None)
    if build is None:
        return {}
    translation.search_text = build()
    return {"search_text": translation.search_text}


def _synchronise_rows(source, translation, relation) -> None:
    """Make the translation's inline rows match the source's, row for row by translation key:
    locked fields and order copied, texts kept; new rows added with the source's text, rows
    gone from the source deleted."""
    child = relation.related_model
    parent_field = relation.remote_field.name
    locked = [child._meta.get_field(name) for name in locked_fields(child)]
    copied = [field.attname for field in locked]
    if "sort_order" in {f.name for f in child._meta.concrete_fields}:
        copied.append("sort_order")
    source_rows = list(child.objects.filter(**{parent_field: source}))
    existing = {row.translation_key: row for row in child.objects.filter(**{parent_field: translation})}
    to_update, to_create = [], []
    for row in source_rows:
        target = existing.pop(row.translation_key, None)
        if target is None:
            target = child(**{f.attname: getattr(row, f.attname) for f in child._meta.concrete_fields if f.attname})
            target.pk = None
            setattr(target, relation.remote_field.attname, translation.pk)
            target.locale_id = translation.locale_id
            to_create.append(target)
            continue
        if any(getattr(target, name) != getattr(row, name) for name in copied):
            for name in copied:
                setattr(target, name, getattr(row, name))
            to_update.append(target)
    if existing:
        child.objects.filter(pk__in=[row.pk for row in existing.values()]).delete()
    if to_update and copied:
        child.objects.bulk_update(to_update, copied)
    if to_create:
        child.objects.bulk_create(to_create)


def synchronise_on_publish(sender, instance, **kwargs):
    """page_published: a page in the source language takes its translations with it."""
    page = instance.specific if type(instance) is Page else instance
    if page.locale_id and is_source(page):
        synchronise_translations(page)
