"""The SMS provider's delivery reports: `POST /sms/rapports/` (settings.SMS_CALLBACK_URL).

Answers: 204 for a report recorded, a duplicate, a genuine event that is not about delivery
(a reply, a STOP) or a message we do not know (logged: the provider would otherwise retry a
report that can never apply); 403 without the shared secret; 400 for a body that is not a
report. Never a 500, never a phone number in the logs. A failed message sends the e-mail
instead (forms.notifications.delivery.apply_delivery_report), delivered after the commit."""

from __future__ import annotations

import logging

from django.conf import settings
from django.db import transaction
from django.http import HttpResponse
from django.views.decorators.cache import never_cache
from django.views.decorators.csrf import csrf_exempt
from django.views.decorators.http import require_POST

from forms.notifications.delivery import apply_delivery_report
from forms.notifications.sms.reports import ForgedReport, IgnoredReport, UnknownReport, parse_report
from forms.notifications.tasks import deliver_notifications

logger = logging.getLogger(__name__)

# The report format of each backend class (forms.notifications.sms.reports.PARSERS).
BACKEND_FORMATS = {
    "forms.notifications.sms.backends.brevo.SmsBackend": "brevo",
    "forms.notifications.sms.backends.locmem.SmsBackend": "locmem",
    "forms.notifications.sms.backends.console.SmsBackend": "console",
    "forms.notifications.sms.backends.filebased.SmsBackend": "filebased",
}
MAX_BODY = 16 * 1024


def report_format() -> str:
    return BACKEND_FORMATS.get(settings.SMS_BACKEND, "")


@csrf_exempt
@never_cache
@require_POST
def delivery_report(request):
    if int(request.headers.get("Content-Length") or 0) > MAX_BODY:
        return HttpResponse(status=400)
    try:
        report = parse_report(report_format(), request.body, request.headers, request.GET)
    except ForgedReport:
        logger.warning("SMS delivery report refused: no shared secret")
        return HttpResponse(status=403)
    except IgnoredReport:
        return HttpResponse(status=204)
    except UnknownReport as error:
        logger.warning("SMS delivery report not understood: %s", error)
        return HttpResponse(status=400)
    notification, fallback = apply_delivery_report(report)
    if notification is None:
        logger.warning("SMS delivery report for an unknown message %s", report.provider_id[:40])
    elif fallback is not None:
        transaction.on_commit(deliver_notifications.enqueue, robust=True)
    return HttpResponse(status=204)
