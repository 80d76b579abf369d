"""The text-message (SMS) channel: messages, results, errors and pluggable backends.

Shaped like Django's e-mail: `settings.SMS_BACKEND` names a backend class (console, file,
in-memory, Brevo), `get_backend()` builds one and `send_sms()` sends one message through it.
What a message says is rendered by `forms.notifications.sms.text.render_sms`; what the
provider later reports about it is read by `forms.notifications.sms.reports.parse_report`.

Errors say whether trying again can help: `TemporarySmsError` (timeout, provider down, rate
limited: retry later) or `PermanentSmsError` (invalid or landline number, refused: never retry).
Nothing here logs a phone number in full (`forms.phone.mask_phone`).
"""

from __future__ import annotations

import logging
from dataclasses import dataclass, field, replace

from django.conf import settings
from django.utils.module_loading import import_string

from forms.phone import is_mobile, mask_phone, to_e164

logger = logging.getLogger(__name__)


def _default_sender() -> str:
    return settings.SMS_SENDER


@dataclass
class SmsMessage:
    """One text message: `to` in E.164 (+33612345678), `reference` an opaque id of ours
    given to the provider (e.g. "n123", the notification row) and echoed in its reports."""

    to: str
    text: str
    reference: str = ""
    sender: str = field(default_factory=_default_sender)


@dataclass
class SmsResult:
    """What the backend answered: the provider's id for the message (the key of its delivery
    reports) and the number of segments it is billed as."""

    provider_id: str
    segments: int


class SmsError(Exception):
    """A text message could not be handed to the provider."""


class TemporarySmsError(SmsError):
    """Timeout, connection refused, provider error (5xx) or rate limit (429): retry later."""


class PermanentSmsError(SmsError):
    """Invalid or landline number, refused or blacklisted recipient, bad credentials: never retry."""


def get_backend(path: str | None = None, **kwargs):
    """A text-message backend instance: `path` (a dotted class path) or settings.SMS_BACKEND."""
    klass = import_string(path or settings.SMS_BACKEND)
    return klass(**kwargs)


def send_sms(message: SmsMessage, backend=None) -> SmsResult:
    """Send one message through `backend` (settings.SMS_BACKEND by default).

    With settings.SMS_REDIRECT_TO (a staging server) every message goes to that one number
    instead, unchanged: the original number is only logged, masked. A number that is not a
    valid mobile number raises PermanentSmsError before anything is sent."""
    e164 = to_e164(message.to, region=None)  # E.164 only: no national form guessed here
    if e164 is None:
        raise PermanentSmsError(f"not a valid international number: {mask_phone(message.to or '')}")
    if not is_mobile(e164):
        raise PermanentSmsError(f"not a mobile number: {mask_phone(e164)}")
    message = replace(message, to=e164)
    if settings.SMS_REDIRECT_TO:
        redirect_to = to_e164(settings.SMS_REDIRECT_TO, region=None)
        if redirect_to is None:  # a configuration error: keep the message for when it is fixed
            logger.error("SMS_REDIRECT_TO is not an international number (+33...): SMS %s kept", message.reference)
            raise TemporarySmsError("SMS_REDIRECT_TO is not a valid international number")
        logger.info("SMS for %s redirected to %s (SMS_REDIRECT_TO)", mask_phone(e164), mask_phone(redirect_to))
        message = replace(message, to=redirect_to)
    if backend is None:
        backend = get_backend()
    result = backend.send(message)
    logger.info(
        "SMS %s to %s accepted as %s (segments: %d)",
        message.reference or "-",
        mask_phone(message.to),
        result.provider_id,
        result.segments,
    )
    return result
