"""Aggregated figures of the appointment requests: what the manager reads and what a CCAS puts
in its annual report. Only counts leave this module, never a name, a phone number or a message.

Anonymised requests still count: the purge keeps school, reason, mode, language, status and
dates. Families reached are counted from phone numbers, so anonymised requests (phone
blanked) no longer add to that figure."""

from __future__ import annotations

from dataclasses import dataclass, field
from datetime import date
from statistics import median

from django.conf import settings
from django.db.models import Count, Min, Q
from django.db.models.functions import TruncMonth
from django.utils import formats
from django.utils.translation import gettext_lazy as _

from core.pages import in_source_language
from forms.models import AppointmentRequest, RequestEvent
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
class CrossTable:
    """Counts by two keys (month or school, and source group), for a table and the exports."""

    name: str
    title: str
    columns: list[tuple[str, str]]  # (key, label)
    rows: list[tuple[str, str, list[int]]]  # (key, label, one count per column)

    def totals(self) -> list[int]:
        return [sum(counts[i] for _k, _l, counts in self.rows) for i in range(len(self.columns))]


@dataclass
class Statistics:
    total: int
    annual: Breakdown
    breakdowns: list[Breakdown]
    tables: list[CrossTable] = field(default_factory=list)

    def export_rows(self):
        """One flat list for CSV/XLSX: section, label, count, share."""
        for breakdown in [self.annual, *self.breakdowns]:
            for row in breakdown.rows:
                yield ExportRow(breakdown.title, row.label, row.count, row.share if breakdown.name != "annual" else "")
        for table in self.tables:
            for _key, label, counts in table.rows:
                for (_column, column_label), count in zip(table.columns, counts, strict=True):
                    yield ExportRow(table.title, f"{label} — {column_label}", count, "")


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


# The seeds' categories of sources (what a CCAS's annual report counts): each source in one.
SOURCE_GROUPS = {
    "teachers": (_("Enseignants et directions d'école"), [AR.Source.TEACHER, AR.Source.DIRECTOR]),
    "parents": (_("Parents et familles, en ligne"), [AR.Source.PARENT, AR.Source.RELATIVE]),
    "partners": (_("Partenaires"), [AR.Source.PARTNER]),
    "own_initiative": (
        _("Familles venues d'elles-mêmes : permanence, téléphone, e-mail, accueil"),
        AR.STAFF_SOURCES,
    ),
}
GROUP_OF_SOURCE = {source: group for group, (_label, sources) in SOURCE_GROUPS.items() for source in sources}
# What counts as the service's first contact with the family after a request (the lead time).
FIRST_CONTACT_EVENTS = [
    RequestEvent.Kind.ACKNOWLEDGED,
    RequestEvent.Kind.SCHEDULED,
    RequestEvent.Kind.DONE,
    RequestEvent.Kind.NO_SHOW,
]


def _by_source_group(requests) -> Breakdown:
    counts = dict(requests.order_by().values_list("source").annotate(n=Count("pk")))
    rows = [
        Row(key, str(label), sum(counts.get(source, 0) for source in sources))
        for key, (label, sources) in SOURCE_GROUPS.items()
    ]
    return Breakdown("source_group", str(_("Origine des demandes")), rows).with_shares()


def _source_columns():
    return [(key, str(label)) for key, (label, _sources) in SOURCE_GROUPS.items()]


def _cross(name, title, pairs, labels) -> CrossTable:
    """pairs: {(row key, source): count}; labels: [(row key, row label)] in order."""
    columns = _source_columns()
    rows = []
    for key, label in labels:
        counts = [0] * len(columns)
        for (row_key, source), count in pairs.items():
            if row_key == key:
                counts[[c for c, _l in columns].index(GROUP_OF_SOURCE.get(source, "parents"))] += count
        rows.append((key, label, counts))
    return CrossTable(name, str(title), columns, rows)


