"""The professionals' referral form, its acknowledgement page, and the referred family's page.

The form is one page that works without JavaScript. A "child in danger" answer stops it and
shows the 119 and the "information préoccupante" procedure, storing nothing. A valid form is
stored by the booking's own create path (forms.booking.create.create_request), hence routed by
the same rule as a parent's request (services.availability through forms.booking.routing);
the limits of forms.antispam apply with their own counter (REFERRAL).

The family's page (`/orientation/<token>/`, forms.links) tells who referred it and offers to
book a slot or to refuse contact; refusing is a POST (mail scanners follow links) that closes
the request and tells the worker, by reference only."""

from __future__ import annotations

import logging
import uuid

from django.http import Http404
from django.shortcuts import redirect, render
from django.urls import reverse
from django.utils import timezone
from django.views.decorators.cache import never_cache
from django.views.decorators.http import require_http_methods, require_safe

from forms import antispam
from forms.booking.cancel import RequestClosed
from forms.booking.create import SlotTaken, SlotUnavailable, create_request, next_free_slots
from forms.booking.forms import UNKNOWN_SCHOOL, SlotForm, school_by_id
from forms.booking.slots import booking_rules, free_slots, parse_slot_key
from forms.booking.views import localized_places
from forms.link_views import capability_post, private_link_page
from forms.links import ExpiredToken, InvalidToken, cancel_path, read_referral_token
from forms.models import AppointmentRequest
from forms.notifications.channels import family_recipients
from forms.notifications.rendering import booking_url_for, referrer_words
from forms.referrals.booking import book_referral
from forms.referrals.forms import DANGER_YES, ReferralForm
from forms.referrals.refusal import refuse_contact

logger = logging.getLogger(__name__)

DONE_KEY = "referral_done"  # references this browser sent: only they show the acknowledgement page
REMEMBERED = 20
CAPTCHA_SHOWN = "captcha_shown"


def _key(value) -> str:
    try:
        return str(uuid.UUID(str(value)))
    except ValueError:
        return str(uuid.uuid4())


def _form(request, data=None, *, show_captcha=False, initial=None):
    key = _key(data.get("submission_key")) if data is not None else str(uuid.uuid4())
    captcha = antispam.captcha_enabled()
    nonce = getattr(request, "csp_nonce", None) if captcha and show_captcha else None
    return ReferralForm(
        data,
        initial=initial,
        expected_key=key,
        captcha=captcha,
        show_captcha=captcha and show_captcha,
        nonce=nonce,
    )


def _render(request, form, status=200, **context):
    context.update(
        form=form,
        has_errors=bool(form.errors),
        captcha_shown="captcha" in form.fields,
        retention_months=booking_rules(request).retention_months,
    )
    return render(request, "forms/referrals/form.html", context, status=status)


@require_http_methods(["GET", "HEAD", "POST"])
@never_cache
def referral_form(request):
    if request.method != "POST":
        initial = {}
        school = school_by_id(request.GET.get("ecole")) if "ecole" in request.GET else None
        if school is not None:
            initial["school"] = str(school.pk)
        return _render(request, _form(request, initial=initial))

    if request.POST.get("danger") == DANGER_YES:
        # Nothing is stored: a child in danger is reported to the 119 or the département.
        return render(request, "forms/referrals/danger.html")
    form = _form(request, request.POST, show_captcha=request.POST.get(CAPTCHA_SHOWN) == "1")
    refused = antispam.refuse_submission(request, antispam.REFERRAL, form, phone=request.POST.get("phone", ""))
    if refused:
        return _render(request, form, status=429)
    if not form.is_valid():
        return _render(request, form, status=400)
    if form.awaiting_widget:
        # The professional agreed to Google's check: the same form again, with its checkbox.
        return _render(request, _form(request, request.POST, show_captcha=True))
    return _submit(request, form)


def _submit(request, form):
    rules = booking_rules(request)
    referral = form.referral_data()
    referral.update(
        referrer_verified=rules.trusts_email(referral["referrer_email"]), parent_agreement_at=timezone.now()
    )
    school = form.cleaned_data["school"]
    appointment = create_request(
        school=school,
        # The first contact is the worker's call: no slot, routed on the day it arrives.
        mode=AppointmentRequest.Mode.PHONE,
        slot=None,
        data=form.request_data(),
        language=form.cleaned_data["language"],
        captcha=form.captcha_outcome(),
        submission_key=form.cleaned_data["submission_key"],
        rules=rules,
        referral=referral,
    )
    done = [value for value in request.session.get(DONE_KEY, []) if value != appointment.reference]
    request.session[DONE_KEY] = (done + [appointment.reference])[-REMEMBERED:]
    return redirect("referral_done", appointment.reference)


