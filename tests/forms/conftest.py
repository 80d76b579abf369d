"""Fixtures shared by the forms tests."""

import pytest

from tests.forms.workers_side import World


@pytest.fixture
def world(db):
    """Two workers with their schools, accounts in every role and three requests (see World)."""
    return World()


# Text messages: the in-memory outbox and the fake provider server (tests/fake_sms_provider.py).
from tests.fake_sms_provider import fake_sms_provider, sms_outbox  # noqa: E402, F401 (fixtures)
