"""Development backend: prints each message to the console (`make run`), the number masked."""

from __future__ import annotations

import sys
import threading
import uuid

from forms.notifications.sms import SmsMessage, SmsResult
from forms.notifications.sms.backends.base import BaseSmsBackend
from forms.notifications.sms.text import encoding, segments
from forms.phone import mask_phone


def describe(message: SmsMessage) -> str:
    """The console form: "SMS to +33 6 ** ** ** 78 (1 segment, GSM-7):", then the text."""
    count = segments(message.text)
    plural = "segment" if count == 1 else "segments"
    return f"SMS to {mask_phone(message.to)} ({count} {plural}, {encoding(message.text)}):\n{message.text}\n"


class SmsBackend(BaseSmsBackend):
    def __init__(self, stream=None):
        self.stream = stream
        self._lock = threading.RLock()

    def send(self, message: SmsMessage) -> SmsResult:
        stream = self.stream or sys.stdout  # read at send time: pytest's capsys swaps sys.stdout
        with self._lock:
            stream.write(describe(message))
            stream.write("-" * 79 + "\n")
            stream.flush()
        return SmsResult(provider_id=f"console-{uuid.uuid4().hex}", segments=segments(message.text))
