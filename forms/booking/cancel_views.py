"""The cancel link's pages and the appointment's .ics download.

GET never cancels: mail scanners and link previews follow links, so the page asks the
family to confirm with a POST. A bad link is answered with a clear page, never a 500:
400 for a tampered or foreign token, 410 for an expired link or a request already closed."""

from django.conf import settings
from django.http import Http404, HttpResponse
from django.shortcuts import render
from django.utils import translation
from django.views.decorators.cache import never_cache
from django.views.decorators.http import require_GET, require_http_methods

from forms.booking.cancel import RequestClosed, cancel_request
from forms.links import ExpiredToken, InvalidToken, read_cancel_token, read_ics_token
from forms.models import AppointmentRequest
from forms.notifications.rendering import appointment_calendar_file, local_when


def _private(response):
    # The URL is a capability: keep it out of search engines and other sites' logs. Not
    # "no-referrer": browsers then post the confirmation with "Origin: null" and CSRF refuses it.
    response["X-Robots-Tag"] = "noindex, nofollow"
    response["Referrer-Policy"] = "same-origin"
    return response


def _home_url():
    language = translation.get_language()
    return "/" if language == settings.LANGUAGE_CODE else f"/{language}/"


def _details(appointment):
    worker = appointment.assigned_worker
    return {
        "reference": appointment.reference,
        "when": local_when(appointment.slot_start, appointment.slot_end),
        "place": appointment.place,
        "mode": appointment.get_mode_display(),
        "worker_name": worker.public_name if worker else "",
        "home_url": _home_url(),
    }


def _refused(request, problem, status, appointment=None):
    context = {"problem": problem, "home_url": _home_url()}
    if appointment is not None:
        context["reference"] = appointment.reference
        context["cancelled"] = appointment.status in (
            AppointmentRequest.Status.CANCELLED_FAMILY,
            AppointmentRequest.Status.CANCELLED_SERVICE,
        )
    return _private(render(request, "forms/cancel/refused.html", context, status=status))


@never_cache
@require_http_methods(["GET", "HEAD", "POST"])
def cancel(request, token):
    try:
        appointment = read_cancel_token(token)
    except ExpiredToken:
        return _refused(request, "expired", 410)
    except InvalidToken:
        return _refused(request, "invalid", 400)
    if not appointment.is_active:
        return _refused(request, "closed", 410, appointment)
    if request.method == "POST":
        try:
            cancel_request(appointment, by_family=True)
        except RequestClosed:
            appointment.refresh_from_db(fields=["status"])
            return _refused(request, "closed", 410, appointment)
        return _private(render(request, "forms/cancel/done.html", _details(appointment)))
    return _private(render(request, "forms/cancel/confirm.html", _details(appointment)))


@never_cache
@require_GET
def appointment_ics(request, token):
    # The download token, or the cancel token itself (whoever holds it may do more).
    try:
        appointment = read_ics_token(token)
    except InvalidToken:
        try:
            appointment = read_cancel_token(token)
        except InvalidToken as error:
            raise Http404 from error
    if not appointment.is_active or appointment.slot_start is None:
        raise Http404
    with translation.override(appointment.language):
        body = appointment_calendar_file(appointment)
    response = HttpResponse(body, content_type="text/calendar; charset=utf-8")
    response["Content-Disposition"] = f'attachment; filename="rendez-vous-{appointment.reference}.ics"'
    return _private(response)
