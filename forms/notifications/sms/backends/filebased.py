"""Development backend: writes each message to its own file in settings.SMS_FILE_PATH."""

from __future__ import annotations

import uuid
from datetime import datetime
from pathlib import Path

from django.conf import settings
from django.core.exceptions import ImproperlyConfigured

from forms.notifications.sms import SmsMessage, SmsResult
from forms.notifications.sms.backends.base import BaseSmsBackend
from forms.notifications.sms.backends.console import describe
from forms.notifications.sms.text import segments


class SmsBackend(BaseSmsBackend):
    def __init__(self, file_path=None):
        path = file_path or getattr(settings, "SMS_FILE_PATH", None)
        if not path:
            raise ImproperlyConfigured("Set SMS_FILE_PATH to the folder the file-based SMS backend writes to.")
        self.file_path = Path(path)
        self.file_path.mkdir(parents=True, exist_ok=True)

    def send(self, message: SmsMessage) -> SmsResult:
        provider_id = f"file-{uuid.uuid4().hex}"
        name = f"{datetime.now():%Y%m%d-%H%M%S}-{provider_id}.txt"
        (self.file_path / name).write_text(describe(message), encoding="utf-8")
        return SmsResult(provider_id=provider_id, segments=segments(message.text))
