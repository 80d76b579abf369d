"""Anti-spam for the public forms: a honeypot, submission limits that fit shared connections
and, only with keys and the parent's prior consent, Google's reCAPTCHA (CNIL: no Google script
before consent).

Honeypot: a filled honeypot gets a generic form error and nothing is stored. Pretending
success would fool robots a little better, but a person whose browser filled the hidden
field would believe the request was sent while nobody will call back; "nothing lost" wins.

Submission limits (`refuse_submission`), and the trade-off they make. Families share
addresses: a social centre's computer, a school's wifi, a mobile network's carrier-grade NAT.
A limit tight enough to stop one robot behind an address locks out the families behind it; a
loose one lets a robot send a few dozen requests an hour. We take the loose one, because a
family refused is a request lost while a few robot requests cost a worker a few minutes, and
we add a limit a shared connection does not affect, per phone number:

- each form counts apart (bookings, evening registrations), per address (IPv6 per /64);
- only valid submissions count, and each submission key once: a family fixing a typo ten
  times, or double-clicking, is not refused. Invalid posts have their own, much higher
  ceiling (INVALID_SUBMISSION_RATE), which only a script reaches;
- SUBMISSION_RATES per address and form: 60 an hour (30 families in an hour from one social
  centre all get through), 30 an hour when the family declines reCAPTCHA;
- BOOKING_MAX_REQUESTS_PER_PHONE_PER_DAY (3) booking requests per phone number in 24 hours,
  counted in the database with the normalised number (forms.phone): it survives a Redis
  flush, and does not depend on the address. It tells the visitor only that the number
  reached the day's limit;
- a refused family sees why, with the CCAS phone number, on the same form with everything it
  typed (status 429).

The address counters live in the cache (django-ratelimit): when it cannot count (Redis down),
they fail open, as refusing every family would lose requests; the per-phone limit still holds.
Behind a reverse proxy, REMOTE_ADDR is the proxy: set RATELIMIT_IP_META_KEY accordingly."""

from __future__ import annotations

import ipaddress
import logging
from datetime import timedelta

from csp.decorators import csp_update
from django import forms
from django.conf import settings
from django.core.cache import cache
from django.core.exceptions import ValidationError
from django.utils import timezone
from django.utils.translation import get_language
from django.utils.translation import gettext_lazy as _
from django_ratelimit.core import get_usage
from django_recaptcha.fields import ReCaptchaField
from django_recaptcha.widgets import ReCaptchaV2Checkbox

from forms import phone as phones

logger = logging.getLogger(__name__)

HONEYPOT_FIELD = "website"
CONSENT_YES, CONSENT_NO = "yes", "no"
# The public forms, each with its own counters.
BOOKING, EVENING, REFERRAL = "booking", "evening", "referral"

ADDRESS_LIMIT = _("Trop d'envois depuis cette connexion. Réessayez dans une heure ou appelez le service.")
ADDRESS_LIMIT_WITH_PHONE = _(
    "Trop d'envois depuis cette connexion. Réessayez dans une heure ou appelez le service au %(phone)s."
)
PHONE_LIMIT = _(
    "Les demandes en ligne sont limitées à %(limit)s par jour pour un même numéro de téléphone. "
    "Pour une autre demande, appelez le service."
)
PHONE_LIMIT_WITH_PHONE = _(
    "Les demandes en ligne sont limitées à %(limit)s par jour pour un même numéro de téléphone. "
    "Pour une autre demande, appelez le service au %(phone)s."
)


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


def _over_limit(request, group: str, rate: str, *, increment: bool) -> bool:
    """Whether this address is over `rate` in `group`, counting this post when `increment`
    (without, the post was counted before: its count already includes it)."""
    usage = get_usage(request, group=group, key=client_ip, rate=rate, method="POST", increment=increment)
    if usage is None or usage["limit"] == 0:
        return False  # the cache cannot count (Redis down): fail open, see the module docstring
    return usage["should_limit"]


def _ccas_phone() -> str:
    from home.models import CCASSettings

    return CCASSettings.load().phone


def _message(plain, with_phone, **values) -> str:
    ccas_phone = _ccas_phone()
    if ccas_phone:
        return with_phone % {**values, "phone": ccas_phone}
    return plain % values if values else str(plain)


def phone_limit_reached(phone: str, submission_key=None) -> bool:
    """Whether this phone number already made BOOKING_MAX_REQUESTS_PER_PHONE_PER_DAY booking
    requests in the last 24 hours; the request of `submission_key` (a double click arriving
    after the first one was stored) does not count against itself."""
    number = phones.same_number_key(phone)
    if not number:
        return False
    from forms.models import AppointmentRequest

    recent = AppointmentRequest.objects.filter(phone=number, created_at__gte=timezone.now() - timedelta(days=1))
    if submission_key:
        recent = recent.exclude(submission_key=submission_key)
    return recent.count() >= settings.BOOKING_MAX_REQUESTS_PER_PHONE_PER_DAY


def refuse_submission(request, name: str, form, *, phone: str = "") -> bool:
    """Apply the submission limits of the public form `name` (BOOKING, EVENING) to a bound
    form. True when refused: the form then carries the message (with the CCAS phone) as a
    non-field error and is re-rendered with everything typed; the view answers 429.

    An invalid form counts against INVALID_SUBMISSION_RATE only. A valid one is refused when
    the phone number (bookings) reached its daily limit, or the address its hourly one; it
    counts once per submission key. A first "yes" to the reCAPTCHA question, which only shows
    Google's widget, is no submission."""
    if not form.is_valid():
        if _over_limit(request, f"invalid-{name}", settings.INVALID_SUBMISSION_RATE, increment=True):
            form.add_error(None, _message(ADDRESS_LIMIT, ADDRESS_LIMIT_WITH_PHONE))
            return True
        return False
    if getattr(form, "awaiting_widget", False):
        return False
    key = str(form.cleaned_data.get("submission_key") or "")
    limit = settings.BOOKING_MAX_REQUESTS_PER_PHONE_PER_DAY
    if phone and phone_limit_reached(phone, key or None):
        logger.info("daily limit of %s requests per phone reached on %s", limit, name)
        form.add_error(None, _message(PHONE_LIMIT, PHONE_LIMIT_WITH_PHONE, limit=limit))
        return True
    rates = [(f"submit-{name}", settings.SUBMISSION_RATES[name])]
    if getattr(form, "consent", None) == CONSENT_NO:
        rates.append((f"submit-{name}-declined", settings.SUBMISSION_DECLINED_RATE))
    # Counted once per submission key: a double click, or a retry after a refusal, is the
    # same submission (without a key each post counts).
    first_time = not key or cache.add(f"antispam:{name}:{key}", 1, timeout=3600)
    if any(_over_limit(request, group, rate, increment=first_time) for group, rate in rates):
        logger.info("per-address submission limit reached on %s", name)
        form.add_error(None, _message(ADDRESS_LIMIT, ADDRESS_LIMIT_WITH_PHONE))
        return True
    return False


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


def allow_captcha(response):
    """Google's reCAPTCHA hosts in this response's Content-Security-Policy only: the page that
    shows the widget (settings.RECAPTCHA_CONTENT_SECURITY_POLICY); every other page keeps the
    strict public policy. django-csp's own csp_update, applied to one response."""
    return csp_update(settings.RECAPTCHA_CONTENT_SECURITY_POLICY)(lambda: response)()


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
