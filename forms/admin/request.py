"""The request page: the request, its operations (acknowledge, fix, cancel, reassign, note...)
and its history. Requests are loaded only through `visible_requests()` (404 for a request of
another worker's queue)."""

from __future__ import annotations

from itertools import groupby

from django.contrib import messages
from django.http import Http404
from django.shortcuts import redirect
from django.template.response import TemplateResponse
from django.urls import reverse
from django.utils import timezone
from django.utils.functional import cached_property
from django.utils.translation import gettext_lazy as _
from django.views import View
from django.views.generic import TemplateView
from wagtail.admin.views.generic import HistoryView, WagtailAdminTemplateMixin

from forms.admin.common import (
    PROBABLE_DUPLICATE,
    UNDELIVERED,
    UNVERIFIED_REFERRER,
    Kind,
    Status,
    WorkRequestsRequiredMixin,
    local,
    permission_policy,
)
from forms.admin.forms import AppointmentForm, CancelForm, NoteForm, ReassignForm
from forms.booking.slots import worker_free_slots
from forms.duplicates import other_appointments
from forms.models import AppointmentRequest
from forms.notifications.delivery import undelivered_sms
from forms.records import operations
from forms.records.audit import What, record_access
from forms.records.permissions import (
    visible_requests,
)
from services.schedule import PARIS


def place_suggestion(request: AppointmentRequest) -> str:
    Mode = AppointmentRequest.Mode
    if request.mode == Mode.SCHOOL and request.school:
        permanence = request.school.permanences.first()
        where = f", {permanence.place}" if permanence and permanence.place else ""
        return f"{request.school.title}{where}"[:200]
    return {
        Mode.CCAS: str(_("CCAS")),
        Mode.PHONE: str(_("Par téléphone")),
        Mode.HOME: str(_("À domicile")),
    }.get(request.mode, "")


FAMILY_TOLD = _("la famille est prévenue par e-mail, dans sa langue.")
FAMILY_TO_CALL = _("la famille n'a pas laissé d'e-mail : prévenez-la par téléphone.")

ACTIONS = {
    # name: (form class, operation, success message; the family's part is added when they are told)
    "acknowledge": (None, operations.acknowledge, _("La demande est prise en compte.")),
    "schedule": (AppointmentForm, operations.schedule, _("Le rendez-vous est fixé ;")),
    "reschedule": (AppointmentForm, operations.reschedule, _("Le rendez-vous est déplacé ;")),
    "done": (None, operations.mark_done, _("Le rendez-vous est noté comme honoré.")),
    "no_show": (None, operations.mark_no_show, _("L'absence au rendez-vous est notée.")),
    "cancel": (CancelForm, operations.cancel, _("La demande est annulée ;")),
    "reassign": (ReassignForm, operations.reassign, _("La demande est réaffectée.")),
    "note": (NoteForm, operations.add_note, _("La note interne est ajoutée.")),
}
FAMILY_ACTIONS = {"schedule", "reschedule", "cancel"}


def available_actions(req: AppointmentRequest, now=None) -> set[str]:
    """The actions that make sense for the request as it is now (the page offers only these,
    and a POST of another is refused): nothing on an anonymised request, a note only on a
    closed one; an appointment is fixed only for a request in a worker's queue, and marked
    honoured or missed only once it has started."""
    if req.anonymised_at is not None:
        return set()
    if not req.is_active:
        return {"note"}
    actions = {"cancel", "reassign", "note"}
    if req.status == Status.NEW:
        actions.add("acknowledge")
    if req.slot_start is None:
        if req.assigned_worker_id is not None:
            actions.add("schedule")
    else:
        actions.add("reschedule")
        if req.slot_start <= (now or timezone.now()):
            actions |= {"done", "no_show"}
    return actions


