from csp.middleware import CSPMiddleware, PolicyParts
from django.conf import settings


class ContentSecurityPolicyMiddleware(CSPMiddleware):
    """The strict policy everywhere public; Wagtail's admin gets its own, looser one (it relies
    on inline styles and scripts we do not control)."""

    def get_policy_parts(self, request, response, report_only=False) -> PolicyParts:
        parts = super().get_policy_parts(request, response, report_only)
        if not report_only and request.path_info.startswith("/admin/") and parts.config is None:
            parts.config = settings.ADMIN_CONTENT_SECURITY_POLICY["DIRECTIVES"]
        return parts

    def process_response(self, request, response):
        # The page editor previews in a same-origin frame; public pages may never be framed.
        if request.path_info.startswith("/admin/"):
            response["X-Frame-Options"] = "SAMEORIGIN"
        return super().process_response(request, response)
