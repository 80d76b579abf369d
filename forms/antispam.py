"""Anti-spam for the public forms: a honeypot, a per-IP rate limit and, only with keys and the
parent's prior consent, Google's reCAPTCHA (CNIL: no Google script before consent).

Honeypot: a filled honeypot gets a generic form error and nothing is stored. Pretending
success would fool robots a little better, but a person whose browser filled the hidden
field would believe the request was sent while nobody will call back; "nothing lost" wins.

Rate limit: every final submission from an IP counts (cache-backed, django-ratelimit);
a family who declines the reCAPTCHA check gets a stricter limit. When the cache cannot
count (Redis down), the limit fails open: refusing every family would lose requests.
Behind a reverse proxy, REMOTE_ADDR is the proxy: set RATELIMIT_IP_META_KEY accordingly."""

from __future__ import annotations

import ipaddress
import logging

from django import forms
from django.conf import settings
from django.core.exceptions import ValidationError
from django.shortcuts import render
from django.utils.translation import get_language
from django.utils.translation import gettext_lazy as _
from django_ratelimit.core import get_usage
from django_recaptcha.fields import ReCaptchaField
from django_recaptcha.widgets import ReCaptchaV2Checkbox

logger = logging.getLogger(__name__)

HONEYPOT_FIELD = "website"
SUBMISSION_RATE = "10/h"
DECLINED_RATE = "3/h"
CONSENT_YES, CONSENT_NO = "yes", "no"


class HoneypotForm(forms.Form):
    """Adds the honeypot: hidden by the `honeypot` CSS class, skipped by the keyboard."""

    website = forms.CharField(
        label=_("Ne pas remplir"),
        required=False,
        max_length=200,
        widget=forms.TextInput(attrs={"autocomplete": "off", "tabindex": "-1"}),
    )

    def clean(self):
        data = super().clean()
        if self.honeypot_filled:
            logger.info("honeypot filled on %s", type(self).__name__)
            raise ValidationError(
                _("Le formulaire n'a pas pu être envoyé. Réessayez ; si cela continue, appelez le service."),
                code="honeypot",
            )
        return data

    @property
    def honeypot_filled(self) -> bool:
        return bool(self.data.get(self.add_prefix(HONEYPOT_FIELD), "").strip()) if self.is_bound else False


def client_ip(group, request) -> str:
    """The client address, IPv6 reduced to its /64 (one household); never raises.

    Behind a reverse proxy, RATELIMIT_IP_META_KEY names the header carrying the family's
    address (for a comma-separated forwarding chain, the last entry: the one our proxy added,
    which a client cannot forge)."""
    meta_key = getattr(settings, "RATELIMIT_IP_META_KEY", None) or "REMOTE_ADDR"
    if not isinstance(meta_key, str):
        meta_key = "REMOTE_ADDR"
    raw = (request.META.get(meta_key) or request.META.get("REMOTE_ADDR") or "").split(",")[-1].strip()
    try:
        address = ipaddress.ip_address(raw)
    except ValueError:
        return "unknown"
    if address.version == 6:
        return str(ipaddress.ip_network(f"{address}/64", strict=False).network_address)
    return str(address)


def _over_limit(request, group: str, rate: str) -> bool:
    usage = get_usage(request, group=group, key=client_ip, rate=rate, method="POST", increment=True)
    if usage is None:
        return False
    if usage["limit"] == 0:
        logger.warning("rate limit cache unavailable: %s let through", group)
        return False
    return usage["should_limit"]


def submission_limited(request, *, declined: bool = False) -> bool:
    """Count one final submission from this IP; True when over the limit."""
    limited = _over_limit(request, "booking-submit", getattr(settings, "BOOKING_SUBMISSION_RATE", SUBMISSION_RATE))
    if declined:
        rate = getattr(settings, "BOOKING_DECLINED_RATE", DECLINED_RATE)
        limited = _over_limit(request, "booking-submit-declined", rate) or limited
    return limited


def rate_limited_response(request):
    """A translated 429 page; what the family typed stays in the session for a later try."""
    response = render(request, "forms/booking/rate_limited.html", status=429)
    response["Retry-After"] = "3600"
    return response


def captcha_enabled() -> bool:
    return bool(getattr(settings, "RECAPTCHA_ENABLED", False))


class RecaptchaCheckbox(ReCaptchaV2Checkbox):
    """Without the package's inline script, which the Content-Security-Policy refuses; Google's
    script carries the response's CSP nonce (`nonce`, set by the view)."""

    template_name = "forms/includes/recaptcha_checkbox.html"
    nonce = ""

    def get_context(self, name, value, attrs):
        context = super().get_context(name, value, attrs)
        context["nonce"] = self.nonce
        return context


class CaptchaConsentField(forms.ChoiceField):
    def __init__(self, **kwargs):
        super().__init__(
            label=_("La vérification anti-robot utilise un service de Google. Acceptez-vous ?"),
            help_text=_(
                "Si vous refusez, votre demande est envoyée quand même. Si vous acceptez, "
                "une case « Je ne suis pas un robot » de Google s'affiche (JavaScript nécessaire)."
            ),
            choices=[(CONSENT_YES, _("Oui, j'accepte")), (CONSENT_NO, _("Non, je refuse"))],
            widget=forms.RadioSelect,
            error_messages={
                "required": _("Répondez à la question sur la vérification anti-robot."),
                "invalid_choice": _("Répondez par oui ou par non."),
            },
            **kwargs,
        )


def captcha_field():
    """Google's v2 checkbox with our own translated messages, in the page's language. Only
    built once the family agreed; without keys it is never built."""
    message = _("La vérification anti-robot a échoué. Cochez à nouveau la case « Je ne suis pas un robot ».")
    return ReCaptchaField(
        label=_("Vérification anti-robot"),
        widget=RecaptchaCheckbox(api_params={"hl": get_language() or settings.LANGUAGE_CODE}),
        error_messages={
            "required": _("Cochez la case « Je ne suis pas un robot », ou répondez non à la question."),
            "captcha_invalid": message,
            "captcha_error": message,
        },
    )
