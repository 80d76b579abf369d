"""The interface every text-message backend implements."""

from __future__ import annotations

from forms.notifications.sms import SmsMessage, SmsResult


class BaseSmsBackend:
    """Sends one message; raises TemporarySmsError (retry later) or PermanentSmsError (never
    retry). Keyword arguments of get_backend() reach the subclass's __init__ (a console's
    `stream`, a file backend's `file_path`, Brevo's `api_key`...); an unknown one is an error."""

    def send(self, message: SmsMessage) -> SmsResult:
        raise NotImplementedError("An SMS backend must implement send().")
