"""The portal's two caches, both under one generation number.

1. The page cache (PageCacheMiddleware): whole pages for anonymous visitors. wagtail-cache does
   not support Wagtail 8 yet, and Django's per-site cache middleware cannot be emptied when an
   editor publishes.
2. The fragment cache: Django's own `{% cache %}` tag around the markup every page repeats
   (header, breadcrumbs, footer, a school's schedule), with `cache_generation` and the language
   among its vary-on values and `using=fragment_cache` (see `fragment_context`); and, under the
   same switch, generation and timeout, the few facts the booking reads on every step
   (core.generation.cached_facts: the school, the slots held on a day, the booking settings).

Both use Django's cache framework (Redis when REDIS_URL is set, through ResilientRedisCache
below) and one generation number (core.generation). Publishing a page or changing anything a
public page shows bumps the generation (portal/signal_handlers.py), so every cached page,
fragment and fact is dropped at once: editors publish a few times a day, and a cold page costs
one render. The settings are declared, with what they do, in portal/settings/base.py.

Redis is an accelerator, never a dependency of the public site: when it cannot be reached (or
refuses a write because it is full), every cache operation answers as an empty cache would
and the site renders without it (ResilientRedisCache)."""

import logging
import threading
import time

from django.conf import settings
from django.core.cache import cache
from django.utils.cache import get_max_age, patch_cache_control
from django.utils.functional import SimpleLazyObject
from django.utils.http import urlencode
from django_redis.cache import RedisCache
from redis.exceptions import RedisError, ResponseError

# The generation is read and bumped in core.generation; the portal's callers import it from here.
from core.generation import GENERATION_KEY, generation, invalidate  # noqa: F401

logger = logging.getLogger(__name__)

# The CCAS name and phone, for the page shown when the database is down (portal.middleware).
CONTACT_KEY = "ccas-contact"
# A cache alias that keeps nothing (declared in CACHES): the fragment cache when it is off.
NO_CACHE = "uncached"


class _Outages:
    """Per Redis address and shared by the threads of a process: until when it is skipped, and
    when the last warning was logged."""

    def __init__(self):
        self.lock = threading.Lock()
        self.skip_until: dict[str, float] = {}
        self.warned_at: dict[str, float] = {}

    def skipped(self, where: str) -> bool:
        return time.monotonic() < self.skip_until.get(where, 0.0)

    def failed(self, where: str, error: Exception, *, unreachable: bool) -> None:
        pause = settings.CACHE_UNAVAILABLE_RETRY_SECONDS
        now = time.monotonic()
        with self.lock:
            if unreachable:
                # No connection attempt for a while: a Redis that drops packets would otherwise
                # cost its connect timeout on every cache operation of every page.
                self.skip_until[where] = now + pause
            if now - self.warned_at.get(where, float("-inf")) < pause:
                return
            self.warned_at[where] = now
        logger.warning(
            "Cache %s unavailable (%s: %s): serving without it, next try in %s s",
            where,
            type(error).__name__,
            error,
            pause if unreachable else 0,
        )


OUTAGES = _Outages()


class ResilientRedisCache(RedisCache):
    """django-redis, answering as an empty cache when Redis cannot be reached or refuses a
    command (out of memory under `noeviction`, read-only replica): reads miss, writes are
    dropped, counters are unknown (the rate limits then fail open, forms/antispam.py). A warning
    is logged at most once per CACHE_UNAVAILABLE_RETRY_SECONDS, and an unreachable Redis is not
    tried again before that delay.

    django-redis's own IGNORE_EXCEPTIONS does the first half but logs every failed call with
    its traceback and keeps trying to connect on each one."""

    def __init__(self, server, params):
        super().__init__(server, params)
        # Raise from django-redis, so that each operation below decides its fallback.
        self._ignore_exceptions = False
        self._where = server if isinstance(server, str) else ",".join(server)

    def _degrading(self, operation, fallback, *args, **kwargs):
        if OUTAGES.skipped(self._where):
            return fallback
        try:
            return getattr(super(), operation)(*args, **kwargs)
        except (RedisError, OSError) as error:
            # A refused command (ResponseError) is not an outage: reads may still work.
            OUTAGES.failed(self._where, error, unreachable=not isinstance(error, ResponseError))
            return fallback

    def get(self, key, default=None, version=None, client=None):
        return self._degrading("get", default, key, default, version=version, client=client)

    def get_many(self, *args, **kwargs):
        return self._degrading("get_many", {}, *args, **kwargs)

    def has_key(self, *args, **kwargs):
        return self._degrading("has_key", False, *args, **kwargs)

    def set(self, *args, **kwargs):
        return self._degrading("set", False, *args, **kwargs)

    def add(self, *args, **kwargs):
        return self._degrading("add", False, *args, **kwargs)

    def set_many(self, *args, **kwargs):
        return self._degrading("set_many", [], *args, **kwargs)

    def touch(self, *args, **kwargs):
        return self._degrading("touch", False, *args, **kwargs)

    def delete(self, *args, **kwargs):
        return self._degrading("delete", False, *args, **kwargs)

    def delete_many(self, *args, **kwargs):
        return self._degrading("delete_many", 0, *args, **kwargs)

    def incr(self, *args, **kwargs):
        # None, as django-redis's IGNORE_EXCEPTIONS: a counter that cannot be read.
        return self._degrading("incr", None, *args, **kwargs)

    def decr(self, *args, **kwargs):
        return self._degrading("decr", None, *args, **kwargs)

    def clear(self):
        return self._degrading("clear", False)


