"""The admin stays closed to an account that must give a one-time code until it has given one."""

from urllib.parse import urlencode

from django.http import HttpResponseRedirect
from django.urls import Resolver404, resolve, reverse

from portal import two_factor

# Reachable with a password alone: signing in and out, a forgotten password, the admin's
# JavaScript strings and icons (the two-factor pages use them), and the two-factor pages.
OPEN_URL_NAMES = {
    "wagtailadmin_login",
    "wagtailadmin_logout",
    "wagtailadmin_password_reset",
    "wagtailadmin_password_reset_done",
    "wagtailadmin_password_reset_confirm",
    "wagtailadmin_password_reset_complete",
    "wagtailadmin_javascript_catalog",
    "wagtailadmin_sprite",
    "two_factor_enrol",
    "two_factor_verify",
}


class StaffTwoFactorMiddleware:
    """After django_otp's OTPMiddleware: an unverified staff session asking for an admin page is
    sent to the verification step, or to the enrolment step when it has no device yet."""

    def __init__(self, get_response):
        self.get_response = get_response
        self.admin_prefix = None

    def __call__(self, request):
        if self.admin_prefix is None:
            self.admin_prefix = reverse("wagtailadmin_home")
        if request.path_info.startswith(self.admin_prefix) and two_factor.is_enforced():
            user = request.user
            if two_factor.required_for(user) and not user.is_verified() and not self._open(request.path_info):
                step = "two_factor_verify" if two_factor.confirmed_device(user) else "two_factor_enrol"
                next_url = request.get_full_path() if request.method == "GET" else self.admin_prefix
                return HttpResponseRedirect(f"{reverse(step)}?{urlencode({'next': next_url})}")
        return self.get_response(request)

    @staticmethod
    def _open(path):
        try:
            return resolve(path).url_name in OPEN_URL_NAMES
        except Resolver404:
            return False
