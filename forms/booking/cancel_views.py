"""The family's appointment page (the link in every message, `/annuler/<token>/`), moving the
appointment, and its .ics download.

The page shows the appointment in the family's language, without an account: when, where,
with whom, "add to my calendar", and, before the one cut-off (forms.booking.move.can_change),
move and cancel; past it, the phones to call instead. A request without a slot shows its
status and "cancel my request".

GET never changes anything: mail scanners and link previews follow links, so cancelling and
moving are POSTs from the page. Moving works without JavaScript: a GET form lists the free
slots, grouped by day, a GET of the chosen one asks for confirmation, a POST moves. A bad link
is answered with a clear page, never a 500: 400 for a tampered or foreign token, 410 for an
expired link or a request already closed."""

from django.conf import settings
from django.http import Http404, HttpResponse
from django.shortcuts import redirect, render
from django.urls import reverse
from django.utils import timezone, translation
from django.views.decorators.cache import never_cache
from django.views.decorators.http import require_GET, require_http_methods
from django.views.defaults import page_not_found

from forms.booking.cancel import RequestClosed, cancel_request
from forms.booking.create import SlotTaken, SlotUnavailable, next_free_slots
from forms.booking.forms import SlotForm
from forms.booking.move import TooLate, can_change, can_move, change_deadline, move_request, moving_from_key
from forms.booking.slots import booking_rules, free_slots, parse_slot_key
from forms.booking.views import localized_places
from forms.link_views import capability_post
from forms.link_views import private_link_page as _private
from forms.links import ExpiredToken, InvalidToken, ics_path, read_cancel_token, read_ics_token
from forms.models import AppointmentRequest
from forms.notifications.rendering import appointment_calendar_file, local_when

MOVED = "deplace"  # the query flag of the page shown after a move


def _home_url():
    language = translation.get_language()
    return "/" if language == settings.LANGUAGE_CODE else f"/{language}/"


def _worker_phone(appointment):
    """The public phone of whoever holds the appointment, else of the school's referent."""
    for worker in (appointment.assigned_worker, appointment.school.referent if appointment.school else None):
        if worker is not None and worker.public_phone:
            return worker.public_name, worker.public_phone
    return "", ""


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


def _read(request, token):
    """(the active request a link names, None) or (None, the page refusing the link)."""
    try:
        appointment = read_cancel_token(token)
    except ExpiredToken:
        return None, _refused(request, "expired", 410)
    except InvalidToken:
        return None, _refused(request, "invalid", 400)
    if not appointment.is_active:
        return None, _refused(request, "closed", 410, appointment)
    return appointment, None


def _page(request, token, appointment, rules, *, notice="", status=200):
    now = timezone.now()
    deadline = change_deadline(appointment, rules)
    worker_name, worker_phone = _worker_phone(appointment)
    context = {
        **_details(appointment),
        "appointment": appointment,
        "has_slot": appointment.slot_start is not None,
        "can_change": can_change(appointment, now, rules),
        "can_move": can_move(appointment, now, rules),
        "deadline": local_when(deadline, None) if deadline else {},
        "cutoff_hours": rules.change_cutoff_hours,
        "ics_url": ics_path(appointment, seed=token) if appointment.slot_start else "",
        "move_url": reverse("booking_move", args=[token]),
        "phone_name": worker_name,
        "phone": worker_phone,
        "notice": notice,
    }
    return _private(render(request, "forms/cancel/page.html", context, status=status))


@capability_post
@never_cache
@require_http_methods(["GET", "HEAD", "POST"])
def cancel(request, token):
    """The family's appointment page; a POST cancels (before the cut-off)."""
    appointment, refused = _read(request, token)
    if refused:
        return refused
    rules = booking_rules(request)
    if request.method == "POST":
        if not can_change(appointment, rules=rules):
            return _page(request, token, appointment, rules, notice="too_late", status=409)
        try:
            cancel_request(appointment, by_family=True)
        except RequestClosed:
            appointment.refresh_from_db(fields=["status"])
            return _refused(request, "closed", 410, appointment)
        return _private(render(request, "forms/cancel/done.html", _details(appointment)))
    return _page(request, token, appointment, rules, notice="moved" if MOVED in request.GET else "")


