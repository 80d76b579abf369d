"""Aggregated figures of the appointment requests: what the manager reads and what a CCAS puts
in its annual report. Only counts leave this module, never a name, a phone number or a message.

Anonymised requests still count: the purge keeps school, reason, mode, language, status and
dates. Families reached are counted from phone numbers, so anonymised requests (phone
blanked) no longer add to that figure."""

from __future__ import annotations

from dataclasses import dataclass, field
from datetime import date

from django.conf import settings
from django.db.models import Count, Q
from django.db.models.functions import TruncMonth
from django.utils import formats
from django.utils.translation import gettext_lazy as _

from core.pages import in_source_language
from forms.models import AppointmentRequest
from forms.phone import same_number_key
from services.schedule import PARIS

AR = AppointmentRequest
CANCELLED = [AR.Status.CANCELLED_FAMILY, AR.Status.CANCELLED_SERVICE]
# An appointment is a request with a time that was not cancelled.
APPOINTMENT_STATUSES = [
    AR.Status.NEW,
    AR.Status.ACKNOWLEDGED,
    AR.Status.SCHEDULED,
    AR.Status.DONE,
    AR.Status.NO_SHOW,
]


@dataclass
class Row:
    key: str
    label: str
    count: int
    share: float = 0.0  # percentage of the breakdown's total
    unit: str = ""


@dataclass
class Breakdown:
    name: str
    title: str
    rows: list[Row] = field(default_factory=list)

    @property
    def total(self) -> int:
        return sum(r.count for r in self.rows)

    @property
    def maximum(self) -> int:
        return max((r.count for r in self.rows), default=0)

    def with_shares(self) -> Breakdown:
        total = self.total
        for row in self.rows:
            row.share = round(100 * row.count / total, 1) if total else 0.0
        return self


@dataclass
class Statistics:
    total: int
    annual: Breakdown
    breakdowns: list[Breakdown]

    def export_rows(self):
        """One flat list for CSV/XLSX: section, label, count, share."""
        for breakdown in [self.annual, *self.breakdowns]:
            for row in breakdown.rows:
                yield ExportRow(breakdown.title, row.label, row.count, row.share if breakdown.name != "annual" else "")


@dataclass
class ExportRow:
    section: str
    label: str
    count: int
    share: float | str


def _choices_breakdown(requests, name, title, field_name, choices) -> Breakdown:
    counts = dict(requests.order_by().values_list(field_name).annotate(n=Count("pk")))
    rows = [Row(str(value), str(label), counts.get(value, 0)) for value, label in choices]
    return Breakdown(name, str(title), rows).with_shares()


def _month_label(month: date) -> str:
    return formats.date_format(month, "F Y")


def _by_month(requests, name, title, field_name) -> Breakdown:
    months = (
        requests.filter(**{f"{field_name}__isnull": False})
        .order_by()
        .annotate(month=TruncMonth(field_name, tzinfo=PARIS))
        .values_list("month")
        .annotate(n=Count("pk"))
        .order_by("month")
    )
    rows = []
    for month, count in months:
        day = month.date() if hasattr(month, "date") else month
        rows.append(Row(day.strftime("%Y-%m"), _month_label(day), count))
    return Breakdown(name, str(title), rows).with_shares()


def _by_school(requests) -> Breakdown:
    """One school whatever the language the family used: grouped by translation key."""
    from services.models import SchoolPage

    counts = requests.order_by().values_list("school__translation_key").annotate(n=Count("pk"))
    titles = dict(in_source_language(SchoolPage.objects.all()).values_list("translation_key", "title"))
    rows = [
        Row(
            str(key) if key else "",
            titles.get(key, str(_("École inconnue"))) if key else str(_("École non précisée")),
            n,
        )
        for key, n in counts
    ]
    rows.sort(key=lambda r: (-r.count, r.label))
    return Breakdown("school", str(_("Par école")), rows).with_shares()


