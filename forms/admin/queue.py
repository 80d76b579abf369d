"""The queue: the listing of the requests a user may see, its filters and its search (forms.search)."""

from __future__ import annotations

import django_filters
from django import forms as django_forms
from django.conf import settings
from django.db.models import Count, Q
from django.urls import reverse
from django.utils import timezone
from django.utils.functional import cached_property
from django.utils.translation import gettext_lazy as _
from wagtail.admin.filters import DateRangePickerWidget, WagtailFilterSet
from wagtail.admin.ui.tables import Column, StatusTagColumn, TitleColumn
from wagtail.admin.views.generic import IndexView
from wagtail.admin.widgets import BooleanRadioSelect
from wagtail.admin.widgets.button import HeaderButton

from core.pages import in_source_language
from forms.admin.common import (
    PROBABLE_DUPLICATE,
    UNDELIVERED,
    UNVERIFIED_REFERRER,
    Status,
    WorkRequestsRequiredMixin,
    local,
    permission_policy,
)
from forms.admin.forms import BulkActionForm
from forms.duplicates import with_duplicate_flag
from forms.models import AppointmentRequest
from forms.notifications.delivery import with_undelivered_flag
from forms.records.audit import What, last_access, record_listing
from forms.records.permissions import (
    can_record_requests,
    can_view_all_requests,
    visible_requests,
    worker_of,
)
from forms.search import search_requests
from services.models import SchoolPage, SocialWorker

QUEUE_MINE, QUEUE_SERVICE, QUEUE_ALL = "mine", "service", "all"

# The queue's tabs: where a request is in its life. A family's fresh booking is both new and
# coming; every other request is in one tab.
TABS = [
    ("new", _("Nouvelles")),
    ("in_progress", _("En cours")),
    ("upcoming", _("À venir")),
    ("closed", _("Closes")),
]


def tab_condition(tab: str, now) -> Q | None:
    active = AppointmentRequest.ACTIVE_STATUSES
    return {
        "new": Q(status=Status.NEW),
        "in_progress": Q(status__in=[Status.ACKNOWLEDGED, Status.SCHEDULED]) & ~Q(slot_start__gte=now),
        "upcoming": Q(status__in=active, slot_start__gte=now),
        "closed": Q(status__in=AppointmentRequest.CLOSED_STATUSES),
    }.get(tab)


def default_queue(user) -> str:
    return QUEUE_MINE if worker_of(user) is not None else QUEUE_ALL


def choice_filter(label, choices):
    return django_filters.ChoiceFilter(
        label=label, choices=choices, widget=django_forms.RadioSelect, empty_label=_("Tous")
    )


class RequestFilterSet(WagtailFilterSet):
    tab = django_filters.ChoiceFilter(
        label=_("Onglet"), choices=TABS, method="filter_tab", widget=django_forms.HiddenInput
    )
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
    source = choice_filter(_("Origine"), AppointmentRequest.Source.choices)
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

    def filter_tab(self, queryset, name, value):
        condition = tab_condition(value, timezone.now())
        return queryset.filter(condition) if condition is not None else queryset

    def filter_captcha_declined(self, queryset, name, value):
        declined = AppointmentRequest.Captcha.DECLINED
        return queryset.filter(captcha=declined) if value else queryset.exclude(captcha=declined)


NEW_SINCE_LAST_VISIT = _("Nouvelle depuis votre dernière visite")


def _flags(request: AppointmentRequest, last_visit=None) -> str:
    flags = []
    if request.is_referral and not request.referral.referrer_verified:
        flags.append(str(UNVERIFIED_REFERRER))
    if last_visit is not None and request.created_at > last_visit:
        flags.append(str(NEW_SINCE_LAST_VISIT))
    if request.interpreter_needed:
        flags.append(str(_("Interprète")))
    if request.language != settings.LANGUAGE_CODE:
        flags.append(request.get_language_display())
    if request.captcha == AppointmentRequest.Captcha.DECLINED:
        flags.append(str(_("Sans captcha")))
    if request.routed_as == AppointmentRequest.Routing.REPLACEMENT:
        flags.append(str(_("Remplacement")))
    if getattr(request, "sms_undelivered", False):
        flags.append(str(UNDELIVERED))
    if getattr(request, "probable_duplicate", False):
        flags.append(str(PROBABLE_DUPLICATE))
    return ", ".join(flags)


