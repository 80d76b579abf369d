"""Thematic evenings' registrations in the admin: per evening, who is coming and who waits, the
counts, and a printable sign-in sheet.

Names and phone numbers are for the manager and the assistants (forms.records.permissions.
can_see_registrations); every other staff account sees the counts only. Opening an evening's
list of names is logged (forms.records.audit)."""

from __future__ import annotations

from datetime import timedelta

from django.db.models import Count, F, Q, Sum
from django.http import Http404
from django.urls import include, path
from django.utils.functional import cached_property
from django.utils.translation import gettext_lazy as _
from django.views.generic import TemplateView
from wagtail.admin.views.generic import WagtailAdminTemplateMixin

from core.pages import in_source_language
from forms.admin.common import forbidden
from forms.models import EveningRegistration
from forms.phone import for_display
from forms.records.audit import What, record_access
from forms.records.permissions import can_count_registrations, can_see_registrations
from services.models import ThematicEveningPage
from services.schedule import today

Status = EveningRegistration.Status
# The list shows the evenings from this long ago on (older ones: by their address).
RECENT = timedelta(days=92)


def evening_counts(evening_ids) -> dict[int, dict]:
    """{evening id: {"seats", "registrations", "waiting", "waiting_seats"}}, in one query."""
    rows = (
        EveningRegistration.objects.filter(evening_id__in=evening_ids)
        .exclude(status=Status.CANCELLED)
        .values("evening_id")
        .annotate(
            seats=Sum(F("adults") + F("children"), filter=Q(status=Status.CONFIRMED), default=0),
            registrations=Count("pk", filter=Q(status=Status.CONFIRMED)),
            waiting=Count("pk", filter=Q(status=Status.WAITING)),
            waiting_seats=Sum(F("adults") + F("children"), filter=Q(status=Status.WAITING), default=0),
        )
    )
    empty = {"seats": 0, "registrations": 0, "waiting": 0, "waiting_seats": 0}
    counts = {pk: dict(empty) for pk in evening_ids}
    for row in rows:
        counts[row.pop("evening_id")] = row
    return counts


class EveningAccessMixin:
    def dispatch(self, request, *args, **kwargs):
        if not can_count_registrations(request.user):
            return forbidden(request)
        self.full = can_see_registrations(request.user)
        return super().dispatch(request, *args, **kwargs)

    def get_breadcrumbs_items(self):
        return self.breadcrumbs_items + [{"url": "", "label": self.get_page_title()}]


class EveningListView(EveningAccessMixin, WagtailAdminTemplateMixin, TemplateView):
    template_name = "forms/admin/evenings.html"
    header_icon = "group"
    page_title = _("Inscriptions aux soirées")

    def get_context_data(self, **kwargs):
        context = super().get_context_data(**kwargs)
        evenings = list(
            in_source_language(ThematicEveningPage.objects.filter(date__gte=today() - RECENT))
            .order_by("date", "start_time")
            .only("id", "title", "date", "start_time", "end_time", "capacity", "live")
        )
        counts = evening_counts([evening.pk for evening in evenings])
        rows = [{"evening": evening, **counts[evening.pk]} for evening in evenings]
        context.update(
            upcoming=[row for row in rows if row["evening"].date >= today()],
            past=[row for row in rows if row["evening"].date < today()][::-1],
            full=self.full,
        )
        return context


class EveningRegistrationsView(EveningAccessMixin, WagtailAdminTemplateMixin, TemplateView):
    template_name = "forms/admin/evening_registrations.html"
    header_icon = "group"

    @cached_property
    def evening(self):
        evening = in_source_language(ThematicEveningPage.objects.filter(pk=self.kwargs["pk"])).first()
        if evening is None:
            raise Http404
        return evening

    def get_page_title(self):
        return self.evening.title

    def get_context_data(self, **kwargs):
        context = super().get_context_data(**kwargs)
        evening = self.evening
        context.update(evening=evening, full=self.full, **evening_counts([evening.pk])[evening.pk])
        context["seats_left"] = max(0, evening.capacity - context["seats"])
        if self.full:
            registrations = list(
                EveningRegistration.objects.filter(evening=evening, status__in=[Status.CONFIRMED, Status.WAITING])
                .only("reference", "name", "adults", "children", "phone", "language", "status", "anonymised_at")
                .order_by("created_at", "pk")
            )
            for registration in registrations:
                registration.phone_display = for_display(registration.phone) if registration.phone else ""
            context["confirmed"] = [r for r in registrations if r.status == Status.CONFIRMED]
            context["waiting_list"] = [r for r in registrations if r.status == Status.WAITING]
            record_access(self.request, What.EVENING, evening=evening.pk)
        return context


# Outside the requests' URLs (/admin/demandes/): communication staff open these pages too.
urls = path(
    "inscriptions-soirees/",
    include(
        (
            [
                path("", EveningListView.as_view(), name="list"),
                path("<int:pk>/", EveningRegistrationsView.as_view(), name="detail"),
            ],
            "forms_evenings",
        )
    ),
)
