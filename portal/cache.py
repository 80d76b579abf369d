"""Full-page cache for anonymous visitors.

wagtail-cache does not support Wagtail 8 yet, and Django's per-site cache middleware cannot be
invalidated when an editor publishes. This keeps Django's cache framework (Redis when
REDIS_URL is set) and adds a generation number: publishing a page or changing a school,
worker, permanence, absence, closure or setting bumps it, so every cached page is dropped at
once (editors publish a few times a day; a cold page costs one render)."""

import contextvars
import logging
import time

from django.conf import settings
from django.core.cache import cache
from django.db import transaction
from django.utils.cache import get_max_age, patch_cache_control

logger = logging.getLogger(__name__)

GENERATION_KEY = "page-cache:generation"
TIMEOUT = 600
SHARED_MAX_AGE = 60


# The generation, read once per request (set up by PageCacheMiddleware for every request).
_request_memo: contextvars.ContextVar[dict | None] = contextvars.ContextVar("page_cache_memo", default=None)


# And kept by each process for PAGE_CACHE_GENERATION_TTL seconds (1 by default): a page served
# from the cache then costs one Redis read, not two; another app server sees a publication
# within that second, the process that made the change at once.
_process_memo = {"value": None, "until": 0.0}


def generation() -> int:
    memo = _request_memo.get()
    if memo is not None and "generation" in memo:
        return memo["generation"]
    ttl = getattr(settings, "PAGE_CACHE_GENERATION_TTL", 1.0)
    now = time.monotonic()
    if ttl and _process_memo["until"] > now:
        value = _process_memo["value"]
    else:
        value = cache.get(GENERATION_KEY)
        if value is None:
            cache.add(GENERATION_KEY, 1, timeout=None)
            value = cache.get(GENERATION_KEY) or 1
        _process_memo.update(value=value, until=now + ttl)
    if memo is not None:
        memo["generation"] = value
    return value


def _bump() -> None:
    try:
        cache.incr(GENERATION_KEY)
    except ValueError:
        cache.set(GENERATION_KEY, 2, timeout=None)
    _process_memo["until"] = 0.0
    memo = _request_memo.get()
    if memo is not None:
        memo.pop("generation", None)


def invalidate(**kwargs) -> None:
    """Drop every cached page, route and fragment: now, and again once the change is committed
    (a visitor reading the database between the two would otherwise keep the old state)."""
    _bump()
    if transaction.get_connection().in_atomic_block:
        transaction.on_commit(_bump)


def _uses_csrf_or_session(request, response) -> bool:
    return bool(
        response.cookies
        or request.META.get("CSRF_COOKIE_NEEDS_UPDATE")
        or request.META.get("CSRF_COOKIE_USED")
        or getattr(request, "session", None) is not None
        and request.session.accessed
        and request.session.keys()
    )


def _candidate(request) -> bool:
    return (
        getattr(settings, "PAGE_CACHE_ENABLED", True)
        and request.method in ("GET", "HEAD")
        and not request.path_info.startswith(("/admin/", "/documents/", "/media/"))
    )


def _carries_visitor_state(request) -> bool:
    """A session or flash messages: the visitor may be logged in, or have something to be told."""
    return settings.SESSION_COOKIE_NAME in request.COOKIES or "messages" in request.COOKIES


def _hit(key):
    cached = cache.get(key)
    if cached is not None:
        cached["X-Cache"] = "HIT"
    return cached


class PageCacheMiddleware:
    """Outer half, placed before the session, locale, CSRF and auth middlewares: a visitor
    without a session cookie (nearly every family) is served from the cache without them; on
    the way out, the page an anonymous visitor got is stored, with the headers those
    middlewares added (Vary, Content-Language). The security headers are added on every
    response by the middlewares outside this one."""

    def __init__(self, get_response):
        self.get_response = get_response

    def __call__(self, request):
        token = _request_memo.set({})
        try:
            return self._respond(request)
        finally:
            _request_memo.reset(token)

    def _respond(self, request):
        if not _candidate(request):
            return self.get_response(request)
        where = f"{request.method}:{request.get_host()}:{request.get_full_path()}"
        key = request._page_cache_key = f"page-cache:{generation()}:{where}"
        if not _carries_visitor_state(request):
            cached = _hit(key)
            if cached is not None:
                return cached
        response = self.get_response(request)
        user = getattr(request, "user", None)
        if response.get("X-Cache") == "HIT" or user is None or user.is_authenticated:
            return response
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
    def is_storable(request, response) -> bool:
        return (
            response.status_code == 200
            and not response.streaming
            and not response.cookies
            and not response.has_header("Set-Cookie")
            and "private" not in response.get("Cache-Control", "")
            and "no-store" not in response.get("Cache-Control", "")
            and not _uses_csrf_or_session(request, response)
        )


class AnonymousPageCacheMiddleware:
    """Inner half, after the auth middleware: an anonymous visitor who carries a session cookie
    (a family between two booking steps) gets the shared page too; a logged-in one never."""

    def __init__(self, get_response):
        self.get_response = get_response

    def __call__(self, request):
        key = getattr(request, "_page_cache_key", None)
        if key is not None and _carries_visitor_state(request) and not request.user.is_authenticated:
            cached = _hit(key)
            if cached is not None:
                return cached
        return self.get_response(request)


# The uncached render path (a page the page cache cannot hold, or has not yet): the route of a
# URL and the fragments every page repeats (header, menu, footer, a school's schedule) are kept
# under the same generation, so that publishing drops them with the pages.
FRAGMENT_TIMEOUT = 600


def fragments_enabled() -> bool:
    return getattr(settings, "FRAGMENT_CACHE_ENABLED", True)


_NOTHING = "portal.cache:nothing"  # a load that found nothing is kept too


def remembered(name: str, load):
    """`load()`, kept in the cache under the current generation: dropped with the pages when
    something is published or the directory or a setting changes. `name` says what it is
    (and of what: include the ids)."""
    if not fragments_enabled():
        return load()
    key = f"kept:{generation()}:{name}"
    value = cache.get(key)
    if value is None:
        value = load()
        cache.set(key, _NOTHING if value is None else value, FRAGMENT_TIMEOUT)
    return None if value == _NOTHING else value