def operation_for(action: str, data: dict):
    """The operation an action's valid form asks for, with its arguments bound."""
    _form_class, operation, _success = ACTIONS[action]
    if action in ("schedule", "reschedule"):
        if data.get("slot_key"):
            kind = Kind.SCHEDULED if action == "schedule" else Kind.RESCHEDULED
            return lambda req, user: operations.schedule_free_slot(req, user, data["slot_key"], kind)
        arguments = {"start": data["start"], "end": data["end"], "place": data["place"], "mode": data.get("mode")}
    elif action == "cancel":
        arguments = {"reason": data["reason"]}
    elif action == "reassign":
        arguments = {"worker": data["worker"], "reason": data["reason"]}
    elif action == "note":
        arguments = {"text": data["text"]}
    else:
        arguments = {}
    return lambda req, user: operation(req, user, **arguments)


def action_form(req: AppointmentRequest, action: str, data=None, **kwargs):
    """The form of an action (None for a button): the schedule and reschedule forms offer the
    assigned worker's free slots (forms.booking.slots.worker_free_slots)."""
    form_class = ACTIONS[action][0]
    if form_class is None:
        return None
    if form_class is AppointmentForm:
        worker = req.assigned_worker
        kwargs["free_slots"] = worker_free_slots(worker) if worker is not None else []
    return form_class(data, prefix=action, **kwargs)


ROUTING_REASONS = {
    "referent": _("référent·e de l'école"),
    "referent_absent": _("référent·e absent·e, remplaçant·e"),
    "referent_absent_no_replacement": _("référent·e absent·e sans remplaçant·e"),
    "no_referent": _("école sans référent·e"),
    "unknown_school": _("école non précisée"),
}


def routing_history(events):
    rows = [e for e in events if e.kind in (Kind.ROUTED, Kind.REASSIGNED)]
    for event in rows:
        event.why_label = ROUTING_REASONS.get((event.data or {}).get("why"), "")
    return rows


def collapse_views(events):
    """Consecutive readings by the same person make one line of the timeline."""

    def key(event):
        return (event.kind, event.user_id if event.kind == Kind.VIEWED else event.pk)

    rows = []
    for _key, group in groupby(events, key=key):
        group = list(group)
        rows.append({"event": group[-1], "first": group[0], "count": len(group)})
    return rows


def visible_or_404(http_request, pk):
    """The request `pk` if the user may see it; otherwise a 404, and an attempt on a request
    that exists outside the user's queue is recorded (forms.records.audit: REFUSED)."""
    try:
        pk = int(pk)
    except (TypeError, ValueError):
        raise Http404 from None
    if not 0 < pk < 2**63:
        raise Http404
    queryset = visible_requests(http_request.user).select_related("school", "assigned_worker", "referral")
    found = queryset.filter(pk=pk).first()
    if found is None:
        if AppointmentRequest.objects.filter(pk=pk).exists():
            record_access(http_request, What.REFUSED, request=pk, path=http_request.path[:200])
        raise Http404
    return found


