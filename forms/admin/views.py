"""The workers' side in the Wagtail admin: queue, request page and its actions, history, agenda.

Every view first checks the role (403 for anyone who does not work requests, e.g. the
communication staff), then loads requests only through `visible_requests()` (404 for a
request of another worker's queue)."""

from __future__ import annotations

import re
from datetime import date, datetime, time, timedelta
from itertools import groupby

import django_filters
from django import forms as django_forms
from django.conf import settings
from django.contrib import messages
from django.http import Http404
from django.shortcuts import get_object_or_404, redirect
from django.template.response import TemplateResponse
from django.urls import reverse
from django.utils import formats, timezone
from django.utils.functional import cached_property
from django.utils.translation import gettext_lazy as _
from django.views import View
from django.views.generic import TemplateView
from wagtail.admin.filters import DateRangePickerWidget, WagtailFilterSet
from wagtail.admin.ui.tables import Column, StatusTagColumn, TitleColumn
from wagtail.admin.views.generic import HistoryView, IndexView, WagtailAdminTemplateMixin
from wagtail.admin.widgets import BooleanRadioSelect

from core.pages import in_source_language
from forms.admin import operations
from forms.admin.forms import AppointmentForm, CancelForm, NoteForm, ReassignForm
from forms.models import AppointmentRequest, RequestEvent
from forms.permissions import (
    RequestPermissionPolicy,
    can_view_all_requests,
    can_work_requests,
    visible_requests,
    worker_of,
)
from services.models import Permanence, SchoolPage, SocialWorker, WorkerAbsence
from services.schedule import PARIS, closed_days, permanence_occurrences, today

Status = AppointmentRequest.Status
Kind = RequestEvent.Kind

permission_policy = RequestPermissionPolicy(AppointmentRequest)


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


def normalise_reference(text: str) -> str:
    """'abc def', 'ABCDEF', 'abc-def ' all mean ABC-DEF."""
    raw = re.sub(r"[^0-9A-Za-z]", "", text).upper()
    return f"{raw[:3]}-{raw[3:]}" if len(raw) == 6 else raw


# --- Queue listing -------------------------------------------------------------------------

QUEUE_MINE, QUEUE_SERVICE, QUEUE_ALL = "mine", "service", "all"


def default_queue(user) -> str:
    return QUEUE_MINE if worker_of(user) is not None else QUEUE_ALL


def choice_filter(label, choices):
    return django_filters.ChoiceFilter(
        label=label, choices=choices, widget=django_forms.RadioSelect, empty_label=_("Tous")
    )


class RequestFilterSet(WagtailFilterSet):
    queue = django_filters.ChoiceFilter(
        label=_("File de demandes"), method="filter_queue", widget=django_forms.RadioSelect, empty_label=None
    )
    status = django_filters.MultipleChoiceFilter(
        label=_("Statut"), choices=Status.choices, widget=django_forms.CheckboxSelectMultiple
    )
    school = django_filters.ModelChoiceFilter(
        label=_("École"),
        queryset=lambda request: in_source_language(SchoolPage.objects.all()).only("id", "title").order_by("title"),
    )
    reason = choice_filter(_("Motif"), AppointmentRequest.Reason.choices)
    mode = choice_filter(_("Modalité"), AppointmentRequest.Mode.choices)
    created_at = django_filters.DateFromToRangeFilter(label=_("Reçue entre"), widget=DateRangePickerWidget)
    language = choice_filter(_("Langue de la famille"), settings.LANGUAGES)
    interpreter_needed = django_filters.BooleanFilter(label=_("Interprète demandé"), widget=BooleanRadioSelect)
    captcha_declined = django_filters.BooleanFilter(
        label=_("Vérification anti-robot refusée"),
        method="filter_captcha_declined",
        widget=BooleanRadioSelect,
    )

    class Meta:
        model = AppointmentRequest
        fields = []

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        user = self.request.user
        if not can_view_all_requests(user):
            # A worker sees one queue, their own: nothing to choose.
            del self.filters["queue"]
            return
        choices = [(QUEUE_ALL, _("Toutes les files")), (QUEUE_SERVICE, _("File du service (non affectées)"))]
        if worker_of(user) is not None:
            choices.insert(0, (QUEUE_MINE, _("Ma file")))
        choices += [(f"w{w.pk}", w.public_name) for w in SocialWorker.objects.filter(active=True).only("public_name")]
        self.filters["queue"].extra.update(choices=choices, initial=default_queue(user))

    def filter_queue(self, queryset, name, value):
        if value == QUEUE_MINE:
            worker = worker_of(self.request.user)
            return queryset.filter(assigned_worker=worker) if worker else queryset.none()
        if value == QUEUE_SERVICE:
            return queryset.filter(assigned_worker__isnull=True)
        if value.startswith("w") and value[1:].isdigit():
            return queryset.filter(assigned_worker_id=int(value[1:]))
        return queryset

    def filter_captcha_declined(self, queryset, name, value):
        declined = AppointmentRequest.Captcha.DECLINED
        return queryset.filter(captcha=declined) if value else queryset.exclude(captcha=declined)