def _slots(request, token, appointment, rules, *, form=None, taken=None, status=200):
    """The free slots of the appointment's school (the booking's slot search), as a GET form."""
    school = appointment.school
    slots = free_slots(school, rules=rules)
    places = localized_places({slot.permanence_id for slot in slots})
    if form is None:
        form = SlotForm(slots=slots, places=places)
    worker_name, worker_phone = _worker_phone(appointment)
    context = {
        **_details(appointment),
        "form": form,
        "slots": slots,
        "slot_minutes": int((slots[0].end - slots[0].start).total_seconds() // 60) if slots else 0,
        "taken": taken,
        "nearby": next_free_slots(school, after=taken, rules=rules) if taken else [],
        "page_url": reverse("booking_cancel", args=[token]),
        "phone_name": worker_name,
        "phone": worker_phone,
    }
    return _private(render(request, "forms/cancel/move.html", context, status=status))


@capability_post
@never_cache
@require_http_methods(["GET", "HEAD", "POST"])
def move(request, token):
    """Choose a free slot (GET), confirm it (GET with `slot`), move (POST)."""
    appointment, refused = _read(request, token)
    if refused:
        return refused
    rules = booking_rules(request)
    page_url = reverse("booking_cancel", args=[token])
    if request.method == "POST":
        key = request.POST.get("slot", "")
        try:
            move_request(appointment, key, request.POST.get("from", ""), rules=rules)
        except RequestClosed:
            appointment.refresh_from_db(fields=["status"])
            return _refused(request, "closed", 410, appointment)
        except TooLate:
            return _page(request, token, appointment, rules, notice="too_late", status=409)
        except SlotTaken:
            return _slots(request, token, appointment, rules, taken=parse_slot_key(key), status=409)
        except SlotUnavailable:
            return _unavailable(request, token, appointment, rules, key)
        # Moved now, or by the first of two clicks: the page shows the appointment as it is.
        return redirect(f"{page_url}?{MOVED}=1")
    if not can_move(appointment, rules=rules):
        return redirect(page_url)
    if "slot" not in request.GET:
        return _slots(request, token, appointment, rules)
    school = appointment.school
    slots = free_slots(school, rules=rules)
    form = SlotForm(request.GET, slots=slots, places=localized_places({slot.permanence_id for slot in slots}))
    if not form.is_valid():
        return _slots(request, token, appointment, rules, form=form)
    slot = form.chosen_slot()
    context = {
        **_details(appointment),
        "new_when": local_when(slot.start, slot.end),
        "new_place": form.place(slot),
        "school": school.localized,
        "slot_key": slot.key,
        "moving_from": moving_from_key(appointment),
        "move_url": reverse("booking_move", args=[token]),
        "page_url": page_url,
    }
    return _private(render(request, "forms/cancel/move_confirm.html", context))


def _unavailable(request, token, appointment, rules, key):
    """A slot the search does not offer (past, outside the horizon, another school's, tampered):
    the list again, with the slot form's own message."""
    slots = free_slots(appointment.school, rules=rules)
    form = SlotForm({"slot": key}, slots=slots, places=localized_places({slot.permanence_id for slot in slots}))
    form.is_valid()
    if not form.errors:  # offered again since (a stale refusal): say it the same way
        form.add_error("slot", form.fields["slot"].error_messages["invalid_choice"])
    return _slots(request, token, appointment, rules, form=form, status=400)


@never_cache
@require_GET
def appointment_ics(request, token):
    # The download token, or the cancel token itself (whoever holds it may do more).
    try:
        appointment = read_ics_token(token)
    except InvalidToken:
        try:
            appointment = read_cancel_token(token)
        except InvalidToken:
            appointment = None
    if appointment is None or not appointment.is_active or appointment.slot_start is None:
        # The site's 404 page, still without a Referer onwards (the token is in this URL).
        return _private(page_not_found(request, Http404()))
    with translation.override(appointment.language):
        body = appointment_calendar_file(appointment)
    response = HttpResponse(body, content_type="text/calendar; charset=utf-8")
    response["Content-Disposition"] = f'attachment; filename="rendez-vous-{appointment.reference}.ics"'
    return _private(response)
