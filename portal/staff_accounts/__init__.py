"""The service manager's keeping of staff accounts: create, deactivate, reactivate, reset.

The manager (forms.records.permissions.can_manage_staff_accounts) keeps the accounts of the
service's four groups and nothing else. She can never make an account superuser or Django
staff, nor put it in any other group or give it a permission of its own: the only thing she
chooses is one group among SERVICE_GROUPS. She cannot change an account that holds anything
outside those groups (a superuser, a Django staff account, another group, a permission of its
own), nor her own: `refusal()` says why, and every action asks it.

She never types a password: a new account and a reset account get a link to choose one
(Django's password-reset token, Wagtail's "set a new password" page). A reset also makes the
old password unusable and forgets the account's two-factor devices (portal.two_factor.reset,
the superuser's lost-phone path), so that whoever had the old password or phone is locked out
and the person enrols again at the next login. Every action is in Wagtail's log, on the
account, with who did it."""

from __future__ import annotations

from django.contrib.auth import get_user_model
from django.contrib.auth.forms import PasswordResetForm
from django.contrib.auth.models import Group
from django.db import transaction
from django.utils.translation import gettext_lazy as _
from wagtail.log_actions import log

from forms.records.permissions import ASSISTANTS, MANAGER, WORKERS
from portal import two_factor
from services.roles import COMMUNICATION

SERVICE_GROUPS = [WORKERS, ASSISTANTS, MANAGER, COMMUNICATION]

CREATED = "portal.staff_account_created"
DEACTIVATED = "portal.staff_account_deactivated"
REACTIVATED = "portal.staff_account_reactivated"
RESET = "portal.staff_account_reset"
LOG_ACTIONS = {
    CREATED: _("Compte du service créé"),
    DEACTIVATED: _("Compte du service désactivé"),
    REACTIVATED: _("Compte du service réactivé"),
    RESET: _("Compte du service réinitialisé (mot de passe et double authentification)"),
}


def recent_actions(limit=20):
    """The latest actions on the service's accounts (and two-factor resets), for the manager's
    page: Wagtail's site history shows account entries only to superusers."""
    from wagtail.models import ModelLogEntry

    actions = [*LOG_ACTIONS, two_factor.RESET_ACTION]
    entries = ModelLogEntry.objects.filter(action__in=actions).select_related("user").order_by("-timestamp", "-pk")
    return entries[:limit]


def service_accounts():
    """Every account in at least one of the service's groups, with its groups loaded."""
    return (
        get_user_model()
        .objects.filter(groups__name__in=SERVICE_GROUPS)
        .distinct()
        .prefetch_related("groups", "user_permissions")
        .order_by("last_name", "first_name", "username")
    )


def refusal(account, by) -> str | None:
    """Why `by` may not change this account through the service's accounts page, or None.
    Reads the account's groups and permissions (prefetched by service_accounts())."""
    if account.pk == by.pk:
        return _("Votre propre compte ne se modifie pas ici.")
    if account.is_superuser or account.is_staff:
        return _("Compte d'administration : seul un administrateur peut le modifier.")
    groups = {group.name for group in account.groups.all()}
    if not groups or not groups <= set(SERVICE_GROUPS) or account.user_permissions.all():
        return _("Ce compte a des droits hors des groupes du service : seul un administrateur peut le modifier.")
    return None


class PasswordLinkForm(PasswordResetForm):
    """Django's password-reset e-mail (its uid, token and link), sent to one chosen account:
    the stock form skips accounts without a usable password, which a new account is."""

    def __init__(self, account, **kwargs):
        super().__init__(data={"email": account.email}, **kwargs)
        self.account = account

    def get_users(self, email):
        return [self.account]


def send_password_link(account, request, kind: str) -> None:
    """The e-mail with the link to choose a password (kind: "welcome" or "reset")."""
    form = PasswordLinkForm(account)
    form.is_valid()
    form.save(
        request=request,
        use_https=request.is_secure(),
        subject_template_name=f"staff_accounts/email/{kind}_subject.txt",
        email_template_name=f"staff_accounts/email/{kind}.txt",
    )


def create_account(*, first_name, last_name, email, group_name, by, request):
    """A new account in one of the service's groups, without a password: it gets the link."""
    if group_name not in SERVICE_GROUPS:
        raise ValueError(f"not a group of the service: {group_name}")
    with transaction.atomic():
        account = get_user_model()(
            username=email, email=email, first_name=first_name, last_name=last_name, is_active=True
        )
        account.set_unusable_password()
        account.save()
        account.groups.set([Group.objects.get(name=group_name)])
        log(instance=account, action=CREATED, user=by, data={"group": group_name})
    send_password_link(account, request, "welcome")
    return account


def set_active(account, active: bool, *, by) -> None:
    """Deactivated, the account can no longer log in and its open sessions end."""
    with transaction.atomic():
        account.is_active = active
        account.save(update_fields=["is_active"])
        log(instance=account, action=REACTIVATED if active else DEACTIVATED, user=by)


def reset_account(account, *, by, request) -> None:
    """The old password stops working (its open sessions end with it), the two-factor devices
    are forgotten, and the person gets a link to choose a new password."""
    with transaction.atomic():
        account.set_unusable_password()
        account.save(update_fields=["password"])
        devices = two_factor.reset(account, by=by)
        log(instance=account, action=RESET, user=by, data={"devices": devices})
    send_password_link(account, request, "reset")
