"""The booking flow: five server-rendered steps with Post/Redirect/Get, then a confirmation.

The flow's state lives in `request.session["booking"]`, so it works without JavaScript, in
any language (switching language mid-way keeps every answer) and survives a failed step.
The views only gather input and render; the rules are in forms.booking.create, forms.booking.slots and
forms.booking.routing."""

from __future__ import annotations

import logging

from django.conf import settings
from django.http import Http404
from django.shortcuts import redirect, render
from django.urls import reverse
from django.utils.http import urlencode
from django.utils.translation import gettext_lazy as _
from django.views.decorators.cache import never_cache
from django.views.decorators.http import require_http_methods, require_safe
from wagtail.models import Locale

from core.languages import current_language
from forms import antispam, phone
from forms.booking.create import SlotTaken, SlotUnavailable, create_request, next_free_slots
from forms.booking.forms import (
    UNKNOWN_SCHOOL,
    AvailabilityForm,
    ConfirmForm,
    DetailsForm,
    ModeForm,
    SchoolForm,
    SlotForm,
    new_submission_key,
    school_by_id,
)
from forms.booking.slots import booking_rules, find_slot, free_slots, parse_slot_key
from forms.links import cancel_path, ics_path
from forms.models import AppointmentRequest, NotifyBy
from forms.notifications.channels import family_recipients
from services.models import Permanence
from services.schedule import PARIS

logger = logging.getLogger(__name__)

SESSION_KEY = "booking"
DONE_KEY = "booking_done"  # references this browser created: only they may see the confirmation
SENT_KEY = "booking_sent"  # submission key -> reference, so a late double click lands on the same page
REMEMBERED = 20

STEPS = ["ecole", "modalite", "creneau", "coordonnees", "recapitulatif"]
STEP_TITLES = {
    "ecole": _("L'école de votre enfant"),
    "modalite": _("Le type de rendez-vous"),
    "creneau": _("Le créneau"),
    "coordonnees": _("Vos coordonnées"),
    "recapitulatif": _("Vérifier et envoyer"),
}
Mode = AppointmentRequest.Mode


class Flow:
    """The answers given so far, as JSON-friendly values in the session."""

    def __init__(self, session):
        self.session = session
        self.data = dict(session.get(SESSION_KEY) or {})
        self._school = None

    def save(self):
        self.session[SESSION_KEY] = self.data

    @property
    def school(self):
        if self._school is None and self.data.get("school"):
            self._school = school_by_id(self.data["school"])
        return self._school

    def set_school(self, school):
        """Choosing another school drops the answers that depended on it (mode, slot)."""
        new = school.pk if school is not None else None
        if self.data.get("school", "unset") != new:
            for name in ("mode", "slot", "availabilities", "slot_taken"):
                self.data.pop(name, None)
        self.data["school"] = new
        self._school = school

    def set_mode(self, mode):
        if self.data.get("mode") != mode:
            self.data.pop("slot", None)
            self.data.pop("availabilities", None)
        self.data["mode"] = mode

    def done(self, step) -> bool:
        data = self.data
        if step == "ecole":
            # A school that is no longer published counts as not chosen.
            return "school" in data and (data["school"] is None or self.school is not None)
        if step == "modalite":
            return data.get("mode") in Mode.values
        if step == "creneau":
            return bool(data.get("slot")) if data.get("mode") == Mode.SCHOOL else bool(data.get("availabilities"))
        if step == "coordonnees":
            return bool(data.get("details"))
        return False

    def first_missing(self) -> str:
        return next(step for step in STEPS if not self.done(step))

    def next_url(self):
        return reverse("booking_step", args=[self.first_missing()])

    def submission_key(self) -> str:
        if not self.data.get("submission_key"):
            self.data["submission_key"] = new_submission_key()
            self.save()
        return self.data["submission_key"]


def _remember(session, name, value):
    values = [v for v in session.get(name, []) if v != value]
    session[name] = (values + [value])[-REMEMBERED:]


