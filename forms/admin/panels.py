"""Panels of the admin dashboard: my new requests, my appointments today and tomorrow, and,
for the manager and assistants, text messages held by the daily budget.

Each one renders nothing for a user who does not work requests."""

from __future__ import annotations

from datetime import datetime, time, timedelta

from django.utils import timezone
from wagtail.admin.ui.components import Component

from forms.models import AppointmentRequest, BookingSettings, Notification
from forms.notifications.delivery import OVER_BUDGET
from forms.records.permissions import (
    absence_workers,
    can_view_all_requests,
    can_work_requests,
    visible_requests,
    worker_of,
)
from services.schedule import PARIS, today

LIMIT = 10


class NewRequestsPanel(Component):
    name = "forms_new_requests"
    template_name = "forms/admin/panels/new_requests.html"
    order = 90

    def render_html(self, parent_context=None):
        if not can_work_requests(parent_context["request"].user):
            return ""
        return super().render_html(parent_context)

    def get_context_data(self, parent_context):
        user = parent_context["request"].user
        worker = worker_of(user)
        requests = visible_requests(user).filter(status=AppointmentRequest.Status.NEW)
        if worker is not None:
            requests, service_queue = requests.filter(assigned_worker=worker), False
        elif can_view_all_requests(user):
            requests, service_queue = requests.filter(assigned_worker__isnull=True), True
        else:
            requests, service_queue = requests.none(), False
        requests = requests.select_related("school").order_by("created_at")
        return {
            "requests": requests[:LIMIT],
            "count": requests.count(),
            "service_queue": service_queue,
            "request": parent_context["request"],
        }


class AppointmentsPanel(Component):
    name = "forms_appointments"
    template_name = "forms/admin/panels/appointments.html"
    order = 95

    def render_html(self, parent_context=None):
        user = parent_context["request"].user
        if not can_work_requests(user) or worker_of(user) is None:
            return ""
        return super().render_html(parent_context)

    def get_context_data(self, parent_context):
        user = parent_context["request"].user
        first = today()
        start = datetime.combine(first, time.min, tzinfo=PARIS)
        appointments = list(
            visible_requests(user)
            .filter(
                assigned_worker=worker_of(user),
                slot_start__gte=start,
                slot_start__lt=start + timedelta(days=2),
                status__in=AppointmentRequest.ACTIVE_STATUSES,
            )
            .select_related("school")
            .order_by("slot_start")
        )
        days = []
        for offset in (0, 1):
            day = first + timedelta(days=offset)
            days.append(
                {
                    "day": day,
                    "appointments": [a for a in appointments if timezone.localtime(a.slot_start, PARIS).date() == day],
                }
            )
        return {"days": days, "request": parent_context["request"], "can_declare": absence_workers(user) != []}


class SmsBudgetPanel(Component):
    """Shown only when text messages wait because the service's daily budget is spent."""

    name = "forms_sms_budget"
    template_name = "forms/admin/panels/sms_budget.html"
    order = 80

    def render_html(self, parent_context=None):
        if not can_view_all_requests(parent_context["request"].user):
            return ""
        self.waiting = Notification.objects.filter(
            channel=Notification.Channel.SMS, state=Notification.State.PENDING, last_error=OVER_BUDGET
        ).count()
        if not self.waiting:
            return ""
        return super().render_html(parent_context)

    def get_context_data(self, parent_context):
        return {"waiting": self.waiting, "budget": BookingSettings.load().sms_daily_budget}
