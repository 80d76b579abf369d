from django.conf import settings
from django.contrib.contenttypes.models import ContentType
from django.db import models
from django.db.models import Exists, OuterRef, Q
from django.db.models.functions import Length, Substr
from django.utils.translation import gettext_lazy as _
from wagtail.models import Page, PageViewRestriction
from wagtail.search import index


class BasePage(Page):
    """Fields every public content page has. An ordinary abstract page (wagtail-localize
    does not support Wagtail 8's custom base page model)."""

    intro = models.TextField(_("chapeau"), blank=True, help_text=_("Une ou deux phrases sous le titre."))

    search_fields = Page.search_fields + [index.SearchField("intro")]

    class Meta:
        abstract = True

    def route(self, request, path_components):
        """Wagtail's routing, in one query for the whole path. Page.route walks it one level at
        a time, two queries a level (the child by slug, then its specific row): seven of the
        nine queries of an uncached school page. Here the pages on the way are read at once by
        their url_path, and the last one's specific row; anything unusual (a missing level, a
        page type with its own `route`, e.g. a RoutablePage serving sub-paths) falls back to
        Wagtail's walk, so the answer is always the one Page.route would give."""
        if not path_components:
            return super().route(request, path_components)
        depths = range(1, len(path_components) + 1)
        prefixes = [self.url_path + "".join(f"{c}/" for c in path_components[:i]) for i in depths]
        rows = {
            url_path: (pk, content_type_id)
            for url_path, pk, content_type_id in Page.objects.filter(
                path__startswith=self.path, url_path__in=prefixes
            ).values_list("url_path", "pk", "content_type_id")
        }
        if len(rows) != len(prefixes):
            return super().route(request, path_components)
        models_on_the_way = [ContentType.objects.get_for_id(rows[prefix][1]).model_class() for prefix in prefixes]
        if any(model is None or model.route not in _PLAIN_ROUTES for model in models_on_the_way):
            return super().route(request, path_components)
        target = models_on_the_way[-1].objects.get(pk=rows[prefixes[-1]][0])
        return target.route(request, [])

    def get_view_restrictions(self):
        """The view restrictions on this page and its ancestors, an alias on the way counting
        its source page's instead of its own: Wagtail's answer (Page.get_view_restrictions) in
        one query instead of two on every page served (it reads the ancestors first). The
        ancestors' tree paths are prefixes of this page's path: no query is needed to name them."""
        paths = [self.path[: depth * self.steplen] for depth in range(1, self.depth + 1)]
        aliases_on_the_way = Page.objects.filter(path__in=paths, alias_of__isnull=False).values("alias_of_id")
        return PageViewRestriction.objects.filter(
            Q(page__path__in=paths, page__alias_of__isnull=True) | Q(page_id__in=aliases_on_the_way)
        )


_PLAIN_ROUTES = (Page.route, BasePage.route)


def _covered():
    """The view restrictions covering the outer query's page: on it or on an ancestor (a
    restriction covers the pages whose tree path starts with its page's path)."""
    return PageViewRestriction.objects.filter(page__path=Substr(OuterRef("path"), 1, Length("page__path")))


def public(queryset):
    """`queryset` without the pages a view restriction (password, login, groups) covers, on the
    page itself or on an ancestor: Wagtail's `PageQuerySet.public()`, in the same query. Wagtail's
    reads every restriction first, one query more on each call; here it is a subquery."""
    return queryset.filter(~Exists(_covered()))


def published_source(model, pk: int, related: tuple[str, ...] = ()):
    """The live, public page in the source language that the live, public page `pk` of `model`
    (in any language) stands for, or None, with `related` selected: one query for a page in the
    source language, two for a translation. A page created directly in another language, with no
    source translation, stands for itself. Body streamfields are deferred: the callers (booking,
    API) read a page's facts, not its text.

    Two plain queries rather than one with the translation as a subquery: building and compiling
    that one costs more CPU than the second round trip (measured: 3.7 ms against 2.0 ms for a
    French page, the same for a translation)."""
    related = ("locale", *related)
    page = public(model.objects.live()).filter(pk=pk).defer_streamfields().select_related(*related).first()
    if page is None or page.locale.language_code == settings.LANGUAGE_CODE:
        return page
    source = (
        model.objects.filter(translation_key=page.translation_key, locale__language_code=settings.LANGUAGE_CODE)
        .annotate(restricted=Exists(_covered()))
        .defer_streamfields()
        .select_related(*related)
        .first()
    )
    if source is None:
        return page
    return source if source.live and not source.restricted else None


def in_source_language(queryset, through: str = ""):
    """`queryset` narrowed to the source language (settings.LANGUAGE_CODE): its own rows
    (pages, translatable snippets), or with `through` ("school") the rows whose related
    page is in it. One filter on the locale join, no query of its own."""
    lookup = f"{through}__locale__language_code" if through else "locale__language_code"
    return queryset.filter(**{lookup: settings.LANGUAGE_CODE})


def source_page(page):
    """This page in the source language: the page itself when it is the source (or when it
    was created directly in another language and has no source translation)."""
    if page.locale.language_code == settings.LANGUAGE_CODE:
        return page
    return in_source_language(type(page).objects.filter(translation_key=page.translation_key)).first() or page