def localized_places(permanence_ids) -> dict[int, str]:
    """{source permanence id: its place in the page's language}; two queries. Only the place
    of a permanence is translated; an untranslated one keeps its French place."""
    sources = dict(Permanence.objects.filter(pk__in=set(permanence_ids)).values_list("translation_key", "pk"))
    try:
        locale = Locale.get_active()
    except Locale.DoesNotExist:
        return {}
    translated = Permanence.objects.filter(translation_key__in=sources, locale=locale).exclude(place="")
    return {sources[key]: place for key, place in translated.values_list("translation_key", "place")}


def _permanence_at(school, start):
    """The permanence a booked start falls in, to name its place in the page's language."""
    local = start.astimezone(PARIS)
    for permanence in school.permanences.all():
        if permanence.is_valid_on(local.date()) and permanence.start_time <= local.time() < permanence.end_time:
            return permanence
    return None


def _render(request, flow, step, form=None, **context):
    context.update(
        step=step,
        step_number=STEPS.index(step) + 1,
        step_count=len(STEPS),
        step_title=STEP_TITLES[step],
        next_step_title=STEP_TITLES[STEPS[STEPS.index(step) + 1]] if step != STEPS[-1] else None,
        previous_url=reverse("booking_step", args=[STEPS[STEPS.index(step) - 1]]) if step != "ecole" else None,
        form=form,
        has_errors=bool(form is not None and form.errors),
        flow=flow.data,
        school=flow.school.localized if flow.school is not None else None,
        retention_months=booking_rules(request).retention_months,
    )
    return render(request, f"forms/booking/{step}.html", context)


@require_safe
@never_cache
def start(request):
    """Entry point: `?ecole=<id>` from a school page goes to the next step with the school in
    its address, not in the session: following a link creates no session (a flood of such GETs
    once filled Redis); the session starts with the first answer posted (see `step`). Without
    it, the family resumes where they left off."""
    if "ecole" in request.GET:
        school = school_by_id(request.GET["ecole"])
        if school is None:
            return redirect("booking_step", "ecole")
        return redirect(f"{reverse('booking_step', args=['modalite'])}?{urlencode({'ecole': school.pk})}")
    return redirect(Flow(request.session).next_url())


@require_http_methods(["GET", "HEAD", "POST"])
@never_cache
def step(request, step):
    if step not in STEPS:
        raise Http404
    flow = Flow(request.session)
    if "ecole" in request.GET and (school := school_by_id(request.GET["ecole"])) is not None:
        # The school a school page's link named (see start): saved with this step's answer.
        flow.set_school(school)
    if request.method == "POST" and step == "recapitulatif":
        # A second click that arrives after the first one went through: same confirmation.
        sent = request.session.get(SENT_KEY, {})
        posted_key = request.POST.get("submission_key", "")
        if posted_key in sent:
            return redirect("booking_done", sent[posted_key])
    if request.method == "POST" and step != "ecole" and not flow.data:
        # The session expired (or the cookie was refused) in the middle of the flow.
        request.session["booking_expired"] = True
        return redirect("booking_step", "ecole")
    missing = flow.first_missing()
    if STEPS.index(step) > STEPS.index(missing):
        return redirect("booking_step", missing)
    return STEP_VIEWS[step](request, flow)


def school_step(request, flow):
    expired = request.session.pop("booking_expired", False)
    if request.method == "POST":
        form = SchoolForm(request.POST)
        if form.is_valid():
            flow.set_school(form.cleaned_data["school"])
            flow.save()
            return redirect(flow.next_url())
    else:
        initial = {}
        if "school" in flow.data:
            initial["school"] = flow.data["school"] or UNKNOWN_SCHOOL
        form = SchoolForm(initial=initial)
    return _render(request, flow, "ecole", form, expired=expired)


