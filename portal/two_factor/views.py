"""Enrolment (first login), verification (every login) and the superuser's reset of an account.

Enrolment shows the otpauth URI as a QR code drawn here (segno, inline SVG: no third-party
service sees the secret) and the secret as text, and keeps the same pending secret until a code
confirms it. An account that already has a device must verify with it: a password alone never
replaces a device (only a superuser's reset does)."""

import segno
from django.contrib import messages
from django.contrib.auth import get_user_model
from django.core.exceptions import PermissionDenied
from django.shortcuts import get_object_or_404, redirect
from django.template.response import TemplateResponse
from django.urls import reverse
from django.utils.http import url_has_allowed_host_and_scheme
from django.utils.translation import gettext as _
from django.views.decorators.cache import never_cache
from django_otp import login as otp_login

from portal import two_factor
from portal.two_factor.forms import CodeForm


def _next_url(request):
    target = request.POST.get("next") or request.GET.get("next") or ""
    if url_has_allowed_host_and_scheme(target, allowed_hosts={request.get_host()}, require_https=request.is_secure()):
        return target
    return reverse("wagtailadmin_home")


def _grouped(secret):
    return " ".join(secret[i : i + 4] for i in range(0, len(secret), 4))


@never_cache
def enrol(request):
    user = request.user
    if two_factor.confirmed_device(user) is not None:
        if user.is_verified():
            return redirect(_next_url(request))
        return redirect(f"{reverse('two_factor_verify')}?{request.GET.urlencode()}")
    device = two_factor.pending_device(user)
    form = CodeForm(request.POST or None, device=device)
    if request.method == "POST" and form.is_valid():
        device = form.device
        device.confirmed = True
        device.save(update_fields=["confirmed"])
        type(device).objects.filter(user=user, confirmed=False).delete()
        otp_login(request, device)
        messages.success(request, _("Double authentification activée."))
        return redirect(_next_url(request))
    uri = device.config_url
    secret = uri.split("secret=", 1)[1].split("&", 1)[0]
    qr_code = segno.make(uri, error="m").svg_inline(border=2, dark="#000", light="#fff", omitsize=True)
    return TemplateResponse(
        request,
        "two_factor/enrol.html",
        {"form": form, "qr_code": qr_code, "secret": _grouped(secret), "next": _next_url(request)},
    )


@never_cache
def verify(request):
    user = request.user
    device = two_factor.confirmed_device(user)
    if device is None:
        return redirect(f"{reverse('two_factor_enrol')}?{request.GET.urlencode()}")
    if user.is_verified():
        return redirect(_next_url(request))
    form = CodeForm(request.POST or None, device=device)
    if request.method == "POST" and form.is_valid():
        otp_login(request, form.device)
        return redirect(_next_url(request))
    return TemplateResponse(request, "two_factor/verify.html", {"form": form, "next": _next_url(request)})


@never_cache
def reset(request, user_id):
    """A superuser forgets another account's device after checking who is asking (lost phone)."""
    if not request.user.is_superuser:
        raise PermissionDenied
    account = get_object_or_404(get_user_model(), pk=user_id)
    if request.method == "POST":
        two_factor.reset(account, by=request.user)
        messages.success(
            request, _("La double authentification de %(user)s est réinitialisée.") % {"user": account.get_username()}
        )
        return redirect("wagtailusers_users:index")
    title = _("Double authentification de %(user)s") % {"user": account.get_username()}
    return TemplateResponse(
        request,
        "two_factor/reset.html",
        {
            "account": account,
            "has_device": two_factor.confirmed_device(account) is not None,
            "page_title": title,
            "header_title": title,
            "header_icon": "key",
        },
    )
