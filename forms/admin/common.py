"""What the workers' admin views share: the role check (403 for anyone who does not work
requests), the request permission policy, dates shown in Paris time, reference parsing."""

from __future__ import annotations

from datetime import datetime

from django.template.response import TemplateResponse
from django.utils import formats, timezone
from django.utils.translation import gettext_lazy as _

from forms.models import AppointmentRequest, RequestEvent
from forms.records.permissions import (
    RequestPermissionPolicy,
    can_work_requests,
)
from services.schedule import PARIS

Status = AppointmentRequest.Status
Kind = RequestEvent.Kind

permission_policy = RequestPermissionPolicy(AppointmentRequest)

# A text message to the family did not arrive (forms.notifications.delivery.undelivered_sms).
UNDELIVERED = _("Message non distribué : numéro à vérifier")
# The same number has another active request at the same school (forms.booking.duplicates).
PROBABLE_DUPLICATE = _("Doublon probable")
# A referral from an address outside BookingSettings.trusted_email_domains (forms.referrals).
UNVERIFIED_REFERRER = _("Référent non vérifié")


def forbidden(request):
    """A plain 403 (Wagtail would turn PermissionDenied into a redirect to the dashboard)."""
    context = {"header_title": _("Accès réservé"), "page_title": _("Accès réservé"), "breadcrumbs_items": []}
    return TemplateResponse(request, "forms/admin/forbidden.html", context, status=403)


class WorkRequestsRequiredMixin:
    """403 for anyone who does not work requests: the communication staff, for one."""

    def setup(self, request, *args, **kwargs):
        self.denied = not can_work_requests(request.user)
        if not self.denied:
            super().setup(request, *args, **kwargs)
        else:
            self.request, self.args, self.kwargs = request, args, kwargs

    def dispatch(self, request, *args, **kwargs):
        if self.denied:
            return forbidden(request)
        return super().dispatch(request, *args, **kwargs)


def local(value: datetime | None, fmt="D d/m/Y H:i") -> str:
    return formats.date_format(timezone.localtime(value, PARIS), fmt) if value else ""