def fragment_context(request):
    """What `{% cache %}` needs in every template: `fragment_cache` (the cache alias, one that
    keeps nothing when FRAGMENT_CACHE_ENABLED is off), `fragment_timeout` and `cache_generation`
    (read from the cache only when a fragment is looked up)."""
    if not settings.FRAGMENT_CACHE_ENABLED:
        return {"fragment_cache": NO_CACHE, "fragment_timeout": 0, "cache_generation": 0}
    return {
        "fragment_cache": "default",
        "fragment_timeout": settings.FRAGMENT_CACHE_TIMEOUT,
        "cache_generation": SimpleLazyObject(lambda: generation(request)),
    }


def _uses_csrf_or_session(request, response) -> bool:
    return bool(
        response.cookies
        or request.META.get("CSRF_COOKIE_NEEDS_UPDATE")
        or request.META.get("CSRF_COOKIE_USED")
        or getattr(request, "session", None) is not None
        and request.session.accessed
        and request.session.keys()
    )


# Never looked up: the admin, files, and what must answer without Redis (robots.txt, the
# health endpoints: a liveness check that reads Redis would restart the site when Redis is down).
UNCACHED_PREFIXES = ("/admin/", "/documents/", "/media/")
UNCACHED_PATHS = frozenset({"/robots.txt", "/healthz", "/readyz"})


def _candidate(request) -> bool:
    return (
        settings.PAGE_CACHE_ENABLED
        and request.method in ("GET", "HEAD")
        and request.path_info not in UNCACHED_PATHS
        and not request.path_info.startswith(UNCACHED_PREFIXES)
    )


def cached_parameters() -> dict[str, frozenset[str]]:
    """The query parameters a cached page may vary on, each with the values kept ("" included:
    an empty finder form). `lang`: the APIs and calendar feeds; `kind`: the school finder; `q`
    (the finder's free text) only empty: a search is rendered each time."""
    from services.models import SchoolPage

    return {
        "lang": frozenset({"", *dict(settings.LANGUAGES)}),
        "kind": frozenset({"", *SchoolPage.Kind.values}),
        "q": frozenset({""}),
    }


def cache_query(request) -> str | None:
    """The query string a page is kept under, normalised (sorted); None when the page must be
    neither looked up nor kept: an unknown or repeated parameter, or a value out of the known
    set. Made-up query strings then cost a render each, never cache memory."""
    if not request.META.get("QUERY_STRING"):
        return ""
    known = cached_parameters()
    pairs = []
    for name, values in request.GET.lists():
        if name not in known or len(values) != 1 or values[0] not in known[name]:
            return None
        pairs.append((name, values[0]))
    return urlencode(sorted(pairs))


def _logged_in(request) -> bool:
    """Whether the visitor's session (if any) holds a logged-in user. Read before the session
    and auth middlewares have run: a visitor without a session cookie (nearly every family)
    costs nothing; one with a session (a family between two booking steps) costs a session
    read, as the auth middleware's would."""
    from importlib import import_module

    from django.contrib.auth import SESSION_KEY

    session_key = request.COOKIES.get(settings.SESSION_COOKIE_NAME)
    if not session_key:
        return False
    store = import_module(settings.SESSION_ENGINE).SessionStore(session_key)
    return SESSION_KEY in store


class PageCacheMiddleware:
    """Whole pages for anonymous visitors, placed before the session, locale, CSRF and auth
    middlewares so that a page served from the cache skips them; on the way out, the page an
    anonymous visitor got is stored with the headers those middlewares added (Vary,
    Content-Language). The security headers are added on every response by the middlewares
    outside this one.

    Never served from or stored in the cache: POST and other unsafe methods, the admin,
    documents and media, robots.txt and the health endpoints, an address whose query string
    has a parameter no page varies on (see cache_query: one client making up query strings
    would otherwise fill Redis), logged-in users, and any response that sets a cookie, uses the
    CSRF token or the session, or says it is private (a form, a page with messages)."""

    def __init__(self, get_response):
        self.get_response = get_response

    def __call__(self, request):
        query = cache_query(request) if _candidate(request) else None
        if query is None:
            return self.get_response(request)
        # The language is in the path (French unprefixed, /en/, /ar/…): the key varies on it.
        where = f"{request.method}:{request.get_host()}:{request.path}?{query}"
        key = f"page-cache:{generation(request)}:{where}"
        if not _logged_in(request):
            cached = cache.get(key)
            if cached is not None:
                cached["X-Cache"] = "HIT"
                return cached
        response = self.get_response(request)
        user = getattr(request, "user", None)
        if user is None or user.is_authenticated:
            return response
        if self.is_storable(request, response):
            # A view that says how long it may be kept (the slots API: 60 s) is kept no longer.
            timeout = min(settings.PAGE_CACHE_TIMEOUT, get_max_age(response) or settings.PAGE_CACHE_TIMEOUT)
            if not response.has_header("Cache-Control"):
                max_age = settings.PAGE_CACHE_SHARED_MAX_AGE
                patch_cache_control(response, public=True, max_age=max_age, s_maxage=max_age)
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