def _source_by_month(requests) -> CrossTable:
    months = (
        requests.order_by()
        .annotate(month=TruncMonth("created_at", tzinfo=PARIS))
        .values_list("month", "source")
        .annotate(n=Count("pk"))
    )
    pairs = {}
    for month, source, count in months:
        key = (month.date() if hasattr(month, "date") else month).strftime("%Y-%m")
        pairs[(key, source)] = pairs.get((key, source), 0) + count
    keys = sorted({key for key, _source in pairs})
    labels = [(key, _month_label(date.fromisoformat(f"{key}-01"))) for key in keys]
    return _cross("source_by_month", _("Origine des demandes par mois"), pairs, labels)


def _source_by_school(requests) -> CrossTable:
    """One school whatever the language the family used: grouped by translation key."""
    from services.models import SchoolPage

    counts = requests.order_by().values_list("school__translation_key", "source").annotate(n=Count("pk"))
    titles = {
        str(key): title
        for key, title in in_source_language(SchoolPage.objects.all()).values_list("translation_key", "title")
    }
    pairs = {(str(key) if key else "", source): n for key, source, n in counts}
    keys = sorted({key for key, _source in pairs}, key=lambda k: (k == "", titles.get(k, "")))
    labels = [(key, titles.get(key, str(_("École inconnue"))) if key else str(_("École non précisée"))) for key in keys]
    return _cross("source_by_school", _("Origine des demandes par école"), pairs, labels)


def first_contact_days(requests) -> list[float]:
    """Days from each request to the service's first contact with the family: its first
    acknowledgement, appointment fixed or held; a request staff recorded (the family was
    there or on the phone) counts 0. Requests never contacted are left out."""
    rows = requests.order_by().annotate(
        first=Min("events__at", filter=Q(events__kind__in=FIRST_CONTACT_EVENTS)),
        recorded=Count("events", filter=Q(events__kind=RequestEvent.Kind.CREATED, events__user__isnull=False)),
    )
    days = []
    for created_at, first, recorded in rows.values_list("created_at", "first", "recorded"):
        if recorded:
            days.append(0.0)
        elif first is not None:
            days.append(max((first - created_at).total_seconds(), 0) / 86400)
    return days


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


def school_rows(requests) -> list[dict]:
    """Requests, appointments and interviews held per school (one school whatever the
    language), for the annual report's table."""
    from services.models import SchoolPage

    counts = (
        requests.order_by()
        .values_list("school__translation_key")
        .annotate(
            requests=Count("pk"),
            appointments=Count("pk", filter=Q(slot_start__isnull=False, status__in=APPOINTMENT_STATUSES)),
            done=Count("pk", filter=Q(status=AR.Status.DONE)),
        )
    )
    titles = dict(in_source_language(SchoolPage.objects.all()).values_list("translation_key", "title"))
    rows = [
        {
            "label": titles.get(key, str(_("École inconnue"))) if key else str(_("École non précisée")),
            "requests": n,
            "appointments": appointments,
            "done": done,
        }
        for key, n, appointments, done in counts
    ]
    rows.sort(key=lambda row: (-row["requests"], row["label"]))
    return rows


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


def _annual(requests, origin: Breakdown, sources: Breakdown) -> Breakdown:
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
    for row in sources.rows:
        label = _("Demandes venues de : %(source)s") % {"source": row.label}
        rows.append(Row(f"source_{row.key}", str(label), row.share, unit="%"))
    days = first_contact_days(requests)
    rows.append(
        Row(
            "lead_time",
            str(_("Délai médian entre la demande et le premier contact (jours)")),
            round(median(days), 1) if days else 0,
        )
    )
    return Breakdown("annual", str(_("Chiffres du rapport d'activité")), rows)


def compute_statistics(requests) -> Statistics:
    """All figures for a queryset of requests (already limited to a period by the caller)."""
    origin = _choices_breakdown(requests, "origin", _("Origine de l'affectation"), "routed_as", AR.Routing.choices)
    sources = _by_source_group(requests)
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
        sources,
        _choices_breakdown(requests, "source", _("Origine détaillée"), "source", AR.Source.choices),
    ]
    tables = [_source_by_month(requests), _source_by_school(requests)]
    return Statistics(
        total=requests.count(), annual=_annual(requests, origin, sources), breakdowns=breakdowns, tables=tables
    )


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