@require_safe
@never_cache
def done(request, reference):
    if reference not in request.session.get(DONE_KEY, []):
        raise Http404
    appointment = AppointmentRequest.objects.filter(reference=reference).first()
    if appointment is None:
        raise Http404
    # The reference and how the family is told: never the queue, the worker or a status.
    return render(
        request,
        "forms/referrals/done.html",
        {
            "reference": appointment.reference,
            "told_by": [channel for channel, _recipient in family_recipients(appointment)],
            "again_url": reverse("referral_form"),
            "unknown_school": UNKNOWN_SCHOOL,
        },
    )


# The referred family's page


# A page behind the family's link, as every page behind a family link: out of search engines
# and of every Referer header (forms.link_views); its POSTs are authorised by the token in the
# URL (capability_post), since browsers post them with `Origin: null`.
_private = private_link_page


def _family_refused(request, problem, status, appointment=None):
    context = {"problem": problem}
    if appointment is not None:
        context.update(reference=appointment.reference, refused=appointment.referral.refused_at is not None)
        context["booking_url"] = booking_url_for(appointment, request.LANGUAGE_CODE)
    return _private(render(request, "forms/referrals/family_refused.html", context, status=status))


@capability_post
@never_cache
@require_http_methods(["GET", "HEAD", "POST"])
def family_page(request, token):
    try:
        appointment = read_referral_token(token)
    except ExpiredToken:
        return _family_refused(request, "expired", 410)
    except InvalidToken:
        return _family_refused(request, "invalid", 400)
    if not appointment.is_active:
        return _family_refused(request, "closed", 410, appointment)
    if request.method == "POST":
        try:
            refuse_contact(appointment)
        except RequestClosed:
            appointment.refresh_from_db(fields=["status"])
            return _family_refused(request, "closed", 410, appointment)
        return _private(render(request, "forms/referrals/family_done.html", {"reference": appointment.reference}))
    context = {
        "reference": appointment.reference,
        **referrer_words(appointment),
        # With a school, the family books into this very request; without one, the booking.
        "slots_url": reverse("referral_slots", args=[token]) if appointment.school_id else "",
        "booking_url": booking_url_for(appointment, request.LANGUAGE_CODE),
    }
    return _private(render(request, "forms/referrals/family.html", context))


def _read_active(request, token):
    """(the active referred request a link names, None) or (None, the page refusing it)."""
    try:
        appointment = read_referral_token(token)
    except ExpiredToken:
        return None, _family_refused(request, "expired", 410)
    except InvalidToken:
        return None, _family_refused(request, "invalid", 400)
    if not appointment.is_active:
        return None, _family_refused(request, "closed", 410, appointment)
    return appointment, None


@capability_post
@never_cache
@require_http_methods(["GET", "HEAD", "POST"])
def family_slots(request, token):
    """The school's free slots (the booking's slot search); a POST books one into the
    referral's own request, then the family lands on its appointment page."""
    appointment, refused = _read_active(request, token)
    if refused:
        return refused
    if appointment.slot_start is not None:
        return redirect(cancel_path(appointment, seed=token))
    if appointment.school is None:
        return redirect("referral_family", token)
    rules = booking_rules(request)
    slots = free_slots(appointment.school, rules=rules)
    places = localized_places({slot.permanence_id for slot in slots})
    taken = None
    status = 200
    form = SlotForm(slots=slots, places=places)
    if request.method == "POST":
        form = SlotForm(request.POST, slots=slots, places=places)
        if form.is_valid():
            try:
                booked, _done = book_referral(appointment, form.cleaned_data["slot"], rules=rules)
            except RequestClosed:
                appointment.refresh_from_db(fields=["status"])
                return _family_refused(request, "closed", 410, appointment)
            except (SlotTaken, SlotUnavailable):
                taken, status = parse_slot_key(form.cleaned_data["slot"]), 409
                slots = free_slots(appointment.school, rules=rules)
                form = SlotForm(slots=slots, places=localized_places({slot.permanence_id for slot in slots}))
            else:
                return redirect(cancel_path(booked, seed=token))
        else:
            status = 400
    context = {
        "form": form,
        "slots": slots,
        "slot_minutes": int((slots[0].end - slots[0].start).total_seconds() // 60) if slots else 0,
        "taken": taken,
        "nearby": next_free_slots(appointment.school, after=taken, rules=rules) if taken else [],
        "page_url": reverse("referral_family", args=[token]),
        "reference": appointment.reference,
    }
    return _private(render(request, "forms/referrals/slots.html", context, status=status))