class RequestDetailView(WorkRequestsRequiredMixin, WagtailAdminTemplateMixin, TemplateView):
    template_name = "forms/admin/request_detail.html"
    header_icon = "form"

    def get_object(self):
        return visible_or_404(self.request, self.kwargs["pk"])

    def get(self, request, *args, **kwargs):
        self.object = self.get_object()
        operations.record_view(self.object, request.user)
        return self.render_to_response(self.get_context_data())

    def get_page_title(self):
        return _("Demande %(reference)s") % {"reference": self.object.reference}

    def get_breadcrumbs_items(self):
        return self.breadcrumbs_items + [
            {"url": reverse("forms_admin:index"), "label": _("Demandes des familles")},
            {"url": "", "label": self.get_page_title()},
        ]

    def build_forms(self, bound=None):
        req = self.object
        start = timezone.localtime(req.slot_start, PARIS) if req.slot_start else None
        appointment_initial = {
            "place": req.place or place_suggestion(req),
            "mode": req.mode,
            "duration": int((req.slot_end - req.slot_start).total_seconds() // 60) if req.slot_end else 30,
        }
        if start:
            appointment_initial.update(day=start.date(), time=start.time())
        allowed = available_actions(req)
        initials = {
            "schedule": appointment_initial,
            "reschedule": appointment_initial,
            "reassign": {"worker": req.assigned_worker_id},
        }
        forms = {}
        # In the page's order; schedule and reschedule never both apply (one search of free slots).
        for name in ("schedule", "reschedule", "cancel", "reassign", "note"):
            if name in allowed:
                bound_here = bound is not None and bound[0] == name
                forms[name] = bound[1] if bound_here else action_form(req, name, initial=initials.get(name))
        return forms

    def get_context_data(self, bound_form=None, **kwargs):
        context = super().get_context_data(**kwargs)
        req = self.object
        events = list(req.events.select_related("user").order_by("at", "pk"))
        context.update(
            req=req,
            timeline=collapse_views(events),
            routing=routing_history(events),
            notes=[e for e in events if e.kind == Kind.NOTE],
            actions=available_actions(req),
            forms=self.build_forms(bound_form),
            slot=local(req.slot_start, "l j F Y, H:i") if req.slot_start else "",
            slot_end=local(req.slot_end, "H:i") if req.slot_end else "",
            sms_undelivered=req.notifications.filter(undelivered_sms()).exists(),
            undelivered_label=UNDELIVERED,
            duplicates=list(other_appointments(req).filter(pk__in=visible_requests(self.request.user))),
            duplicate_label=PROBABLE_DUPLICATE,
            referral=req.referral if req.is_referral else None,
            unverified_label=UNVERIFIED_REFERRER,
            # A referred family has not asked for anything yet: the first thing to do is call it.
            call_first=req.is_referral and req.is_active and bool(req.phone),
            history_url=reverse("forms_admin:history", args=[req.pk]),
            agenda_url=reverse("forms_admin:agenda"),
        )
        return context


class RequestActionView(WorkRequestsRequiredMixin, View):
    """POST only: one action on one request, then back to the request page."""

    http_method_names = ["post"]

    def post(self, request, pk, action):
        if action not in ACTIONS:
            raise Http404
        req = visible_or_404(request, pk)
        success = ACTIONS[action][2]
        detail_url = reverse("forms_admin:detail", args=[req.pk])
        if action not in available_actions(req):
            messages.error(request, _("Cette action n'est plus possible sur cette demande."))
            return redirect(detail_url)
        form = action_form(req, action, request.POST)
        data = {}
        if form is not None:
            if not form.is_valid():
                return self.render_with_errors(req, action, form)
            data = form.cleaned_data
        try:
            operation_for(action, data)(req, request.user)
        except operations.OperationError as error:
            if form is not None:
                form.add_error(None, str(error))
                return self.render_with_errors(req, action, form)
            messages.error(request, str(error))
            return redirect(detail_url)
        if action in FAMILY_ACTIONS:
            success = f"{success} {FAMILY_TOLD if req.email else FAMILY_TO_CALL}"
        messages.success(request, success)
        if not visible_requests(request.user).filter(pk=req.pk).exists():
            # Handed to a colleague or to the service queue: back to the queue, not to a 404.
            return redirect(reverse("forms_admin:index"))
        return redirect(detail_url)

    def render_with_errors(self, req, action, form):
        view = RequestDetailView()
        view.setup(self.request, pk=req.pk)
        view.object = req
        context = view.get_context_data(bound_form=(action, form))
        context["open_action"] = action
        return TemplateResponse(self.request, view.template_name, context, status=400)


class RequestHistoryView(WorkRequestsRequiredMixin, HistoryView):
    """Wagtail's history of the request's log entries: each reading and change, who and when."""

    # Model and URL names: forms.admin.viewsets.RequestViewSet.
    permission_policy = permission_policy
    any_permission_required = ["work"]

    def get_base_object_queryset(self):
        return visible_requests(self.request.user)

    def get_object(self):
        return visible_or_404(self.request, self.pk)

    @cached_property
    def header_buttons(self):
        return []
