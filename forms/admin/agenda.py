"""The agenda: a worker's week of permanences, appointments, absences and closed days."""

from __future__ import annotations

import re
from datetime import date, datetime, time, timedelta

from django.contrib import messages
from django.http import Http404
from django.utils import timezone
from django.utils.translation import gettext_lazy as _
from django.views.generic import TemplateView
from wagtail.admin.views.generic import WagtailAdminTemplateMixin

from forms.admin.common import (
    Status,
    WorkRequestsRequiredMixin,
)
from forms.models import AppointmentRequest
from forms.records.audit import What, record_access
from forms.records.permissions import (
    can_view_all_requests,
    visible_requests,
    worker_of,
)
from services.duties import worker_duties
from services.models import SocialWorker
from services.schedule import PARIS, closed_days, today

WEEK_PATTERN = re.compile(r"^(\d{4})-W(\d{1,2})$")
AGENDA_STATUSES = [*AppointmentRequest.ACTIVE_STATUSES, Status.DONE, Status.NO_SHOW]
# The agenda shows the weeks within this many years of today: more than any booking horizon or
# retention period, and far from the calendar's ends (year 1, year 9999), where a week's
# arithmetic overflows.
AGENDA_YEARS_AROUND = 10


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


def agenda_week(value: str | None) -> tuple[date, bool]:
    """(the Monday of the week asked for, moved to the nearest week within AGENDA_YEARS_AROUND
    years of today; whether it had to be moved)."""
    asked = parse_week(value)
    first, last = agenda_bounds()
    monday = min(max(asked, first), last)
    return monday, monday != asked


def agenda_bounds() -> tuple[date, date]:
    this_monday = parse_week(None)
    around = timedelta(weeks=52 * AGENDA_YEARS_AROUND)
    return this_monday - around, this_monday + around


def week_label(monday: date) -> str:
    year, week, _day = monday.isocalendar()
    return f"{year}-W{week:02d}"


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
        workers = list(SocialWorker.active_by_name())
        chosen = next((w for w in workers if str(w.pk) == wanted), None)
        return chosen or own or (workers[0] if workers else None), workers

    def get_context_data(self, **kwargs):
        context = super().get_context_data(**kwargs)
        worker, workers = self.get_worker()
        monday, moved = agenda_week(self.request.GET.get("week"))
        if moved:
            first, last = agenda_bounds()
            messages.warning(
                self.request,
                _("L'agenda va de la semaine %(first)s à la semaine %(last)s : voici la plus proche de celle demandée.")
                % {"first": week_label(first), "last": week_label(last)},
            )
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
            own_worker=worker_of(self.request.user),
        )
        if worker is None:
            context["days"] = []
            return context
        record_access(self.request, What.AGENDA, worker=worker.pk, week=week_label(monday))
        context["days"] = self.build_days(worker, monday, sunday)
        return context

    def build_days(self, worker, monday, sunday):
        """The worker's week: the permanences of their schools (marked `absent` on the days they
        are away), those they hold as a replacement, and their appointments. Who holds each
        occurrence (`holder`) is services.availability's answer."""
        closed = closed_days(monday, sunday)
        slots, absences = worker_duties(worker, monday, sunday, closed)

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
            day_slots = [s for s in slots if s.occurrence.day == day]
            day_appointments = by_day.get(day, [])
            if offset >= 5 and not day_slots and not day_appointments:
                continue  # weekends only when something happens
            days.append(
                {
                    "day": day,
                    "is_today": day == today(),
                    "closed": closed.reason(day),
                    "absence": absences.absence_on(worker.pk, day),
                    "permanences": day_slots,
                    "appointments": day_appointments,
                }
            )
        return days
