"""Fixtures shared by the portal tests."""

import pytest

from tests.factories import make_index, make_school, make_site, make_worker, permanence


@pytest.fixture
def school(db):
    home = make_site()
    index = make_index(home, publish=True)
    return make_school(
        index,
        "École Jules-Ferry",
        slug="ecole-jules-ferry",
        referent=make_worker("Mme Leroy"),
        permanences=[permanence()],
    )
