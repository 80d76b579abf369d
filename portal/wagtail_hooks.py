"""Staff two-factor authentication in the admin (portal.two_factor): its pages, the superuser's
reset button in the user listing, and the reset's log action."""

from django.urls import reverse
from django.utils.translation import gettext_lazy as _
from wagtail import hooks
from wagtail.admin.widgets import Button

from portal import two_factor
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
