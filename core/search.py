"""Site search and site map: the pages of one language a visitor may see (RGAA 12.1 asks for
two ways to reach a page besides the menu).

`search_pages()` asks Wagtail's search backend (core.search_backend on PostgreSQL, the database
backend under SQLite) for the live, public pages of the visitor's language matching every word.
Any input is answered: the text is cleaned (control characters dropped, whitespace collapsed),
cut to MAX_QUERY_CHARS and MAX_WORDS, results to MAX_RESULTS; a query the backend cannot parse
gives no result rather than an error. Imports no app."""

from __future__ import annotations

import re
import unicodedata
from dataclasses import dataclass, field

from django.db import DatabaseError, transaction
from wagtail.models import Locale, Page

from core.pages import public

MAX_QUERY_CHARS = 200
MAX_WORDS = 10
MAX_RESULTS = 30


def clean_query(text: str | None) -> str:
    """The words to search for: printable characters only, at most MAX_WORDS words and
    MAX_QUERY_CHARS characters."""
    text = (text or "")[: MAX_QUERY_CHARS * 4]
    kept = "".join(c if unicodedata.category(c)[0] not in "CZ" else " " for c in text)
    words = re.sub(r"\s+", " ", kept).strip().split(" ")[:MAX_WORDS]
    return " ".join(words)[:MAX_QUERY_CHARS].strip()


def _locale(language: str) -> Locale | None:
    return Locale.objects.filter(language_code=language).first()


def _site_pages(locale):
    return public(Page.objects.live().filter(locale=locale, depth__gt=1))


def search_pages(text: str, language: str) -> list[Page]:
    """The live public pages of `language` that match `text`, best first (at most MAX_RESULTS),
    as their specific types, body text deferred."""
    query = clean_query(text)
    locale = _locale(language)
    if not query or locale is None:
        return []
    try:
        with transaction.atomic():
            found = list(
                Page.objects.live().filter(locale=locale, depth__gt=1).search(query, operator="and")[:MAX_RESULTS]
            )
    except DatabaseError:
        return []
    ids = [page.pk for page in found]
    visible = {page.pk: page for page in _site_pages(locale).filter(pk__in=ids).defer_streamfields().specific()}
    return [visible[pk] for pk in ids if pk in visible]


@dataclass
class MapNode:
    page: Page
    children: list[MapNode] = field(default_factory=list)


def site_map(language: str) -> list[MapNode]:
    """Every live public page of `language`, as a tree from the home page: two queries."""
    locale = _locale(language)
    if locale is None:
        return []
    pages = list(_site_pages(locale).order_by("path").only("pk", "title", "path", "depth", "url_path"))
    nodes: dict[str, MapNode] = {}
    roots: list[MapNode] = []
    for page in pages:
        node = MapNode(page)
        nodes[page.path] = node
        parent = nodes.get(page.path[: -Page.steplen])
        (parent.children if parent else roots).append(node)
    return roots
