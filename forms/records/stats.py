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


def first_contacts(requests, *fields):
    """Each request with the moment of the service's first contact with the family (None if
    never): `(first_contact_at, created_at, *fields)` per request, in one query.

    The first contact is read from the request's timeline (RequestEvent): the first
    acknowledgement, appointment fixed, appointment held or missed (FIRST_CONTACT_EVENTS),
    whoever recorded it. A request staff recorded themselves (its CREATED event has a user:
    the family was at the permanence, on the phone, at the desk) was a contact at once: its
    first contact is its creation. Viewing, notifying, reassigning or a note is not a contact."""
    rows = requests.order_by().annotate(
        first=Min("events__at", filter=Q(events__kind__in=FIRST_CONTACT_EVENTS)),
        recorded=Count("events", filter=Q(events__kind=RequestEvent.Kind.CREATED, events__user__isnull=False)),
    )
    for created_at, first, recorded, *values in rows.values_list("created_at", "first", "recorded", *fields):
        yield (created_at if recorded else first, created_at, *values)


def _days(start, end) -> float:
    # Never negative: an event entered a little before the request's stored time counts 0.
    return max((end - start).total_seconds(), 0) / 86400


def first_contact_days(requests) -> list[float]:
    """Days from each request to the service's first contact with the family (first_contacts);
    a request staff recorded counts 0. Requests never contacted are left out."""
    return [_days(created_at, first) for first, created_at in first_contacts(requests) if first is not None]


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


# Per worker, lead times and no-shows per school: one pass over the requests of the period.
#
# Definitions (the manager's table, "Mes chiffres", their CSV exports):
# - a request counts for the worker it is assigned to now (a request handed over counts for the
#   colleague who has it; the service-wide queue is a row of its own);
# - first contact: first_contacts() above (the timeline's first acknowledgement, appointment
#   fixed, held or missed; a request staff recorded is a contact at once);
# - an appointment: a request with a time that was not cancelled (APPOINTMENT_STATUSES);
# - lead times in days, median and mean, each over the requests that have both ends:
#   request -> first contact, first contact -> appointment, request -> appointment;
# - no-show rate of a school: missed appointments / (honoured + missed), the appointments whose
#   outcome is known; one school whatever the language the family used.


@dataclass
class WorkerFigures:
    worker_id: int | None
    worker: str
    requests: int = 0
    contacted: int = 0
    appointments: int = 0
    done: int = 0
    no_show: int = 0
    cancelled: int = 0
    days_to_contact: float | None = None  # median
    days_to_appointment: float | None = None  # median, from the request


@dataclass
class LeadTime:
    key: str
    label: str
    count: int
    median: float | None
    mean: float | None


@dataclass
class SchoolNoShows:
    key: str
    school: str
    done: int
    no_show: int

    @property
    def rate(self) -> float | None:
        """Percentage of missed appointments among those whose outcome is known."""
        held = self.done + self.no_show
        return round(100 * self.no_show / held, 1) if held else None


@dataclass
class WorkerStatistics:
    workers: list[WorkerFigures]
    lead_times: list[LeadTime]
    schools: list[SchoolNoShows]


LEAD_TIMES = {
    "request_to_contact": _("De la demande au premier contact"),
    "contact_to_appointment": _("Du premier contact au rendez-vous"),
    "request_to_appointment": _("De la demande au rendez-vous"),
}


def _median(values) -> float | None:
    return round(median(values), 1) if values else None


def _mean(values) -> float | None:
    return round(sum(values) / len(values), 1) if values else None


def worker_statistics(requests, include=()) -> WorkerStatistics:
    """The per-worker table, the lead times and the no-show rate per school of these requests
    (already limited by the caller to what the user may read and to the period). `include`:
    workers shown even without a request (a worker's own row). Three queries."""
    from services.models import SchoolPage, SocialWorker

    figures: dict[int | None, WorkerFigures] = {}
    waits: dict[int | None, dict[str, list[float]]] = {}
    legs: dict[str, list[float]] = {key: [] for key in LEAD_TIMES}
    schools: dict[str, list[int]] = {}
    rows = first_contacts(requests, "assigned_worker_id", "status", "slot_start", "school__translation_key")
    for first, created_at, worker_id, status, slot_start, school_key in rows:
        row = figures.setdefault(worker_id, WorkerFigures(worker_id, ""))
        own = waits.setdefault(worker_id, {"contact": [], "appointment": []})
        row.requests += 1
        appointment = slot_start if slot_start is not None and status in APPOINTMENT_STATUSES else None
        if first is not None:
            row.contacted += 1
            legs["request_to_contact"].append(_days(created_at, first))
            own["contact"].append(_days(created_at, first))
        if appointment is not None:
            row.appointments += 1
            legs["request_to_appointment"].append(_days(created_at, appointment))
            own["appointment"].append(_days(created_at, appointment))
            if first is not None:
                legs["contact_to_appointment"].append(_days(first, appointment))
        row.done += status == AR.Status.DONE
        row.no_show += status == AR.Status.NO_SHOW
        row.cancelled += status in CANCELLED
        if status in (AR.Status.DONE, AR.Status.NO_SHOW):
            counts = schools.setdefault(str(school_key) if school_key else "", [0, 0])
            counts[status == AR.Status.NO_SHOW] += 1
    for worker in include:
        figures.setdefault(worker.pk, WorkerFigures(worker.pk, ""))
    for worker_id, row in figures.items():
        row.days_to_contact = _median(waits.get(worker_id, {}).get("contact", []))
        row.days_to_appointment = _median(waits.get(worker_id, {}).get("appointment", []))
    names = dict(SocialWorker.objects.filter(pk__in=[k for k in figures if k]).values_list("pk", "public_name"))
    for worker_id, row in figures.items():
        row.worker = names.get(worker_id, "") if worker_id else str(_("File du service"))
    titles = {
        str(key): title
        for key, title in in_source_language(SchoolPage.objects.all()).values_list("translation_key", "title")
    }
    school_rows = [
        SchoolNoShows(
            key, titles.get(key, str(_("École inconnue"))) if key else str(_("École non précisée")), done, no_show
        )
        for key, (done, no_show) in schools.items()
    ]
    school_rows.sort(key=lambda r: (-(r.rate or 0), r.school))
    return WorkerStatistics(
        workers=sorted(figures.values(), key=lambda r: (r.worker_id is None, r.worker.lower())),
        lead_times=[
            LeadTime(key, str(label), len(legs[key]), _median(legs[key]), _mean(legs[key]))
            for key, label in LEAD_TIMES.items()
        ],
        schools=school_rows,
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
