"""The requests' place in the Wagtail admin: one `ModelViewSet` gives the URLs under
/admin/demandes/ (namespace `forms_admin`), the menu item, the admin URL finder (links from
Wagtail's site history open the request page) and the views' shared settings.

Wagtail's generic add, edit, delete, copy and usage views are not offered: a request is
created by the family's form and changed only through the operations of the request page
(`forms.records.operations`). Menu items are shown only to the roles that may use them, but
hiding is not the protection: each view checks the role and loads requests through
`forms.records.permissions.visible_requests()`."""

from __future__ import annotations

from django.urls import path
from django.utils.translation import gettext_lazy as _
from wagtail.admin.admin_url_finder import ModelAdminURLFinder
from wagtail.admin.menu import MenuItem
from wagtail.admin.ui.sidebar import LinkMenuItem as LinkMenuItemComponent
from wagtail.admin.viewsets.model import ModelViewSet

from forms.admin.access_log import AccessLogView
from forms.admin.agenda import AgendaView
from forms.admin.bulk import BulkActionView
from forms.admin.cancelled_day import CancelledDayView
from forms.admin.feed import CalendarFeedView
from forms.admin.leave import LeaveView
from forms.admin.queue import RequestFilterSet, RequestIndexView
from forms.admin.record import RecordRequestView
from forms.admin.reports import AnnualReportView, MyFiguresView, StatisticsView, WorkerStatisticsView
from forms.admin.request import RequestActionView, RequestDetailView, RequestHistoryView
from forms.models import AppointmentRequest
from forms.records.permissions import can_view_all_requests, can_work_requests, visible_requests, worker_of


def new_requests_count(user) -> int:
    """New requests waiting in the user's own queue (the service-wide one for the manager and assistants)."""
    requests = visible_requests(user).filter(status=AppointmentRequest.Status.NEW)
    worker = worker_of(user)
    if worker is not None:
        return requests.filter(assigned_worker=worker).count()
    if can_view_all_requests(user):
        return requests.filter(assigned_worker__isnull=True).count()
    return 0


class RequestsMenuItem(MenuItem):
    """'Demandes (3)': the count of new requests in the label, computed for each user."""

    def is_shown(self, request):
        return can_work_requests(request.user)

    def render_component(self, request):
        count = new_requests_count(request.user)
        label = _("Demandes (%(count)s)") % {"count": count} if count else self.label
        return LinkMenuItemComponent(
            self.name, label, self.url, icon_name=self.icon_name, classname=self.classname, attrs=self.attrs
        )


class RequestAdminURLFinder(ModelAdminURLFinder):
    """Links from Wagtail's site history go to the request page (which checks the queue again)."""

    edit_url_name = "forms_admin:detail"


class RequestViewSet(ModelViewSet):
    model = AppointmentRequest
    name = "forms_admin"
    url_prefix = "demandes"
    url_namespace = "forms_admin"
    icon = "form"
    menu_label = _("Demandes")
    menu_name = "forms-requests"
    menu_order = 150
    add_to_admin_menu = True
    menu_item_class = RequestsMenuItem
    url_finder_class = RequestAdminURLFinder
    # A family's request is not a piece of content other objects refer to.
    add_to_reference_index = False
    copy_view_enabled = False

    index_view_class = RequestIndexView
    history_view_class = RequestHistoryView
    search_fields = ["reference"]
    list_per_page = 50
    ordering = "-created_at"
    filterset_class = RequestFilterSet
    # The queue is never exported: personal data leaves the admin only on paper, by a person.
    list_export = []

    def register_permissions(self):
        """Nothing to register: the permission policy is registered in wagtail_hooks before
        any viewset, and the roles' permissions come from forms.records.permissions.GROUP_PERMISSIONS
        (the stock registration would list add/change/delete of requests in the group editor)."""

    def get_common_view_kwargs(self, **kwargs):
        return super().get_common_view_kwargs(edit_url_name=self.get_url_name("detail"), **kwargs)

    def get_urlpatterns(self):
        return [
            path("", self.index_view, name="index"),
            path("results/", self.index_results_view, name="index_results"),
            path("actions-groupees/", BulkActionView.as_view(), name="bulk_action"),
            path("agenda/", AgendaView.as_view(), name="agenda"),
            path("agenda/abonnement/", CalendarFeedView.as_view(), name="calendar_feed"),
            path("journal/", AccessLogView.as_view(), name="access_log"),
            path("journal/results/", AccessLogView.as_view(results_only=True), name="access_log_results"),
            path("enregistrer/", RecordRequestView.as_view(), name="record"),
            path("absence/", LeaveView.as_view(), name="leave"),
            path("permanence-annulee/<int:pk>/", CancelledDayView.as_view(), name="cancelled_day"),
            path("statistiques/", StatisticsView.as_view(), name="statistics"),
            path(
                "statistiques/results/",
                StatisticsView.as_view(results_only=True),
                name="statistics_results",
            ),
            path("statistiques/rapport-annuel/", AnnualReportView.as_view(), name="annual_report"),
            path("statistiques/par-travailleur/", WorkerStatisticsView.as_view(), name="worker_statistics"),
            path(
                "statistiques/par-travailleur/results/",
                WorkerStatisticsView.as_view(results_only=True),
                name="worker_statistics_results",
            ),
            path("mes-chiffres/", MyFiguresView.as_view(), name="my_figures"),
            path("mes-chiffres/results/", MyFiguresView.as_view(results_only=True), name="my_figures_results"),
            path("<int:pk>/", RequestDetailView.as_view(), name="detail"),
            path("<int:pk>/historique/", self.history_view, name="history"),
            path("<int:pk>/historique/results/", self.history_results_view, name="history_results"),
            path("<int:pk>/<slug:action>/", RequestActionView.as_view(), name="action"),
        ]


request_viewset = RequestViewSet()
