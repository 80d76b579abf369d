import sys

from django.conf import settings
from django.db import InterfaceError, OperationalError
from django.db.models import Q
from django.http import HttpResponse, HttpResponsePermanentRedirect, HttpResponseServerError
from django.template import loader
from django.templatetags.static import static
from django.utils import translation
from django.views.decorators.cache import cache_control
from django.views.decorators.http import require_GET
from wagtail.contrib.sitemaps import Sitemap
from wagtail.contrib.sitemaps.views import sitemap as wagtail_sitemap
from wagtail.models import Page

from core.languages import text_direction
from core.pages import public
from portal.middleware import service_unavailable


@require_GET
@cache_control(public=True, max_age=86400)
def robots_txt(request):
    lines = [
        "User-agent: *",
        "Disallow: /admin/",
        f"Sitemap: {request.build_absolute_uri('/sitemap.xml')}",
    ]
    return HttpResponse("\n".join(lines) + "\n", content_type="text/plain")


@require_GET
@cache_control(public=True, max_age=86400)
def favicon(request):
    """Browsers ask for /favicon.ico whatever the page says: the icon, not a rendered 404."""
    return HttpResponsePermanentRedirect(static("img/favicon.svg"))


class AllLocalesSitemap(Sitemap):
    """Wagtail's stock sitemap only walks the default locale's tree: walk every translation."""

    def items(self):
        site = self.get_wagtail_site()
        roots = site.root_page.get_translations(inclusive=True)
        in_a_tree = Q()
        for root in roots:
            in_a_tree |= Q(path__startswith=root.path, depth__gte=root.depth)
        return public(Page.objects.filter(in_a_tree).live()).order_by("path").defer_streamfields().specific()


def sitemap(request):
    return wagtail_sitemap(request, sitemaps={"pages": AllLocalesSitemap(request)})


def page_not_found(request, exception=None):
    request.keep_no_fragments = True  # made-up addresses never fill the cache
    template = loader.get_template("404.html")
    return HttpResponse(template.render({"request_path": request.path}, request), status=404)


def server_error(request):
    """Rendered without the database: no request context processors, no settings models.

    Django calls this inside its `except` block, so a database outage raised anywhere (a view,
    the session middleware...) is recognised here and gets the 503 page instead."""
    exception = sys.exc_info()[1]
    if isinstance(exception, OperationalError | InterfaceError):
        return service_unavailable(request)
    language = translation.get_language_from_path(request.path_info) or settings.LANGUAGE_CODE
    with translation.override(language):
        template = loader.get_template("500.html")
        body = template.render(
            {
                "current_language": language,
                "text_direction": text_direction(language),
                "emergency_numbers": settings.EMERGENCY_NUMBERS,
                "site_name": settings.WAGTAIL_SITE_NAME,
            }
        )
    return HttpResponseServerError(body)
