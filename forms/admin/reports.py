"""The statistics report, on Wagtail's report machinery (filters, CSV and XLSX export).

The exported rows are the aggregated figures of forms/records/stats.py: no personal data."""

from __future__ import annotations

import django_filters
from django import forms as django_forms
from django.db.models.functions import ExtractYear
from django.template.response import TemplateResponse
from django.utils import timezone
from django.utils.functional import cached_property
from django.utils.translation import gettext_lazy as _
from django.views import View
from wagtail.admin.filters import DateRangePickerWidget, WagtailFilterSet
from wagtail.admin.ui.tables import Column
from wagtail.admin.views.reports import ReportView

from forms.admin.common import forbidden
from forms.models import AppointmentRequest
from forms.records.audit import What, record_listing
from forms.records.permissions import (
    can_read_own_figures,
    can_view_statistics,
    can_view_worker_statistics,
    visible_requests,
    worker_of,
)
from forms.records.stats import bar_chart, compute_statistics, school_rows, worker_statistics
from services.schedule import PARIS


def year_choices(request):
    years = (
        visible_requests(request.user)
        .order_by()
        .annotate(year=ExtractYear("created_at", tzinfo=PARIS))
        .values_list("year", flat=True)
        .distinct()
    )
    return [(str(y), str(y)) for y in sorted(set(years), reverse=True)]


class StatisticsFilterSet(WagtailFilterSet):
    year = django_filters.ChoiceFilter(
        label=_("Année"), method="filter_year", widget=django_forms.RadioSelect, empty_label=_("Toutes")
    )
    created_at = django_filters.DateFromToRangeFilter(label=_("Demandes reçues entre"), widget=DateRangePickerWidget)

    class Meta:
        model = AppointmentRequest
        fields = []

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        self.filters["year"].extra["choices"] = year_choices(self.request)

    def filter_year(self, queryset, name, value):
        return queryset.filter(created_at__year=int(value)) if value.isdigit() else queryset


class StatisticsView(ReportView):
    page_title = _("Statistiques des demandes")
    header_icon = "table"
    template_name = "forms/admin/statistics.html"
    results_template_name = "forms/admin/statistics_results.html"
    index_url_name = "forms_admin:statistics"
    index_results_url_name = "forms_admin:statistics_results"
    filterset_class = StatisticsFilterSet
    paginate_by = None
    export_filename = "statistiques-demandes"
    list_export = ["section", "label", "count", "share"]
    export_headings = {
        "section": _("Rubrique"),
        "label": _("Libellé"),
        "count": _("Nombre"),
        "share": _("Part (%)"),
    }
    columns = [
        Column("section", label=_("Rubrique")),
        Column("label", label=_("Libellé")),
        Column("count", label=_("Nombre")),
        Column("share", label=_("Part (%)")),
    ]

    def dispatch(self, request, *args, **kwargs):
        if not can_view_statistics(request.user):
            return forbidden(request)
        if request.method == "GET":
            export = request.GET.get("export")
            record_listing(
                request, What.EXPORT if export else What.STATISTICS, **({"format": export} if export else {})
            )
        return super().dispatch(request, *args, **kwargs)

    def get_queryset(self):
        return visible_requests(self.request.user)

    def get_filtered_queryset(self):
        self.statistics = compute_statistics(self.filter_queryset(self.get_queryset()))
        return list(self.statistics.export_rows())

    @cached_property
    def charts(self):
        return [(b, bar_chart(b)) for b in self.statistics.breakdowns]

    def get_context_data(self, *args, **kwargs):
        context = super().get_context_data(*args, **kwargs)
        context.update(
            statistics=self.statistics,
            charts=self.charts,
            per_worker=can_view_worker_statistics(self.request.user),
        )
        return context


class AnnualReportView(View):
    """A printable page of one calendar year's figures, as a CCAS publishes them in its annual
    report (forms.records.stats): the service's whole activity, sources included."""

    # The sections of compute_statistics() a report prints, in this order.
    SECTIONS = ["source_group", "source", "reason", "mode", "language", "outcome", "month"]

    def get(self, request):
        if not can_view_statistics(request.user):
            return forbidden(request)
        years = [value for value, _label in year_choices(request)]
        current = str(timezone.localdate().year)
        year = request.GET.get("year", "")
        if year not in years:
            year = years[0] if years else current
        requests = visible_requests(request.user).filter(created_at__year=int(year))
        statistics = compute_statistics(requests)
        sections = {b.name: b for b in statistics.breakdowns}
        context = {
            "title": _("Service social scolaire : rapport d'activité %(year)s") % {"year": year},
            "year": year,
            "years": years or [current],
            "statistics": statistics,
            "sections": [sections[name] for name in self.SECTIONS if name in sections],
            "schools": school_rows(requests),
        }
        return TemplateResponse(request, "forms/admin/annual_report.html", context)


