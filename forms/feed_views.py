"""The address of a worker's private calendar feed (forms.feeds): `/agenda/prive/<token>.ics`,
outside the language prefix. No login (calendar applications have none): the token is the
key. A wrong or revoked token is a 404; more than FEED_RATE fetches of one feed an hour a 429.
Never cached by a proxy, never indexed, no Referer onwards."""

from django.http import Http404, HttpResponse
from django.views.decorators.cache import never_cache
from django.views.decorators.http import require_http_methods
from django_ratelimit.core import get_usage

from forms.feeds import FEED_RATE, feed_calendar_bytes, feed_for


@never_cache
@require_http_methods(["GET", "HEAD"])
def worker_calendar_feed(request, token):
    feed = feed_for(token)
    if feed is None or not feed.worker.active:
        raise Http404
    usage = get_usage(
        request, group="calendar-feed", key=lambda _group, _request: feed.token_hash, rate=FEED_RATE, increment=True
    )
    if usage is not None and usage["limit"] and usage["should_limit"]:
        response = HttpResponse("Too many requests", status=429, content_type="text/plain")
        response["Retry-After"] = "3600"
        return response
    response = HttpResponse(feed_calendar_bytes(feed), content_type="text/calendar; charset=utf-8")
    response["Content-Disposition"] = 'inline; filename="agenda.ics"'
    response["X-Robots-Tag"] = "noindex, nofollow"
    response["Referrer-Policy"] = "no-referrer"
    return response