def _outcome(requests) -> Breakdown:
    figures = requests.aggregate(
        done=Count("pk", filter=Q(status=AR.Status.DONE)),
        no_show=Count("pk", filter=Q(status=AR.Status.NO_SHOW)),
        cancelled_family=Count("pk", filter=Q(status=AR.Status.CANCELLED_FAMILY)),
        cancelled_service=Count("pk", filter=Q(status=AR.Status.CANCELLED_SERVICE)),
        open=Count("pk", filter=Q(status__in=AR.ACTIVE_STATUSES)),
    )
    rows = [
        Row("done", str(_("Rendez-vous honorés")), figures["done"]),
        Row("no_show", str(_("Absences au rendez-vous")), figures["no_show"]),
        Row("cancelled_family", str(_("Annulées par la famille")), figures["cancelled_family"]),
        Row("cancelled_service", str(_("Annulées par le service")), figures["cancelled_service"]),
        Row("open", str(_("En cours")), figures["open"]),
    ]
    return Breakdown("outcome", str(_("Issue des demandes")), rows).with_shares()


def families_reached(requests) -> int:
    phones = requests.exclude(phone="").values_list("phone", flat=True).distinct()
    return len({key for key in map(same_number_key, phones) if key})


def _annual(requests, origin: Breakdown) -> Breakdown:
    figures = requests.aggregate(
        total=Count("pk"),
        done=Count("pk", filter=Q(status=AR.Status.DONE)),
        home=Count("pk", filter=Q(status=AR.Status.DONE, mode=AR.Mode.HOME)),
        interpreter=Count("pk", filter=Q(status=AR.Status.DONE, interpreter_needed=True)),
    )
    rows = [
        Row("requests", str(_("Demandes reçues")), figures["total"]),
        Row("interviews", str(_("Entretiens réalisés")), figures["done"]),
        Row("home_visits", str(_("Visites à domicile réalisées")), figures["home"]),
        Row("interpreter", str(_("Entretiens avec interprète")), figures["interpreter"]),
        Row(
            "families",
            str(_("Familles touchées (numéros de téléphone distincts)")),
            families_reached(requests),
        ),
    ]
    for row in origin.rows:
        label = _("Part des demandes : %(origin)s") % {"origin": row.label}
        rows.append(Row(f"origin_{row.key}", str(label), row.share, unit="%"))
    return Breakdown("annual", str(_("Chiffres du rapport d'activité")), rows)


def compute_statistics(requests) -> Statistics:
    """All figures for a queryset of requests (already limited to a period by the caller)."""
    origin = _choices_breakdown(requests, "origin", _("Origine de l'affectation"), "routed_as", AR.Routing.choices)
    breakdowns = [
        _by_month(requests, "month", _("Demandes par mois"), "created_at"),
        _by_month(
            requests.filter(status__in=APPOINTMENT_STATUSES),
            "appointment_month",
            _("Rendez-vous par mois"),
            "slot_start",
        ),
        _by_school(requests),
        _choices_breakdown(requests, "reason", _("Par motif"), "reason", AR.Reason.choices),
        _choices_breakdown(requests, "mode", _("Par modalité"), "mode", AR.Mode.choices),
        _choices_breakdown(requests, "requester", _("Qui demande"), "requester", AR.Requester.choices),
        _choices_breakdown(requests, "language", _("Langue de la famille"), "language", settings.LANGUAGES),
        _outcome(requests),
        origin,
    ]
    return Statistics(total=requests.count(), annual=_annual(requests, origin), breakdowns=breakdowns)


def bar_chart(breakdown: Breakdown, width=660, bar_height=22, gap=6, label_width=260) -> dict:
    """Geometry of a horizontal bar chart drawn by the template as inline SVG (no JavaScript)."""
    maximum = breakdown.maximum or 1
    plot = width - label_width - 60
    bars = []
    for index, row in enumerate(breakdown.rows):
        y = index * (bar_height + gap)
        bars.append(
            {
                "row": row,
                "y": y,
                "text_y": y + bar_height * 0.7,
                "width": round(plot * row.count / maximum, 1),
                "value_x": label_width + round(plot * row.count / maximum, 1) + 6,
            }
        )
    return {
        "width": width,
        "height": max(len(bars) * (bar_height + gap), bar_height),
        "bar_height": bar_height,
        "label_width": label_width,
        "bars": bars,
    }