class WorkerStatisticsView(ReportView):
    """The manager's figures per worker, the lead times and the no-show rate per school
    (forms.records.stats.worker_statistics, where the words are defined), for the period of the
    filters. Each table exports alone: ?export=csv&table=workers|lead_times|schools."""

    page_title = _("Statistiques par travailleur social")
    header_icon = "table"
    template_name = "forms/admin/worker_statistics.html"
    results_template_name = "forms/admin/worker_statistics_results.html"
    index_url_name = "forms_admin:worker_statistics"
    index_results_url_name = "forms_admin:worker_statistics_results"
    filterset_class = StatisticsFilterSet
    paginate_by = None
    # The access log's name of this report.
    report = "workers"
    TABLES = {
        "workers": (
            "statistiques-par-travailleur",
            {
                "worker": _("Travailleur social"),
                "requests": _("Demandes reçues"),
                "contacted": _("Premier contact établi"),
                "appointments": _("Rendez-vous"),
                "done": _("Rendez-vous honorés"),
                "no_show": _("Absences au rendez-vous"),
                "cancelled": _("Annulations"),
                "days_to_contact": _("Délai médian jusqu'au premier contact (jours)"),
                "days_to_appointment": _("Délai médian jusqu'au rendez-vous (jours)"),
            },
        ),
        "lead_times": (
            "delais",
            {
                "label": _("Délai"),
                "count": _("Demandes comptées"),
                "median": _("Médiane (jours)"),
                "mean": _("Moyenne (jours)"),
            },
        ),
        "schools": (
            "absences-par-ecole",
            {
                "school": _("École"),
                "done": _("Rendez-vous honorés"),
                "no_show": _("Absences au rendez-vous"),
                "rate": _("Taux d'absence (%)"),
            },
        ),
    }

    def allowed(self, user) -> bool:
        return can_view_worker_statistics(user)

    def dispatch(self, request, *args, **kwargs):
        if not self.allowed(request.user):
            return forbidden(request)
        if request.method == "GET":
            export = request.GET.get("export")
            detail = {"report": self.report, **({"format": export} if export else {})}
            record_listing(request, What.EXPORT if export else What.STATISTICS, **detail)
        return super().dispatch(request, *args, **kwargs)

    @cached_property
    def table(self) -> str:
        table = self.request.GET.get("table", "")
        return table if table in self.TABLES else "workers"

    @property
    def list_export(self):
        return list(self.TABLES[self.table][1])

    @property
    def export_headings(self):
        return self.TABLES[self.table][1]

    def get_filename(self):
        return self.TABLES[self.table][0]

    def export_url(self, table):
        params = self.request.GET.copy()
        params["export"], params["table"] = "csv", table
        return f"{self.request.path}?{params.urlencode()}"

    def get_queryset(self):
        return visible_requests(self.request.user)

    def include(self):
        return ()

    def get_filtered_queryset(self):
        self.figures = worker_statistics(self.filter_queryset(self.get_queryset()), include=self.include())
        return list(getattr(self.figures, self.table))

    def get_context_data(self, *args, **kwargs):
        context = super().get_context_data(*args, **kwargs)
        context.update(
            figures=self.figures,
            exports={table: self.export_url(table) for table in self.TABLES},
            headings={table: columns for table, (_name, columns) in self.TABLES.items()},
        )
        return context


class MyFiguresView(WorkerStatisticsView):
    """ "Mes chiffres": a worker's own row, lead times and no-shows per school, over her own
    queue only (visible_requests, narrowed to her: a supervisor linked to a worker sees hers)."""

    page_title = _("Mes chiffres")
    index_url_name = "forms_admin:my_figures"
    index_results_url_name = "forms_admin:my_figures_results"
    report = "mine"

    def allowed(self, user) -> bool:
        return can_read_own_figures(user)

    def get_queryset(self):
        return visible_requests(self.request.user).filter(assigned_worker=worker_of(self.request.user))

    def include(self):
        return [worker_of(self.request.user)]
