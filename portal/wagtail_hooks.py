"""Staff two-factor authentication in the admin (portal.two_factor): its pages, the superuser's
reset button in the user listing, and the reset's log action; the manager's "Comptes du
service" (portal.staff_accounts): its pages, menu item and log actions."""

from django.urls import include, path, reverse
from django.utils.translation import gettext_lazy as _
from wagtail import hooks
from wagtail.admin.menu import MenuItem
from wagtail.admin.widgets import Button

from forms.records.permissions import can_manage_staff_accounts
from portal import staff_accounts, two_factor
from portal.staff_accounts import urls as staff_account_urls
from portal.two_factor import urls


@hooks.register("register_admin_urls")
def register_two_factor_urls():
    return urls.urlpatterns


@hooks.register("register_user_listing_buttons")
def two_factor_reset_button(user, request_user):
    if request_user.is_superuser:
        yield Button(
            _("Réinitialiser la double authentification"),
            reverse("two_factor_reset", args=[user.pk]),
            icon_name="key",
            priority=90,
        )


@hooks.register("register_log_actions")
def register_two_factor_log_actions(actions):
    label = _("Double authentification réinitialisée")
    actions.register_action(two_factor.RESET_ACTION, label, label)


@hooks.register("register_admin_urls")
def register_staff_account_urls():
    return [path("comptes-du-service/", include(staff_account_urls, namespace="staff_accounts"))]


class StaffAccountsMenuItem(MenuItem):
    def is_shown(self, request):
        return can_manage_staff_accounts(request.user)


@hooks.register("register_admin_menu_item")
def register_staff_accounts_menu_item():
    return StaffAccountsMenuItem(
        _("Comptes du service"), reverse("staff_accounts:index"), name="staff-accounts", icon_name="group", order=155
    )


@hooks.register("register_log_actions")
def register_staff_account_log_actions(actions):
    for action, label in staff_accounts.LOG_ACTIONS.items():
        actions.register_action(action, label, label)
