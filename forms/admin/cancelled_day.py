"""The families booked on a permanence day a school notice cancels, for the manager and the
assistants, with one step to tell them all and offer another slot: each appointment is cancelled
by the service (forms.records.operations.cancel), and the family's message carries the link to
book again (forms/email/appointment_cancelled, forms/sms/parent_cancelled).

The day no longer offers slots as soon as the notice exists (services.availability)."""

from __future__ import annotations

from datetime import datetime, time, timedelta

from django.contrib import messages
from django.shortcuts import get_object_or_404, redirect
from django.template.response import TemplateResponse
from django.utils.translation import gettext as _
from django.utils.translation import ngettext
from django.views import View

from forms.admin.common import forbidden, local
from forms.models import AppointmentRequest
from forms.records import operations
from forms.records.permissions import can_view_all_requests, visible_requests
from services.records import SchoolNotice
from services.schedule import PARIS


def booked_on_cancelled_day(user, notice: SchoolNotice):
    """The active appointments at the notice's school on its cancelled day that `user` may see."""
    start = datetime.combine(notice.cancelled_day, time.min, tzinfo=PARIS)
    return (
        visible_requests(user)
        .filter(
            school__translation_key=notice.school.translation_key,
            slot_start__gte=start,
            slot_start__lt=start + timedelta(days=1),
            status__in=AppointmentRequest.ACTIVE_STATUSES,
        )
        .select_related("assigned_worker")
        .order_by("slot_start")
    )


class CancelledDayView(View):
    template_name = "forms/admin/cancelled_day.html"

    def dispatch(self, request, pk):
        # Who is booked is the workers' side: the manager and the assistants, never communication.
        if not can_view_all_requests(request.user):
            return forbidden(request)
        self.notice = get_object_or_404(
            SchoolNotice.objects.select_related("school"), pk=pk, cancelled_day__isnull=False
        )
        return super().dispatch(request, pk)

    def get(self, request, pk):
        booked = list(booked_on_cancelled_day(request.user, self.notice))
        context = {
            "page_title": _("Permanence annulée"),
            "header_title": _("Permanence annulée"),
            "notice": self.notice,
            "rows": [(r, local(r.slot_start)) for r in booked],
            "breadcrumbs_items": [],
        }
        return TemplateResponse(request, self.template_name, context)

    def post(self, request, pk):
        reason = _("Permanence du %(day)s annulée : %(text)s") % {
            "day": self.notice.cancelled_day.strftime("%d/%m/%Y"),
            "text": self.notice.text,
        }
        told = 0
        for booked in booked_on_cancelled_day(request.user, self.notice):
            try:
                operations.cancel(booked, request.user, reason)
            except operations.OperationError:
                continue  # closed meanwhile: nothing to tell
            told += 1
        messages.success(
            request,
            ngettext(
                "%(count)s famille prévenue : son message propose de reprendre rendez-vous.",
                "%(count)s familles prévenues : leur message propose de reprendre rendez-vous.",
                told,
            )
            % {"count": told},
        )
        return redirect("forms_admin:cancelled_day", pk=pk)