def _flags(request: AppointmentRequest) -> str:
    flags = []
    if request.interpreter_needed:
        flags.append(str(_("Interprète")))
    if request.captcha == AppointmentRequest.Captcha.DECLINED:
        flags.append(str(_("Sans captcha")))
    if request.routed_as == AppointmentRequest.Routing.REPLACEMENT:
        flags.append(str(_("Remplacement")))
    return ", ".join(flags)


class RequestIndexView(WorkRequestsRequiredMixin, IndexView):
    model = AppointmentRequest
    permission_policy = permission_policy
    any_permission_required = ["work"]
    filterset_class = RequestFilterSet
    index_url_name = "forms_admin:index"
    index_results_url_name = "forms_admin:index_results"
    search_fields = ["reference"]
    default_ordering = "-created_at"
    paginate_by = 50
    header_icon = "form"
    list_export = []

    def setup(self, request, *args, **kwargs):
        super().setup(request, *args, **kwargs)
        # The queue is never exported: personal data leaves the admin only on paper, by a person.
        self.is_export = False

    def get_filterset_kwargs(self):
        kwargs = super().get_filterset_kwargs()
        if "queue" not in self.request.GET and can_view_all_requests(self.request.user):
            data = self.request.GET.copy()
            data["queue"] = default_queue(self.request.user)
            kwargs["data"] = data
        return kwargs

    def get_base_queryset(self):
        return visible_requests(self.request.user).select_related("school", "assigned_worker")

    def search_queryset(self, queryset):
        if not self.is_searching:
            return queryset
        return queryset.filter(reference__icontains=normalise_reference(self.search_query))

    @cached_property
    def queue(self):
        if self.filters is None or "queue" not in self.filters.filters:
            return QUEUE_MINE
        return (self.filters.form.cleaned_data.get("queue") if self.filters.is_valid() else None) or QUEUE_ALL

    def get_page_title(self):
        if self.queue == QUEUE_MINE:
            return _("Ma file")
        if self.queue == QUEUE_SERVICE:
            return _("File du service")
        if self.queue.startswith("w"):
            worker = SocialWorker.objects.filter(pk=self.queue[1:]).first()
            if worker:
                return _("File de %(worker)s") % {"worker": worker}
        return _("Toutes les files")

    def get_detail_url(self, instance):
        return reverse("forms_admin:detail", args=[instance.pk])

    @cached_property
    def columns(self):
        return [
            TitleColumn("reference", label=_("Référence"), get_url=self.get_detail_url),
            Column("parent_name", label=_("Famille")),
            StatusTagColumn(
                "status",
                accessor="get_status_display",
                label=_("Statut"),
                primary=lambda r: r.status == Status.NEW,
            ),
            Column(
                "school",
                label=_("École"),
                accessor=lambda r: r.school.title if r.school else _("Non précisée"),
            ),
            Column("reason", label=_("Motif"), accessor="get_reason_display"),
            Column("mode", label=_("Modalité"), accessor="get_mode_display"),
            Column(
                "slot_start",
                label=_("Rendez-vous"),
                accessor=lambda r: local(r.slot_start),
                sort_key="slot_start",
            ),
            Column(
                "assigned_worker",
                label=_("Affectée à"),
                accessor=lambda r: r.assigned_worker.public_name if r.assigned_worker else _("Service"),
            ),
            Column("language", label=_("Langue"), accessor="get_language_display"),
            Column("flags", label=_("À noter"), accessor=_flags),
            Column(
                "created_at",
                label=_("Reçue le"),
                accessor=lambda r: local(r.created_at),
                sort_key="created_at",
            ),
        ]

    def get_context_data(self, *args, **kwargs):
        context = super().get_context_data(*args, **kwargs)
        context["agenda_url"] = reverse("forms_admin:agenda")
        return context


