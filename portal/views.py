import sys

from django.conf import settings
from django.core.cache import caches
from django.db import DatabaseError, InterfaceError, OperationalError, connection
from django.db.models import Q
from django.http import HttpResponse, HttpResponsePermanentRedirect, HttpResponseServerError, JsonResponse
from django.template import loader
from django.template.response import TemplateResponse
from django.templatetags.static import static
from django.utils import translation
from django.views.decorators.cache import cache_control, never_cache
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
@never_cache
def healthz(request):
    """Liveness: the process answers. Reads neither the database nor Redis (the page cache
    leaves this path alone, portal/cache.py): their outage must never get the process restarted."""
    return HttpResponse("ok\n", content_type="text/plain")


def _database_state() -> str:
    try:
        with connection.cursor() as cursor:
            cursor.execute("SELECT 1")
    except DatabaseError:
        return "unavailable"
    return "ok"


def _cache_state() -> str:
    """Redis reports itself unreachable by answering as an empty cache (portal.cache)."""
    probe = caches["default"]
    probe.set("health:probe", 1, timeout=30)
    return "ok" if probe.get("health:probe") == 1 else "unavailable"


def _tasks_state(database: str) -> dict:
    """How many background tasks (e-mails, text messages) are due and not yet run: a growing
    number means `db_worker` is not running."""
    backend = settings.TASKS["default"]["BACKEND"]
    if database != "ok" or not backend.startswith("django_tasks_db."):
        return {"backend": backend.rpartition(".")[2]}
    from django_tasks_db.models import DBTaskResult

    try:
        return {"backend": "database", "due": DBTaskResult.objects.ready().count()}
    except DatabaseError:
        return {"backend": "database", "due": None}


@require_GET
@never_cache
def readyz(request):
    """Readiness: 200 while the database answers, 503 otherwise, with a short JSON report. Redis
    and the task queue are reported, never required: the site works without Redis (slower)."""
    database = _database_state()
    report = {"database": database, "cache": _cache_state(), "tasks": _tasks_state(database)}
    report["status"] = "ok" if database == "ok" else "unavailable"
    return JsonResponse(report, status=200 if database == "ok" else 503)


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


@require_GET
def site_search(request):
    """Site search in the visitor's language (core.search): a GET form, works without script."""
    from core.search import MAX_QUERY_CHARS, clean_query, search_pages

    language = translation.get_language()
    text = request.GET.get("q", "")
    query = clean_query(text)
    results = search_pages(query, language) if query else []
    context = {"query": query, "results": results, "searched": bool(query), "max_length": MAX_QUERY_CHARS}
    return TemplateResponse(request, "search.html", context)


@require_GET
def site_map(request):
    """Every page of the visitor's language (core.search.site_map)."""
    from core.search import site_map as tree

    return TemplateResponse(request, "site_map.html", {"nodes": tree(translation.get_language())})
