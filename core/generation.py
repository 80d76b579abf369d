"""The cache generation: one number that every cached page, fragment and fact is stored under.

Publishing a page or changing anything a public page shows bumps it (portal/signal_handlers.py
decides when), so everything cached under the previous number is dropped at once. It lives
here, in the base layer, so that the apps can keep facts under it (`cached_facts`) without
importing the portal; the page cache and the fragment cache (portal/cache.py) read the same
number.

`cached_facts` keeps, under the generation, facts the public pages show that the booking reads
on every step: the school a form names (forms.booking.forms.school_by_id), the slots someone
holds on one day of a school (forms.booking.slots) and the booking settings. Every one of them
is made only of models whose changes bump the generation (the test
tests/portal/test_signal_handlers.py fails otherwise), never of appointments: a worker's busy
times are read from the database on every search, and the database's constraints decide a
booking. It is part of the fragment cache: on, off and timed out with it
(FRAGMENT_CACHE_ENABLED, FRAGMENT_CACHE_TIMEOUT), so `make run` and the tests compute every
fact afresh unless a test turns it on."""

from django.conf import settings
from django.core.cache import cache
from django.db import transaction

GENERATION_KEY = "page-cache:generation"
_MISSING = object()


def generation(request=None) -> int:
    """The current generation: one cache read, at most once per request."""
    value = getattr(request, "_cache_generation", None)
    if value is not None:
        return value
    value = cache.get(GENERATION_KEY)
    if value is None:
        cache.add(GENERATION_KEY, 1, timeout=None)
        value = cache.get(GENERATION_KEY) or 1
    if request is not None:
        request._cache_generation = value
    return value


def _bump() -> None:
    try:
        cache.incr(GENERATION_KEY)
    except ValueError:
        cache.set(GENERATION_KEY, 2, timeout=None)


def invalidate(**kwargs) -> None:
    """Drop every cached page, fragment and fact: now, and again once the change is committed
    (a visitor reading the database between the two would otherwise keep the old state)."""
    _bump()
    if transaction.get_connection().in_atomic_block:
        transaction.on_commit(_bump)


def cached_facts(key: str, compute, request=None):
    """What `compute()` answers, kept under the current generation as `facts:<generation>:<key>`
    while the fragment cache is on; computed every time when it is off. A None answer (an
    unknown or unpublished school) is never kept: a visitor naming ids at random cannot grow
    the cache. The callers bound their keys (published schools, days of the booking window)."""
    if not settings.FRAGMENT_CACHE_ENABLED:
        return compute()
    full_key = f"facts:{generation(request)}:{key}"
    value = cache.get(full_key, _MISSING)
    if value is _MISSING:
        value = compute()
        if value is not None:
            cache.set(full_key, value, settings.FRAGMENT_CACHE_TIMEOUT)
    return value
