import pytest

from tests.factories import make_centre, make_index, make_site, make_worker


@pytest.fixture
def home(db):
    return make_site()


@pytest.fixture
def index(home):
    return make_index(home, intro="Trouvez l'école de votre enfant.")


@pytest.fixture
def leroy(db):
    return make_worker("Mme Leroy", email="s.leroy@ccas.example.fr", public_phone="01 40 00 00 01")


@pytest.fixture
def centre(db):
    return make_centre("Centre social Émile-Zola")
