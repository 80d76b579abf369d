import itertools
import logging

from django.conf import settings
from django.core.exceptions import DisallowedHost
from django.db import DatabaseError
from wagtail.models import Site

from core.generation import cached_facts
from portal.cache import UNCACHED_PATHS

logger = logging.getLogger(__name__)


def _site(request):
    site = Site.find_for_request(request)
    if site is not None:
        # Kept with it: the home page in its own type, which every route starts from.
        site.root_page.specific  # noqa: B018
    return site


class CachedSiteMiddleware:
    """Wagtail's site of the request (Site.find_for_request, which keeps it on the request as
    `request._wagtail_site`), from the cache generation's facts: every page Wagtail serves asks
    for it first, and its query (a CASE over every site, ordered) was a fifth of an uncached
    page's time. A Site row saved bumps the generation (portal/signal_handlers.py). Keyed on the
    validated host and the port (a host ALLOWED_HOSTS refuses is left to Django's 400); a request
    matching no site is not kept. Off with the fragment cache (`make run`, tests)."""

    def __init__(self, get_response):
        self.get_response = get_response

    def __call__(self, request):
        if (
            settings.FRAGMENT_CACHE_ENABLED
            and request.path not in UNCACHED_PATHS  # the probes and robots.txt read no database
            and not hasattr(request, "_wagtail_site")
        ):
            self.find_site(request)
        return self.get_response(request)

    @staticmethod
    def find_site(request):
        try:
            key = f"site:{request.get_host()}:{request.get_port()}"
        except DisallowedHost:
            return  # Django answers 400
        try:
            site = cached_facts(key, lambda: _site(request), request)
        except DatabaseError:
            return  # the view meets the outage too, and DatabaseUnavailableMiddleware answers
        if site is not None:
            request._wagtail_site = site


class AnonymousSessionExpiryMiddleware:
    """A visitor who is not logged in (a family between two booking steps, the references of its
    confirmations) keeps a session for ANONYMOUS_SESSION_AGE after its last answer, not the
    staff's SESSION_COOKIE_AGE: an unsent booking is not kept for hours. Placed after the
    authentication middleware, inside the session middleware, which then saves the expiry and
    sets the cookie's max-age from it; a staff login goes back to the default age."""

    def __init__(self, get_response):
        self.get_response = get_response

    def __call__(self, request):
        response = self.get_response(request)
        session = getattr(request, "session", None)
        if session is None or not session.modified:
            return response
        user = getattr(request, "user", None)
        if user is not None and user.is_authenticated:
            if session.get("_session_expiry") is not None:
                session.set_expiry(None)
        elif not session.is_empty():
            session.set_expiry(settings.ANONYMOUS_SESSION_AGE)
        return response


class PasswordResetThrottleMiddleware:
    """The admin's "forgotten password" form sends at most PASSWORD_RESET_RATE e-mails per
    client address (forms.antispam.client_ip, as the other limits): past it, the form answers
    exactly as it does for an unknown address (the "e-mail sent" page) and sends nothing, so
    that it tells nobody whether an account exists, nor floods a mailbox. The counters are in
    the cache: without Redis they let requests through."""

    def __init__(self, get_response):
        self.get_response = get_response

    def __call__(self, request):
        from django.shortcuts import redirect
        from django.urls import reverse
        from django_ratelimit.core import get_usage

        from forms.antispam import client_ip

        if request.method == "POST" and request.path_info == reverse("wagtailadmin_password_reset"):
            usage = get_usage(
                request,
                group="password-reset",
                key=client_ip,
                rate=settings.PASSWORD_RESET_RATE,
                method="POST",
                increment=True,
            )
            if usage is not None and usage["limit"] and usage["should_limit"]:
                logger.warning("password reset limit reached for one address: nothing sent")
                return redirect("wagtailadmin_password_reset_done")
        return self.get_response(request)


class DatabaseUnavailableMiddleware:
    """The database going away gives a clear 503 page with the CCAS phone number, never a 500.

    The page is rendered without the database: the phone comes from the cache (kept there each
    time the CCAS settings are loaded or saved, portal/signal_handlers.py) or from the CCAS_PHONE
    setting."""

    def __init__(self, get_response):
        self.get_response = get_response

    def __call__(self, request):
        return self.get_response(request)

    def process_exception(self, request, exception):
        from django.db import InterfaceError, OperationalError

        if not isinstance(exception, OperationalError | InterfaceError):
            return None
        logger.warning("Database unavailable while serving %s", request.path_info)
        return service_unavailable(request)


def service_unavailable(request):
    from django.core.cache import cache
    from django.http import HttpResponse
    from django.template import loader
    from django.utils import translation

    from core.languages import text_direction
    from portal.cache import CONTACT_KEY

    language = translation.get_language_from_path(request.path_info) or settings.LANGUAGE_CODE
    try:
        contact = cache.get(CONTACT_KEY) or {}
    except Exception:  # the cache may be down too
        contact = {}
    with translation.override(language):
        body = loader.get_template("503.html").render(
            {
                "current_language": language,
                "text_direction": text_direction(language),
                "emergency_numbers": settings.EMERGENCY_NUMBERS,
                "ccas_phone": contact.get("phone") or settings.CCAS_PHONE,
                "ccas_name": contact.get("name") or "",
            }
        )
    response = HttpResponse(body, status=503)
    response["Retry-After"] = "120"
    response["Cache-Control"] = "no-store"
    return response


class CsvByteOrderMarkMiddleware:
    """Every CSV the site sends (the statistics, the directory's exports, Wagtail's own) starts
    with a UTF-8 byte order mark: without it, Excel reads the file as Windows-1252 and shows
    "Ã©" for "é". The one place that knows it, for exports built by Wagtail's machinery."""

    BOM = "\ufeff".encode()

    def __init__(self, get_response):
        self.get_response = get_response

    def __call__(self, request):
        response = self.get_response(request)
        if not response.get("Content-Type", "").startswith("text/csv"):
            return response
        if response.streaming:
            response.streaming_content = itertools.chain([self.BOM], response.streaming_content)
        elif not response.content.startswith(self.BOM):
            response.content = self.BOM + response.content
        return response
