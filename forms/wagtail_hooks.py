"""The workers' side in the Wagtail admin: URLs, menu, dashboard panels, log actions.

Menu items are shown only to the roles that may use them, but hiding is not the protection:
each view checks the role and loads requests through forms.permissions.visible_requests()."""

from django.urls import include, path, reverse
from django.utils.translation import gettext_lazy as _
from wagtail import hooks
from wagtail.admin.admin_url_finder import ModelAdminURLFinder, register_admin_url_finder
from wagtail.admin.menu import MenuItem
from wagtail.admin.search import SearchArea
from wagtail.admin.ui.sidebar import LinkMenuItem as LinkMenuItemComponent
from wagtail.permissions import register_permission_policy

from forms.models import AppointmentRequest
from forms.permissions import (
    RequestPermissionPolicy,
    can_view_all_requests,
    can_view_statistics,
    can_work_requests,
    visible_requests,
    worker_of,
)

# Registered first: Wagtail must never fall back to plain model permissions for requests.
register_permission_policy(AppointmentRequest, RequestPermissionPolicy(AppointmentRequest))

from forms.admin import operations, reports, views  # noqa: E402
from forms.admin.panels import AppointmentsPanel, NewRequestsPanel  # noqa: E402

urlpatterns = [
    path("", views.RequestIndexView.as_view(), name="index"),
    path("results/", views.RequestIndexView.as_view(results_only=True), name="index_results"),
    path("agenda/", views.AgendaView.as_view(), name="agenda"),
    path("statistiques/", reports.StatisticsView.as_view(), name="statistics"),
    path("statistiques/results/", reports.StatisticsView.as_view(results_only=True), name="statistics_results"),
    path("<int:pk>/", views.RequestDetailView.as_view(), name="detail"),
    path("<int:pk>/historique/", views.RequestHistoryView.as_view(), name="history"),
    path(
        "<int:pk>/historique/results/",
        views.RequestHistoryView.as_view(results_only=True),
        name="history_results",
    ),
    path("<int:pk>/<slug:action>/", views.RequestActionView.as_view(), name="action"),
]


@hooks.register("register_admin_urls")
def register_admin_urls():
    return [path("demandes/", include((urlpatterns, "forms_admin"), namespace="forms_admin"))]


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


class PermissionMenuItem(MenuItem):
    def __init__(self, *args, check, **kwargs):
        super().__init__(*args, **kwargs)
        self.check = check

    def is_shown(self, request):
        return self.check(request.user)


@hooks.register("register_admin_menu_item")
def register_requests_menu_item():
    return RequestsMenuItem(
        _("Demandes"), reverse("forms_admin:index"), name="forms-requests", icon_name="form", order=150
    )


@hooks.register("register_admin_menu_item")
def register_agenda_menu_item():
    return PermissionMenuItem(
        _("Agenda"),
        reverse("forms_admin:agenda"),
        name="forms-agenda",
        icon_name="calendar-alt",
        order=151,
        check=can_work_requests,
    )


@hooks.register("register_admin_menu_item")
def register_statistics_menu_item():
    return PermissionMenuItem(
        _("Statistiques"),
        reverse("forms_admin:statistics"),
        name="forms-statistics",
        icon_name="table",
        order=152,
        check=can_view_statistics,
    )


class RequestSearchArea(SearchArea):
    def is_shown(self, request):
        return can_work_requests(request.user)


@hooks.register("register_admin_search_area")
def register_request_search_area():
    return RequestSearchArea(_("Demandes"), reverse("forms_admin:index"), name="forms-requests", icon_name="form")


@hooks.register("construct_homepage_panels")
def add_request_panels(request, panels):
    if can_work_requests(request.user):
        panels += [NewRequestsPanel(), AppointmentsPanel()]


@hooks.register("register_log_actions")
def register_request_log_actions(actions):
    for action, label in operations.LOG_ACTIONS.values():
        actions.register_action(action, label, label)


class RequestAdminURLFinder(ModelAdminURLFinder):
    """Links from Wagtail's site history go to the request page (which checks the queue again)."""

    edit_url_name = "forms_admin:detail"


register_admin_url_finder(AppointmentRequest, RequestAdminURLFinder)
