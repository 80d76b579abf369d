"""Test doubles for the outside world of text messages: the in-memory outbox and a fake Brevo.

The fixtures are imported by tests/forms/conftest.py, so every test under tests/forms/ can ask
for `sms_outbox` and `fake_sms_provider`; elsewhere import them from here.
"""

from __future__ import annotations

import pytest

from forms.notifications.sms.backends import locmem


@pytest.fixture
def sms_outbox(settings):
    """The locmem backend's outbox, emptied before and after the test; SMS_BACKEND set to it."""
    settings.SMS_BACKEND = "forms.notifications.sms.backends.locmem.SmsBackend"
    locmem.outbox.clear()
    yield locmem.outbox
    locmem.outbox.clear()
