"""What may be deleted: the one rule the admin's delete views and hooks ask.

A row that other rows protect (`on_delete=PROTECT` or `RESTRICT`: families' requests point at
their school and worker, registrations at their evening) cannot be deleted: deleting it would
fail in the database. The admin asks `blockers()` first and says how many rows stand in the way,
never which (staff of the communication team may not see a family's request).

A page takes its descendants with it, and a page in the source language its translations (and
theirs): all of them are checked. Generic on Django's own declarations, so a new protected
foreign key is counted without a change here. Imports no app."""

from __future__ import annotations

from collections import defaultdict
from dataclasses import dataclass

from django.conf import settings
from django.contrib.contenttypes.models import ContentType
from django.db import models
from django.utils.text import format_lazy
from wagtail.models import Page

PROTECTING = (models.PROTECT, models.RESTRICT)


@dataclass(frozen=True)
class Blocker:
    """`count` rows of `model` that keep the object from being deleted."""

    model: type
    count: int

    @property
    def label(self) -> str:
        opts = self.model._meta
        return format_lazy("{} {}", self.count, opts.verbose_name if self.count == 1 else opts.verbose_name_plural)


def pages_deleted_with(page) -> list[Page]:
    """The pages deleting `page` removes: it, its descendants and, for a page in the source
    language, its translations and their descendants (the admin deletes them together)."""
    roots = [page]
    if page.locale.language_code == settings.LANGUAGE_CODE:
        roots += list(Page.objects.translation_of(page, inclusive=False))
    query = models.Q()
    for root in roots:
        query |= models.Q(path__startswith=root.path)
    return list(Page.objects.filter(query).only("pk", "content_type_id"))


def _protecting_relations(model):
    """The foreign keys of other models that protect rows of `model` (and of its parents)."""
    relations = []
    for klass in [model, *model._meta.get_parent_list()]:
        # include_hidden: a foreign key with related_name="+" (a request's school) protects too.
        for relation in klass._meta.get_fields(include_hidden=True, include_parents=False):
            if isinstance(relation, models.ForeignObjectRel) and not relation.many_to_many:
                if relation.on_delete in PROTECTING:
                    relations.append(relation)
    return relations


def blockers_of(model, pks) -> list[Blocker]:
    """The rows protecting the rows `pks` of `model`, counted by protecting model: one query
    per protecting foreign key."""
    counts: dict[type, int] = defaultdict(int)
    for relation in _protecting_relations(model):
        related = relation.related_model
        count = related._base_manager.filter(**{f"{relation.field.name}__in": pks}).count()
        if count:
            counts[related] += count
    return [Blocker(model, count) for model, count in counts.items()]


def blockers(obj) -> list[Blocker]:
    """What keeps `obj` (a page, with everything deleted along with it, or any row) from being
    deleted; empty when it may be."""
    if isinstance(obj, Page):
        return page_blockers(pages_deleted_with(obj))
    return blockers_of(type(obj), [obj.pk])


def page_blockers(pages) -> list[Blocker]:
    by_type: dict[int, list[int]] = defaultdict(list)
    for page in pages:
        by_type[page.content_type_id].append(page.pk)
    counts: dict[type, int] = defaultdict(int)
    for content_type_id, pks in by_type.items():
        model = ContentType.objects.get_for_id(content_type_id).model_class() or Page
        for blocker in blockers_of(model, pks):
            counts[blocker.model] += blocker.count
    return [Blocker(model, count) for model, count in counts.items()]
