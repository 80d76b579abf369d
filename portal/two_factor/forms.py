"""The one-time code form of the enrolment and verification steps."""

from django import forms
from django.db import transaction
from django.utils import timezone
from django.utils.formats import date_format
from django.utils.translation import gettext_lazy as _
from django_otp.plugins.otp_totp.models import TOTPDevice


class CodeForm(forms.Form):
    code = forms.CharField(
        label=_("Code à 6 chiffres affiché par l'application"),
        max_length=12,
        widget=forms.TextInput(attrs={"autocomplete": "one-time-code", "inputmode": "numeric", "autofocus": True}),
        error_messages={"required": _("Saisissez les 6 chiffres affichés par votre application.")},
    )

    def __init__(self, *args, device, **kwargs):
        super().__init__(*args, **kwargs)
        self.device = device

    def clean_code(self):
        code = "".join(self.cleaned_data["code"].split())
        if not (code.isdigit() and len(code) == self.device.digits):
            raise forms.ValidationError(_("Saisissez les 6 chiffres affichés par votre application."))
        return code

    def clean(self):
        code = self.cleaned_data.get("code")
        if code is None:
            return self.cleaned_data
        # The row is locked so that parallel posts wait for each other's failure count: the
        # throttle (1, 2, 4, 8… seconds after each wrong code, django-otp) cannot be outrun. The
        # errors are raised after the commit, which keeps the failure count.
        with transaction.atomic():
            device = TOTPDevice.objects.select_for_update().get(pk=self.device.pk)
            allowed, details = device.verify_is_allowed()
            verified = allowed and device.verify_token(code)
        if not allowed:
            raise forms.ValidationError(
                _("Trop de codes incorrects. Réessayez à partir de %(time)s."),
                params={"time": _moment(details["locked_until"])},
                code="throttled",
            )
        if not verified:
            raise forms.ValidationError(
                _("Ce code est incorrect ou a expiré. Saisissez le code affiché maintenant."), code="wrong"
            )
        self.device = device
        return self.cleaned_data


def _moment(when):
    when = timezone.localtime(when)
    if when.date() == timezone.localdate():
        return date_format(when, "H:i:s")
    return date_format(when, "d/m/Y H:i")
