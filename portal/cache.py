"""Full-page cache for anonymous visitors.

wagtail-cache does not support Wagtail 8 yet, and Django's per-site cache middleware cannot be
invalidated when an editor publishes. This keeps Django's cache framework (Redis when
REDIS_URL is set) and adds a generation number: publishing a page or changing a school,
worker, permanence, absence, closure or setting bumps it, so every cached page is dropped at
once (editors publish a few times a day; a cold page costs one render)."""

import logging

from django.conf import settings
from django.core.cache import cache
from django.utils.cache import get_max_age, patch_cache_control

logger = logging.getLogger(__name__)

GENERATION_KEY = "page-cache:generation"
TIMEOUT = 600
SHARED_MAX_AGE = 60


def generation() -> int:
    value = cache.get(GENERATION_KEY)
    if value is None:
        cache.add(GENERATION_KEY, 1, timeout=None)
        value = cache.get(GENERATION_KEY) or 1
    return value


def invalidate(**kwargs) -> None:
    try:
        cache.incr(GENERATION_KEY)
    except ValueError:
        cache.set(GENERATION_KEY, 2, timeout=None)


def _uses_csrf_or_session(request, response) -> bool:
    return bool(
        response.cookies
        or request.META.get("CSRF_COOKIE_NEEDS_UPDATE")
        or request.META.get("CSRF_COOKIE_USED")
        or getattr(request, "session", None) is not None
        and request.session.accessed
        and request.session.keys()
    )


class AnonymousPageCacheMiddleware:
    def __init__(self, get_response):
        self.get_response = get_response

    def __call__(self, request):
        if not self.is_candidate(request):
            return self.get_response(request)
        where = f"{request.method}:{request.get_host()}:{request.get_full_path()}"
        key = f"page-cache:{request_generation(request)}:{where}"
        cached = cache.get(key)
        if cached is not None:
            cached["X-Cache"] = "HIT"
            return cached
        response = self.get_response(request)
        if self.is_storable(request, response):
            # A view that says how long it may be kept (the slots API: 60 s) is kept no longer.
            timeout = min(TIMEOUT, get_max_age(response) or TIMEOUT)
            if not response.has_header("Cache-Control"):
                patch_cache_control(response, public=True, max_age=SHARED_MAX_AGE, s_maxage=SHARED_MAX_AGE)
            if hasattr(response, "render") and callable(response.render) and not response.is_rendered:
                response.render()
            cache.set(key, response, timeout)
            response["X-Cache"] = "MISS"
        elif _uses_csrf_or_session(request, response):
            # A page carrying a CSRF token or a session is never shared between visitors.
            patch_cache_control(response, private=True, no_store=True)
        return response

    @staticmethod
    def is_candidate(request) -> bool:
        if not getattr(settings, "PAGE_CACHE_ENABLED", True):
            return False
        if request.method not in ("GET", "HEAD"):
            return False
        if request.path_info.startswith(("/admin/", "/documents/", "/media/")):
            return False
        user = getattr(request, "user", None)
        return not (user is not None and user.is_authenticated)

    @staticmethod
    def is_storable(request, response) -> bool:
        return (
            response.status_code == 200
            and not response.streaming
            and not response.has_header("Set-Cookie")
            and "private" not in response.get("Cache-Control", "")
            and "no-store" not in response.get("Cache-Control", "")
            and not _uses_csrf_or_session(request, response)
        )


# The uncached render path (a page the page cache cannot hold, or has not yet): the route of a
# URL and the fragments every page repeats (header, menu, footer, a school's schedule) are kept
# under the same generation, so that publishing drops them with the pages.
FRAGMENT_TIMEOUT = 600


def fragments_enabled() -> bool:
    return getattr(settings, "FRAGMENT_CACHE_ENABLED", True)


def request_generation(request) -> int:
    """The generation, read once per request."""
    if request is None:
        return generation()
    value = getattr(request, "_page_cache_generation", None)
    if value is None:
        value = request._page_cache_generation = generation()
    return value
