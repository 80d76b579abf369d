"""Wagtail's page serving, with the route of each URL kept in the cache.

Wagtail finds a page by walking the tree from the site root, two queries per level (the child,
then its specific row), after finding the site and the root's translation. The result does not
depend on the visitor, so it is kept under the page cache's generation (bumped whenever a page
is published, unpublished, moved or deleted) and handed to Wagtail through the attribute its
own `Page.route_for_request` memoises on the request. View restrictions and every
`before_serve_page` hook still run on each request."""

from __future__ import annotations

import logging

from django.core.cache import cache
from django.utils.translation import get_language
from wagtail import views as wagtail_views
from wagtail.models import Page

from portal.cache import FRAGMENT_TIMEOUT, fragments_enabled, generation

logger = logging.getLogger(__name__)


def route_key(request, path: str) -> str:
    return f"route:{generation()}:{request.get_host()}:{get_language()}:{path}"


def serve(request, path):
    if fragments_enabled() and request.method in ("GET", "HEAD"):
        key = route_key(request, path)
        cached = cache.get(key)
        if cached is not None:
            request._wagtail_route_for_request = cached
        else:
            result = Page.route_for_request(request, path)
            if result is not None:
                page = result[0]
                prime = getattr(page, "prime_for_cache", None)
                if prime is not None:
                    prime()
                try:
                    cache.set(key, result, FRAGMENT_TIMEOUT)
                except Exception:  # noqa: BLE001  an unpicklable route is served, just not kept
                    logger.warning("route of %s not cached", type(page).__name__, exc_info=True)
    return wagtail_views.serve(request, path)
