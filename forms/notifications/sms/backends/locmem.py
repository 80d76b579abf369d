"""Test backend: keeps each message in the module-level `outbox` list (like django.core.mail.outbox).

Tests empty it with the `sms_outbox` fixture (tests/fake_sms_provider.py)."""

from __future__ import annotations

import uuid

from forms.notifications.sms import SmsMessage, SmsResult
from forms.notifications.sms.backends.base import BaseSmsBackend
from forms.notifications.sms.text import segments

outbox: list[SmsMessage] = []


class SmsBackend(BaseSmsBackend):
    def send(self, message: SmsMessage) -> SmsResult:
        outbox.append(message)
        return SmsResult(provider_id=f"locmem-{uuid.uuid4().hex}", segments=segments(message.text))