# --- Request page and actions ---------------------------------------------------------------


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


def available_actions(req: AppointmentRequest) -> set[str]:
    if req.anonymised_at is not None:
        return set()
    if not req.is_active:
        return {"note"}
    actions = {"done", "cancel", "reassign", "note"}
    if req.status == Status.NEW:
        actions.add("acknowledge")
    if req.slot_start is None:
        if req.assigned_worker_id is not None:
            actions.add("schedule")
    else:
        actions |= {"reschedule", "no_show"}
    return actions


def operation_arguments(action: str, data: dict) -> dict:
    if action in ("schedule", "reschedule"):
        return {"start": data["start"], "end": data["end"], "place": data["place"]}
    if action == "cancel":
        return {"reason": data["reason"]}
    if action == "reassign":
        return {"worker": data["worker"], "reason": data["reason"]}
    if action == "note":
        return {"text": data["text"]}
    return {}


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


class RequestDetailView(WorkRequestsRequiredMixin, WagtailAdminTemplateMixin, TemplateView):
    template_name = "forms/admin/request_detail.html"
    header_icon = "form"

    def get_object(self):
        queryset = visible_requests(self.request.user).select_related("school", "assigned_worker")
        return get_object_or_404(queryset, pk=self.kwargs["pk"])

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
            "duration": int((req.slot_end - req.slot_start).total_seconds() // 60) if req.slot_end else 30,
        }
        if start:
            appointment_initial.update(day=start.date(), time=start.time())
        forms = {
            "schedule": AppointmentForm(prefix="schedule", initial=appointment_initial),
            "reschedule": AppointmentForm(prefix="reschedule", initial=appointment_initial),
            "cancel": CancelForm(prefix="cancel"),
            "reassign": ReassignForm(prefix="reassign", initial={"worker": req.assigned_worker_id}),
            "note": NoteForm(prefix="note"),
        }
        if bound:
            forms[bound[0]] = bound[1]
        allowed = available_actions(req)
        return {name: form for name, form in forms.items() if name in allowed}

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
        queryset = visible_requests(request.user).select_related("school", "assigned_worker")
        req = get_object_or_404(queryset, pk=pk)
        form_class, operation, success = ACTIONS[action]
        detail_url = reverse("forms_admin:detail", args=[req.pk])
        if action not in available_actions(req):
            messages.error(request, _("Cette action n'est plus possible sur cette demande."))
            return redirect(detail_url)
        data = {}
        form = None
        if form_class is not None:
            form = form_class(request.POST, prefix=action)
            if not form.is_valid():
                return self.render_with_errors(req, action, form)
            data = form.cleaned_data
        try:
            operation(req, request.user, **operation_arguments(action, data))
        except operations.OperationError as error:
            if form is not None:
                form.add_error(None, str(error))
                return self.render_with_errors(req, action, form)
            messages.error(request, str(error))
            return redirect(detail_url)
        if action in FAMILY_ACTIONS:
            success = f"{success} {FAMILY_TOLD if req.email else FAMILY_TO_CALL}"
        messages.success(request, success)
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

    model = AppointmentRequest
    permission_policy = permission_policy
    any_permission_required = ["work"]
    history_url_name = "forms_admin:history"
    history_results_url_name = "forms_admin:history_results"
    edit_url_name = "forms_admin:detail"
    index_url_name = "forms_admin:index"

    def get_base_object_queryset(self):
        return visible_requests(self.request.user)

    @cached_property
    def header_buttons(self):
        return []


# --- Agenda --------------------------------------------------------------------------------

WEEK_PATTERN = re.compile(r"^(\d{4})-W(\d{1,2})$")
AGENDA_STATUSES = [*AppointmentRequest.ACTIVE_STATUSES, Status.DONE, Status.NO_SHOW]