def mode_step(request, flow):
    school = flow.school
    slots = free_slots(school, rules=booking_rules(request)) if school is not None else []
    if request.method == "POST":
        form = ModeForm(request.POST, offer_school=bool(slots))
        if form.is_valid():
            flow.set_mode(form.cleaned_data["mode"])
            flow.save()
            return redirect(flow.next_url())
    else:
        form = ModeForm(initial={"mode": flow.data.get("mode")}, offer_school=bool(slots))
    return _render(request, flow, "modalite", form, has_slots=bool(slots), first_slot=slots[0] if slots else None)


def slot_step(request, flow):
    if flow.data.get("mode") != Mode.SCHOOL:
        return availability_step(request, flow)
    school = flow.school
    rules = booking_rules(request)
    slots = free_slots(school, rules=rules)
    taken_key = flow.data.get("slot_taken")
    taken = parse_slot_key(taken_key) if taken_key else None
    nearby = next_free_slots(school, after=taken, rules=rules) if taken else []
    if not slots:
        return _render(request, flow, "creneau", None, slots=[], taken=taken)
    places = localized_places({slot.permanence_id for slot in slots})
    if request.method == "POST":
        form = SlotForm(request.POST, slots=slots, places=places)
        if form.is_valid():
            flow.data["slot"] = form.cleaned_data["slot"]
            flow.data.pop("slot_taken", None)
            flow.save()
            return redirect(flow.next_url())
    else:
        current = flow.data.get("slot")
        chosen = current if any(s.key == current for s in slots) else None
        form = SlotForm(initial={"slot": chosen}, slots=slots, places=places)
    return _render(
        request,
        flow,
        "creneau",
        form,
        slots=slots,
        taken=taken,
        nearby=nearby,
        slot_minutes=int((slots[0].end - slots[0].start).total_seconds() // 60),
    )


def availability_step(request, flow):
    if request.method == "POST":
        form = AvailabilityForm(request.POST)
        if form.is_valid():
            flow.data["availabilities"] = form.cleaned_data["availabilities"]
            flow.save()
            return redirect(flow.next_url())
    else:
        form = AvailabilityForm(initial={"availabilities": flow.data.get("availabilities", "")})
    return _render(request, flow, "creneau", form)


def details_step(request, flow):
    if request.method == "POST":
        form = DetailsForm(request.POST)
        if form.is_valid():
            flow.data["details"] = form.stored()
            flow.save()
            return redirect(flow.next_url())
    else:
        stored = flow.data.get("details")
        form = DetailsForm(initial={**stored, "consent": True} if stored else None)
    return _render(request, flow, "coordonnees", form)


def _summary(flow):
    """What the recap shows, in the page's language."""
    details = dict(flow.data["details"])
    return {
        "mode": Mode(flow.data["mode"]).label,
        "reason": AppointmentRequest.Reason(details["reason"]).label,
        "requester": AppointmentRequest.Requester(details["requester"]).label,
        "notify_by": dict(NotifyBy.choices).get(details.get("notify_by", ""), ""),
        "language": dict(settings.LANGUAGES).get(details["language"], details["language"]),
        "phone": phone.for_display(details["phone"]),
        "details": details,
        "availabilities": flow.data.get("availabilities", ""),
    }


def confirm_step(request, flow):
    school = flow.school
    slot = None
    # A submission has the slot checked once, by create_request() inside its transaction.
    rules = booking_rules(request)
    if flow.data["mode"] == Mode.SCHOOL and request.method != "POST":
        slot = find_slot(school, flow.data["slot"], rules=rules)
        if slot is None:
            return _slot_gone(flow)
    key = flow.submission_key()
    captcha = antispam.captcha_enabled()
    show_captcha = captcha and flow.data.get("captcha_shown", False)
    nonce = getattr(request, "csp_nonce", None) if show_captcha else None

    refused = False
    if request.method == "POST":
        form = ConfirmForm(request.POST, expected_key=key, captcha=captcha, show_captcha=show_captcha, nonce=nonce)
        # Refused: the recap again, with the reason and the CCAS phone; the answers are kept.
        refused = antispam.refuse_submission(request, antispam.BOOKING, form, phone=flow.data["details"]["phone"])
        if form.is_valid():
            if form.awaiting_widget:
                flow.data["captcha_shown"] = True
                flow.save()
                return redirect("booking_step", "recapitulatif")
            return _submit(request, flow, school, flow.data.get("slot"), form)
        if flow.data["mode"] == Mode.SCHOOL:
            slot = find_slot(school, flow.data["slot"], rules=rules)
            if slot is None:
                return _slot_gone(flow)
    else:
        initial = {"captcha_consent": antispam.CONSENT_YES} if show_captcha else {}
        form = ConfirmForm(initial=initial, expected_key=key, captcha=captcha, show_captcha=show_captcha, nonce=nonce)

    place = ""
    if slot is not None:
        place = localized_places([slot.permanence_id]).get(slot.permanence_id, slot.place)
    response = _render(
        request, flow, "recapitulatif", form, summary=_summary(flow), slot=slot, place=place, captcha=captcha
    )
    if refused:
        response.status_code = 429
    if "captcha" in form.fields:
        response = antispam.allow_captcha(response)
    return response


def _slot_gone(flow):
    flow.data["slot_taken"] = flow.data.pop("slot", None)
    flow.save()
    return redirect("booking_step", "creneau")


def _submit(request, flow, school, slot, form):
    details = flow.data["details"]
    data = {**details, "availabilities": flow.data.get("availabilities", "")}
    try:
        appointment = create_request(
            school=school,
            mode=flow.data["mode"],
            slot=slot,
            data=data,
            language=details.get("language") or current_language(),
            captcha=form.captcha_outcome(),
            submission_key=form.cleaned_data["submission_key"],
            rules=booking_rules(request),
        )
    except SlotTaken:
        logger.info("slot taken between display and submit")
        return _slot_gone(flow)
    except SlotUnavailable:
        return _slot_gone(flow)
    sent = dict(request.session.get(SENT_KEY, {}))
    sent[str(appointment.submission_key)] = appointment.reference
    request.session[SENT_KEY] = dict(list(sent.items())[-REMEMBERED:])
    _remember(request.session, DONE_KEY, appointment.reference)
    request.session.pop(SESSION_KEY, None)
    return redirect("booking_done", appointment.reference)


@require_safe
@never_cache
def done(request, reference):
    if reference not in request.session.get(DONE_KEY, []):
        raise Http404
    appointment = (
        AppointmentRequest.objects.select_related("school", "assigned_worker").filter(reference=reference).first()
    )
    if appointment is None:
        raise Http404
    school = appointment.school.localized if appointment.school else None
    place = source_place = ""
    ics_url = None
    if appointment.slot_start is not None and appointment.school is not None:
        permanence = _permanence_at(appointment.school, appointment.slot_start)
        if permanence is not None:
            source_place = permanence.place  # equal to `place` when not translated: marked lang="fr"
            place = localized_places([permanence.pk]).get(permanence.pk, permanence.place)
        # The download-only token: a shared calendar link never lets anyone cancel. Both links
        # derive from the session that booked: a reload of the page makes no new token.
        ics_url = ics_path(appointment, seed=request.session.session_key)
    return render(
        request,
        "forms/booking/done.html",
        {
            "appointment": appointment,
            "school": school,
            "place": place,
            "source_place": source_place,
            "ics_url": ics_url,
            "cancel_url": cancel_path(appointment, seed=request.session.session_key),
            "worker": appointment.assigned_worker,
            "told_by": [channel for channel, _recipient in family_recipients(appointment)],
            "retention_months": booking_rules(request).retention_months,
        },
    )


STEP_VIEWS = {
    "ecole": school_step,
    "modalite": mode_step,
    "creneau": slot_step,
    "coordonnees": details_step,
    "recapitulatif": confirm_step,
}
