import logging
from dataclasses import asdict

from csp.middleware import CheckableLazyObject, CSPMiddleware, PolicyParts
from csp.utils import build_policy
from django.conf import settings

logger = logging.getLogger(__name__)


class ContentSecurityPolicyMiddleware(CSPMiddleware):
    """The strict policy everywhere public; Wagtail's admin gets its own, looser one (it relies
    on inline styles and scripts we do not control)."""

    def __init__(self, get_response):
        super().__init__(get_response)
        self._public_policy = None  # built from the settings on first use, per process

    def get_policy_parts(self, request, response, report_only=False) -> PolicyParts:
        parts = super().get_policy_parts(request, response, report_only)
        if not report_only and request.path_info.startswith("/admin/") and parts.config is None:
            parts.config = settings.ADMIN_CONTENT_SECURITY_POLICY["DIRECTIVES"]
        return parts

    # What django-csp would customise per response (its decorators) or per request (a nonce).
    _PER_RESPONSE = (
        "_csp_config",
        "_csp_update",
        "_csp_replace",
        "_csp_config_ro",
        "_csp_update_ro",
        "_csp_replace_ro",
        "_csp_exempt",
        "_csp_exempt_ro",
    )

    def process_response(self, request, response):
        # The page editor previews in a same-origin frame; public pages may never be framed.
        if request.path_info.startswith("/admin/"):
            response["X-Frame-Options"] = "SAMEORIGIN"
            return super().process_response(request, response)
        if (
            getattr(request, "_csp_nonce", None) is None
            and not any(hasattr(response, name) for name in self._PER_RESPONSE)
            and not settings.DEBUG
            and not getattr(settings, "CONTENT_SECURITY_POLICY_REPORT_ONLY", None)
            and not (getattr(settings, "CONTENT_SECURITY_POLICY", None) or {}).get("EXCLUDE_URL_PREFIXES")
        ):
            # The public policy without a nonce is the same for every response (most of them, and
            # every page served from the cache): built once instead of twice per response.
            if self._public_policy is None:
                self._public_policy = build_policy(**asdict(PolicyParts(None, None, None, None)))
            if self._public_policy and "Content-Security-Policy" not in response:
                response["Content-Security-Policy"] = self._public_policy
            request.csp_nonce = CheckableLazyObject(self._csp_nonce_post_response)
            return response
        return super().process_response(request, response)


class DatabaseUnavailableMiddleware:
    """The database going away gives a clear 503 page with the CCAS phone number, never a 500.

    The page is rendered without the database: the phone comes from the cache (kept there each
    time the CCAS settings are loaded or saved) or from the CCAS_PHONE setting."""

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
    from home.models import CONTACT_CACHE_KEY

    language = translation.get_language_from_path(request.path_info) or settings.LANGUAGE_CODE
    try:
        contact = cache.get(CONTACT_CACHE_KEY) or {}
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
