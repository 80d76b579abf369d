from django import template
from django.conf import settings
from django.urls import translate_url
from django.utils.translation import get_language
from wagtail.models import Page, Site

from core.languages import text_direction
from core.pages import public

register = template.Library()

# `{{ code|text_direction }}`: the `dir` of a language (core.languages, the one place that knows).
register.filter("text_direction", text_direction)


def _site_root(request):
    site = Site.find_for_request(request) if request else None
    return site.root_page if site else None


@register.inclusion_tag("includes/language_switcher.html", takes_context=True)
def language_switcher(context):
    """One link per language: the same page's live translation, else that locale's home page.

    Views that are not Wagtail pages (forms, 404) get Django's translate_url of the path."""
    request = context.get("request")
    page = context.get("page")
    current = context.get("current_language") or settings.LANGUAGE_CODE
    targets = {}
    if isinstance(page, Page) and page.pk:
        for translation in Page.objects.filter(translation_key=page.translation_key).live().select_related("locale"):
            targets[translation.locale.language_code] = translation
    root = _site_root(request)
    homes = {}
    if root is not None and len(targets) < len(settings.LANGUAGES):
        for home in Page.objects.filter(translation_key=root.translation_key).live().select_related("locale"):
            homes[home.locale.language_code] = home
    links = []
    for code, name in settings.LANGUAGES:
        target = targets.get(code)
        if target is not None:
            url = target.get_url(request)
        elif not isinstance(page, Page) and request is not None:
            url = translate_url(request.get_full_path(), code)
        elif code in homes:
            url = homes[code].get_url(request)
        else:
            url = "/" if code == settings.LANGUAGE_CODE else f"/{code}/"
        links.append(
            {
                "code": code,
                "name": name,
                "url": url,
                "dir": text_direction(code),
                "is_current": code == current,
            }
        )
    return {"links": links}


@register.inclusion_tag("includes/main_menu.html", takes_context=True)
def main_menu(context):
    request = context.get("request")
    root = _site_root(request)
    if root is None:
        return {"home": None, "items": []}
    home = root.localized
    items = public(home.get_children().live().in_menu()).specific(defer=True)
    current = context.get("page")
    current_path = current.path if isinstance(current, Page) else ""
    return {
        "home": home,
        "items": [(item, bool(current_path) and current_path.startswith(item.path)) for item in items],
        "request": request,
    }


@register.inclusion_tag("includes/breadcrumbs.html", takes_context=True)
def breadcrumbs(context):
    page = context.get("page")
    if not isinstance(page, Page) or page.depth <= 2:
        return {"ancestors": [], "page": page}
    ancestors = page.get_ancestors().filter(depth__gte=2).live()
    return {"ancestors": ancestors, "page": page, "request": context.get("request")}


@register.simple_tag
def localized_url(page, request=None):
    """URL of a page's live translation in the active language (falls back to the page itself)."""
    if page is None:
        return ""
    return page.localized.get_url(request)


@register.simple_tag
def localized_title(page):
    return page.localized.title if page is not None else ""


@register.simple_tag(takes_context=True)
def localized_links(context, pages):
    """(url, title) of each page's live translation in the active language, falling back to the
    page itself: two queries for the whole list (the footer's legal pages on every page)."""
    pages = [p for p in pages or [] if p is not None]
    if not pages:
        return []
    request = context.get("request")
    language = get_language()
    translations = {
        p.translation_key: p
        for p in Page.objects.filter(
            translation_key__in=[p.translation_key for p in pages], locale__language_code=language
        ).live()
    }
    links = []
    for page in pages:
        target = translations.get(page.translation_key, page)
        links.append((target.get_url(request), target.title))
    return links


@register.simple_tag(takes_context=True)
def page_key(context):
    """What the header and breadcrumbs of a response depend on, for `{% cache %}`: the Wagtail
    page shown; on other views (the booking steps) their path when it has no query string;
    None (not kept) otherwise, so that unknown or made-up addresses never fill the cache."""
    page = context.get("page")
    if isinstance(page, Page):
        return f"page:{page.pk}" if page.pk else None
    request = context.get("request")
    match = getattr(request, "resolver_match", None)
    if match is None or match.url_name == "wagtail_serve" or getattr(request, "keep_no_fragments", False):
        return None
    if request.META.get("QUERY_STRING"):
        return None
    return f"view:{request.path}"