def parse_week(value: str | None) -> date:
    """The Monday of an ISO week written 2026-W48; this week's Monday otherwise."""
    match = WEEK_PATTERN.match(value or "")
    if match:
        try:
            return date.fromisocalendar(int(match[1]), int(match[2]), 1)
        except ValueError:
            pass
    current = today()
    return current - timedelta(days=current.weekday())


def week_label(monday: date) -> str:
    year, week, _day = monday.isocalendar()
    return f"{year}-W{week:02d}"


def source_permanences(worker_ids):
    return list(
        in_source_language(
            Permanence.objects.filter(school__referent_id__in=worker_ids), through="school"
        ).select_related("school", "school__referent")
    )


class AgendaView(WorkRequestsRequiredMixin, WagtailAdminTemplateMixin, TemplateView):
    template_name = "forms/admin/agenda.html"
    header_icon = "calendar-alt"
    page_title = _("Agenda")

    def get_breadcrumbs_items(self):
        return self.breadcrumbs_items + [{"url": "", "label": self.get_page_title()}]

    def get_worker(self):
        user = self.request.user
        own = worker_of(user)
        wanted = self.request.GET.get("worker")
        if not can_view_all_requests(user):
            if own is None or (wanted and wanted != str(own.pk)):
                raise Http404
            return own, []
        workers = list(SocialWorker.objects.filter(active=True).order_by("public_name"))
        chosen = next((w for w in workers if str(w.pk) == wanted), None)
        return chosen or own or (workers[0] if workers else None), workers

    def get_context_data(self, **kwargs):
        context = super().get_context_data(**kwargs)
        worker, workers = self.get_worker()
        monday = parse_week(self.request.GET.get("week"))
        sunday = monday + timedelta(days=6)
        context.update(
            worker=worker,
            workers=workers,
            monday=monday,
            sunday=sunday,
            week=week_label(monday),
            previous_week=week_label(monday - timedelta(days=7)),
            next_week=week_label(monday + timedelta(days=7)),
            this_week=week_label(parse_week(None)),
        )
        if worker is None:
            context["days"] = []
            return context
        context["days"] = self.build_days(worker, monday, sunday)
        return context

    def build_days(self, worker, monday, sunday):
        closed = closed_days(monday, sunday)
        own_absences = list(WorkerAbsence.objects.filter(worker=worker, first_day__lte=sunday, last_day__gte=monday))
        replacing = list(
            WorkerAbsence.objects.filter(
                replacement=worker, first_day__lte=sunday, last_day__gte=monday
            ).select_related("worker")
        )
        permanences = source_permanences({worker.pk, *(a.worker_id for a in replacing)})

        def absent(day):
            return next((a for a in own_absences if a.first_day <= day <= a.last_day), None)

        def replaced(referent_id, day):
            return next(
                (a for a in replacing if a.worker_id == referent_id and a.first_day <= day <= a.last_day),
                None,
            )

        slots = []
        for occurrence in permanence_occurrences(permanences, monday, sunday, closed):
            referent_id = occurrence.permanence.school.referent_id
            if referent_id == worker.pk:
                slots.append({"occurrence": occurrence, "absent": absent(occurrence.day) is not None})
            elif replaced(referent_id, occurrence.day):
                slots.append({"occurrence": occurrence, "replacing": occurrence.permanence.school.referent})

        start = datetime.combine(monday, time.min, tzinfo=PARIS)
        appointments = (
            visible_requests(self.request.user)
            .filter(
                assigned_worker=worker,
                slot_start__gte=start,
                slot_start__lt=start + timedelta(days=7),
                status__in=AGENDA_STATUSES,
            )
            .select_related("school")
            .order_by("slot_start")
        )
        by_day = {}
        for appointment in appointments:
            by_day.setdefault(timezone.localtime(appointment.slot_start, PARIS).date(), []).append(appointment)

        days = []
        for offset in range(7):
            day = monday + timedelta(days=offset)
            day_slots = [s for s in slots if s["occurrence"].day == day]
            day_appointments = by_day.get(day, [])
            if offset >= 5 and not day_slots and not day_appointments:
                continue  # weekends only when something happens
            days.append(
                {
                    "day": day,
                    "is_today": day == today(),
                    "closed": closed.reason(day),
                    "absence": absent(day),
                    "permanences": day_slots,
                    "appointments": day_appointments,
                }
            )
        return days
