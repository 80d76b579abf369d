import hashlib

from django import template
from django.conf import settings
from django.core.cache import cache
from django.urls import translate_url
from django.utils import timezone
from django.utils.translation import get_language
from wagtail.models import Page, Site

from core.languages import text_direction

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
    items = home.get_children().live().in_menu().public().specific(defer=True)
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


class FragmentNode(template.Node):
    def __init__(self, nodelist, name, vary, hourly):
        self.nodelist, self.name, self.vary, self.hourly = nodelist, name, vary, hourly

    def render(self, context):
        from portal.cache import FRAGMENT_TIMEOUT, fragments_enabled, generation

        if not fragments_enabled():
            return self.nodelist.render(context)
        values = [value.resolve(context) for value in self.vary]
        if any(value is None for value in values):
            return self.nodelist.render(context)
        parts = [str(self.name.resolve(context)), get_language() or "", *map(str, values)]
        if self.hourly:
            parts.append(timezone.localtime().strftime("%Y%m%d%H"))
        digest = hashlib.md5(":".join(parts).encode(), usedforsecurity=False).hexdigest()
        key = f"fragment:{generation()}:{digest}"
        value = cache.get(key)
        if value is None:
            value = self.nodelist.render(context)
            cache.set(key, value, FRAGMENT_TIMEOUT)
        return value


@register.tag
def fragment(parser, token):
    """`{% fragment "name" value… [hourly] %}…{% endfragment %}`: the enclosed markup, kept in the
    cache per language and per value (a value of None: not kept) under the page cache's generation (dropped whenever an
    editor publishes or the directory changes), and per hour of local time with `hourly`.

    Only for markup that is the same for every visitor: never around a form, a CSRF token,
    messages or anything read from the session."""
    bits = token.split_contents()
    if len(bits) < 2:
        raise template.TemplateSyntaxError("fragment needs a name")
    hourly = bits[-1] == "hourly"
    if hourly:
        bits = bits[:-1]
    nodelist = parser.parse(("endfragment",))
    parser.delete_first_token()
    return FragmentNode(nodelist, parser.compile_filter(bits[1]), [parser.compile_filter(b) for b in bits[2:]], hourly)


@register.simple_tag(takes_context=True)
def page_key(context):
    """What the header and breadcrumbs of a response depend on, for `fragment`: the Wagtail
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