def _appointment(request: AppointmentRequest) -> str:
    """The appointment's time and its mode, in one column (the queue fits 1,280 px)."""
    mode = request.get_mode_display()
    return f"{local(request.slot_start)} · {mode}" if request.slot_start else mode


class SelectColumn(Column):
    """A row's checkbox for the bulk actions (forms.admin.bulk), labelled by its reference."""

    cell_template_name = "forms/admin/includes/select_cell.html"

    def __init__(self):
        super().__init__("select", label=_("Cocher"), accessor="pk", width="1%")


class RequestIndexView(WorkRequestsRequiredMixin, IndexView):
    """The queue. Its model, URL names, filters, search, ordering, page size and (absent)
    exports are set by forms.admin.viewsets.RequestViewSet."""

    permission_policy = permission_policy
    any_permission_required = ["work"]

    def setup(self, request, *args, **kwargs):
        super().setup(request, *args, **kwargs)
        # The queue is never exported: personal data leaves the admin only on paper, by a person.
        self.is_export = False

    results_template_name = "forms/admin/queue_results.html"

    def get(self, request, *args, **kwargs):
        self.last_visit = last_access(request.user, What.QUEUE, What.SEARCH)
        record_listing(request, What.QUEUE)
        return super().get(request, *args, **kwargs)

    def tab_links(self):
        """The tabs with their counts in the current queue (whatever the other filters): one query."""
        queryset = visible_requests(self.request.user)
        if self.filters is not None and "queue" in self.filters.filters:
            queryset = self.filters.filter_queue(queryset, "queue", self.queue)
        now = timezone.now()
        counts = queryset.aggregate(**{tab: Count("pk", filter=tab_condition(tab, now)) for tab, _label in TABS})
        current = self.request.GET.get("tab", "")
        links = []
        for tab, label in [("", _("Toutes")), *TABS]:
            query = self.request.GET.copy()
            query.pop("p", None)
            query.pop("tab", None)
            if tab:
                query["tab"] = tab
            links.append(
                {
                    "label": label,
                    "count": counts.get(tab),
                    "url": "?" + query.urlencode() if query else "?",
                    "current": tab == current,
                }
            )
        return links

    def get_filterset_kwargs(self):
        kwargs = super().get_filterset_kwargs()
        if "queue" not in self.request.GET and can_view_all_requests(self.request.user):
            data = self.request.GET.copy()
            data["queue"] = default_queue(self.request.user)
            kwargs["data"] = data
        return kwargs

    def get_base_queryset(self):
        requests = visible_requests(self.request.user).select_related("school", "assigned_worker", "referral")
        return with_duplicate_flag(with_undelivered_flag(requests))

    def search_queryset(self, queryset):
        if not self.is_searching:
            return queryset
        return search_requests(queryset, self.search_query)

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

    @cached_property
    def header_buttons(self):
        buttons = list(super().header_buttons)
        if can_record_requests(self.request.user):
            label = _("Enregistrer une demande")
            buttons.append(HeaderButton(label, url=reverse("forms_admin:record"), icon_name="plus"))
        return buttons

    def get_detail_url(self, instance):
        return reverse("forms_admin:detail", args=[instance.pk])

    @cached_property
    def columns(self):
        return [
            SelectColumn(),
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
            Column("source", label=_("Origine"), accessor="get_source_display"),
            Column("reason", label=_("Motif"), accessor="get_reason_display"),
            Column("slot_start", label=_("Rendez-vous"), accessor=_appointment, sort_key="slot_start"),
            Column(
                "assigned_worker",
                label=_("Affectée à"),
                accessor=lambda r: r.assigned_worker.public_name if r.assigned_worker else _("Service"),
            ),
            Column("flags", label=_("À noter"), accessor=lambda r: _flags(r, getattr(self, "last_visit", None))),
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
        context["tabs"] = self.tab_links()
        query = self.request.GET.urlencode()
        context["queue_url"] = reverse("forms_admin:index") + (f"?{query}" if query else "")
        context["bulk_url"] = reverse("forms_admin:bulk_action")
        context["bulk_form"] = BulkActionForm()
        return context
