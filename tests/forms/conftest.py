"""Fixtures shared by the forms tests."""

import pytest

from tests.forms.workers_side import World


@pytest.fixture
def world(db):
    """Two workers with their schools, accounts in every role and three requests (see World)."""
    return World()
