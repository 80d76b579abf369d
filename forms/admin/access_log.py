"""The manager's view of the access log (forms.records.audit), on Wagtail's report machinery:
filters by account, kind and dates, CSV and XLSX export. The rows say who looked at which
listing and when, never a family's data."""

from __future__ import annotations

import django_filters
from django.utils.translation import gettext_lazy as _
from wagtail.admin.filters import DateRangePickerWidget, WagtailFilterSet
from wagtail.admin.ui.tables import Column
from wagtail.admin.views.reports import ReportView

from forms.admin.common import forbidden, local
from forms.models import AccessRecord
from forms.records.permissions import can_read_access_log


class AccessLogFilterSet(WagtailFilterSet):
    what = django_filters.ChoiceFilter(label=_("Consultation"), choices=AccessRecord.What.choices)
    username = django_filters.CharFilter(label=_("Compte"), lookup_expr="iexact")
    at = django_filters.DateFromToRangeFilter(label=_("Entre"), widget=DateRangePickerWidget)

    class Meta:
        model = AccessRecord
        fields = []


def describe(record: AccessRecord) -> str:
    """The record's detail as a line: the filters, the worker or week, the refused request's id."""
    parts = []
    for key, value in sorted(record.detail.items()):
        if key == "filters":
            parts += [f"{name}={','.join(v) if isinstance(v, list) else v}" for name, v in sorted(value.items())]
        else:
            parts.append(f"{key}={value}")
    return " · ".join(parts)


class AccessLogView(ReportView):
    page_title = _("Journal des consultations")
    header_icon = "list-ul"
    index_url_name = "forms_admin:access_log"
    index_results_url_name = "forms_admin:access_log_results"
    filterset_class = AccessLogFilterSet
    paginate_by = 100
    export_filename = "journal-des-consultations"
    list_export = ["at", "username", "what", "detail"]
    export_headings = {"at": _("Le"), "username": _("Compte"), "what": _("Consultation"), "detail": _("Détail")}
    custom_field_preprocess = {
        "at": {"csv": lambda value: local(value, "Y-m-d H:i:s"), "xlsx": lambda value: local(value, "Y-m-d H:i:s")},
    }
    columns = [
        Column("at", label=_("Le"), accessor=lambda record: local(record.at, "D d/m/Y H:i:s")),
        Column("username", label=_("Compte")),
        Column("what", label=_("Consultation"), accessor="get_what_display"),
        Column("detail", label=_("Détail"), accessor=describe),
    ]

    def dispatch(self, request, *args, **kwargs):
        if not can_read_access_log(request.user):
            return forbidden(request)
        return super().dispatch(request, *args, **kwargs)

    def get_queryset(self):
        return AccessRecord.objects.order_by("-at", "-pk")

    def to_row_dict(self, item):
        row = super().to_row_dict(item)
        row["what"] = item.get_what_display()
        row["detail"] = describe(item)
        return row
