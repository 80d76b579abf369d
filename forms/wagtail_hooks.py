"""The workers' side in the Wagtail admin: the requests' viewset (URLs, menu, URL finder: forms.admin.viewsets),
the agenda and statistics menu items, dashboard panels, log actions.

Menu items are shown only to the roles that may use them, but hiding is not the protection:
each view checks the role and loads requests through forms.records.permissions.visible_requests()."""

from django.urls import reverse
from django.utils.translation import gettext_lazy as _
from wagtail import hooks
from wagtail.admin.menu import MenuItem
from wagtail.admin.search import SearchArea
from wagtail.permissions import register_permission_policy

from forms.models import AppointmentRequest
from forms.records.permissions import (
    RequestPermissionPolicy,
    absence_workers,
    can_count_registrations,
    can_read_access_log,
    can_read_own_figures,
    can_view_statistics,
    can_work_requests,
)

# Registered first: Wagtail must never fall back to plain model permissions for requests.
register_permission_policy(AppointmentRequest, RequestPermissionPolicy(AppointmentRequest))

from forms.admin import evenings as evening_admin  # noqa: E402
from forms.admin.panels import AppointmentsPanel, NewRequestsPanel, SmsBudgetPanel  # noqa: E402
from forms.admin.viewsets import request_viewset  # noqa: E402
from forms.records import audit, operations  # noqa: E402


@hooks.register("register_admin_viewset")
def register_request_viewset():
    return request_viewset


class PermissionMenuItem(MenuItem):
    def __init__(self, *args, check, **kwargs):
        super().__init__(*args, **kwargs)
        self.check = check

    def is_shown(self, request):
        return self.check(request.user)


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


def can_declare_absence(user) -> bool:
    return absence_workers(user) != []


@hooks.register("register_admin_menu_item")
def register_leave_menu_item():
    return PermissionMenuItem(
        _("Déclarer une absence"),
        reverse("forms_admin:leave"),
        name="forms-leave",
        icon_name="date",
        order=151,
        check=can_declare_absence,
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


@hooks.register("register_admin_menu_item")
def register_my_figures_menu_item():
    return PermissionMenuItem(
        _("Mes chiffres"),
        reverse("forms_admin:my_figures"),
        name="forms-my-figures",
        icon_name="table",
        order=152,
        check=can_read_own_figures,
    )


@hooks.register("register_admin_menu_item")
def register_access_log_menu_item():
    return PermissionMenuItem(
        _("Journal des consultations"),
        reverse("forms_admin:access_log"),
        name="forms-access-log",
        icon_name="list-ul",
        order=154,
        check=can_read_access_log,
    )


@hooks.register("register_admin_urls")
def register_evening_urls():
    return [evening_admin.urls]


@hooks.register("register_admin_menu_item")
def register_evenings_menu_item():
    return PermissionMenuItem(
        _("Inscriptions aux soirées"),
        reverse("forms_evenings:list"),
        name="forms-evenings",
        icon_name="group",
        order=153,
        check=can_count_registrations,
    )


class RequestSearchArea(SearchArea):
    def is_shown(self, request):
        return can_work_requests(request.user)


@hooks.register("register_admin_search_area")
def register_request_search_area():
    # Before the pages' area (order 100): for the request roles, who edit no page, the sidebar's
    # search box searches their requests (forms.search) instead of refusing them.
    return RequestSearchArea(
        _("Demandes"), reverse("forms_admin:index"), name="forms-requests", icon_name="form", order=50
    )


@hooks.register("construct_homepage_panels")
def add_request_panels(request, panels):
    if can_work_requests(request.user):
        panels += [SmsBudgetPanel(), NewRequestsPanel(), AppointmentsPanel()]
        # The panels list families' requests and appointments: one record per dashboard view.
        audit.record_access(request, audit.What.DASHBOARD)


@hooks.register("register_log_actions")
def register_request_log_actions(actions):
    for action, label in operations.LOG_ACTIONS.values():
        actions.register_action(action, label, label)
