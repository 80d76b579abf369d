"""The access log of families' data (DESIGN.md rule 4: access is logged).

Each view that lists families' data records one AccessRecord per page view: who, when, which
listing and with which filters (the queue, the week, the year...), never the data shown and
never a search's words. A request opened or changed is Wagtail's log (forms.records.operations);
a request asked for outside one's queue (the 404 of forms.admin.request) is recorded here as
REFUSED with its id, so the manager sees attempts on files that are not the user's.

The manager reads the log in the admin (forms.admin.access_log), filtered and exportable; the
retention command deletes rows older than ACCESS_LOG_MONTHS (forms.records.retention)."""

from __future__ import annotations

from forms.models import AccessRecord

What = AccessRecord.What

# Query parameters that are not filters: paging, ordering, the partial-results marker.
IGNORED = {"p", "page", "ordering", "_", "export"}
MAX_VALUE = 100


def _clean(text: str) -> str:
    """A query value as stored: bounded, without control characters (PostgreSQL's JSON refuses
    NUL, and a failed insert would break the view's transaction)."""
    return "".join(c for c in text[:MAX_VALUE] if c.isprintable())


def filters_of(query) -> dict:
    """The filters of a listing's query string, without the search words and bounded in size."""
    filters = {}
    for name in sorted(query.keys())[:20]:
        if name in IGNORED or name == "q":
            continue
        values = [_clean(value) for value in query.getlist(name)[:10] if _clean(value)]
        if values and _clean(name):
            filters[_clean(name)] = values if len(values) > 1 else values[0]
    return filters


def record_access(http_request, what: str, **detail) -> AccessRecord | None:
    """One row for this page view of `http_request.user` (none for an anonymous visitor)."""
    user = getattr(http_request, "user", None)
    if user is None or not user.is_authenticated:
        return None
    return AccessRecord.objects.create(user=user, username=user.get_username(), what=what, detail=detail)


def record_listing(request, what: str, **detail) -> AccessRecord | None:
    """A listing's view: its filters from the query string; a search is SEARCH, without its words."""
    if what == What.QUEUE and request.GET.get("q", "").strip():
        what = What.SEARCH
    return record_access(request, what, filters=filters_of(request.GET), **detail)


def last_access(user, *whats: str):
    """When this user last opened one of these listings (before the current view is recorded),
    or None: the queue's "new since your last visit" marker."""
    if user is None or not user.is_authenticated:
        return None
    return (
        AccessRecord.objects.filter(user=user, what__in=whats)
        .order_by("-at", "-pk")
        .values_list("at", flat=True)
        .first()
    )
