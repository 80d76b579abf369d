"""The interface every text-message backend implements."""

from __future__ import annotations

from forms.notifications.sms import SmsMessage, SmsResult


class BaseSmsBackend:
    """Sends one message; raises TemporarySmsError (retry later) or PermanentSmsError (never
    retry). Keyword arguments of get_backend() reach __init__ (e.g. a console's `stream`)."""

    def __init__(self, fail_silently: bool = False, **kwargs):
        self.fail_silently = fail_silently

    def send(self, message: SmsMessage) -> SmsResult:
        raise NotImplementedError("An SMS backend must implement send().")
