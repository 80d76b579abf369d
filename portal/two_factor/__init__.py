"""Staff two-factor authentication (TOTP, django-otp): who must give a one-time code.

Every account that can enter the Wagtail admin gives a code from an authenticator app after
its password: the social workers, the service manager and the administrative assistants read
families' requests, which are bound by professional secrecy, and superusers can read
everything. Communication staff read no request but are not exempt: their account publishes
what families read (the CCAS phone, addresses, the links to the forms), so a stolen password
could send families to a copy of the booking form; and one rule for the whole admin leaves no
gap when someone changes group.

Development settings may turn the requirement off for `make run`'s demo accounts
(STAFF_TWO_FACTOR_REQUIRED); with DEBUG off a system check refuses that (portal.checks)."""

from django.conf import settings
from django.db import transaction
from django_otp.plugins.otp_totp.models import TOTPDevice
from wagtail.log_actions import log

# The log entry of a reset, in the account's history and the admin's site history.
RESET_ACTION = "portal.two_factor_reset"


def is_enforced() -> bool:
    return bool(getattr(settings, "STAFF_TWO_FACTOR_REQUIRED", True))


def required_for(user) -> bool:
    """True for an account that must give a one-time code before the admin opens."""
    if user is None or not user.is_authenticated or not user.is_active:
        return False
    return user.is_superuser or user.has_perm("wagtailadmin.access_admin")


def confirmed_device(user):
    return TOTPDevice.objects.devices_for_user(user, confirmed=True).first()


def pending_device(user):
    """The device being enrolled: the same secret on every visit until a code confirms it."""
    device = TOTPDevice.objects.devices_for_user(user, confirmed=False).order_by("pk").first()
    if device is None:
        device = TOTPDevice.objects.create(user=user, name="Application d'authentification", confirmed=False)
    return device


def reset(user, by=None) -> int:
    """Forget every device of this account (lost phone): it enrols again at its next login.
    Its sessions verified by the old device stop being verified at once. `by`: the superuser."""
    with transaction.atomic():
        count, _ = TOTPDevice.objects.filter(user=user).delete()
        if count:
            log(instance=user, action=RESET_ACTION, user=by)
    return count
