"""The database going away mid-request: a clear 503 with the CCAS phone, nothing half-written."""

import pytest
from django.db import OperationalError, connection

from forms.models import AppointmentRequest
from home.models import CCASSettings
from tests.factories import make_index, make_school, make_site, make_worker, permanence


@pytest.fixture
def school(db):
    home = make_site()
    index = make_index(home, publish=True)
    ccas = CCASSettings.load()
    ccas.name, ccas.phone = "CCAS de Villebelle", "01 23 45 67 89"
    ccas.save()
    return make_school(
        index, "École Jules-Ferry", slug="jules-ferry", referent=make_worker(), permanences=[permanence()]
    )


def refuse_every_query(execute, sql, params, many, context):
    raise OperationalError("server closed the connection unexpectedly")


@pytest.mark.parametrize("path, language", [("/ecoles/jules-ferry/", "fr"), ("/ar/ecoles/", "ar")])
def test_database_down_gives_a_503_page_with_the_ccas_phone(client, school, path, language):
    with connection.execute_wrapper(refuse_every_query):
        response = client.get(path)
    assert response.status_code == 503
    html = response.content.decode()
    assert f'<html lang="{language}"' in html
    assert "01 23 45 67 89" in html and "119" in html
    assert response["Retry-After"]


def test_database_down_during_a_booking_post_stores_nothing(client, school):
    before = AppointmentRequest.objects.count()
    # As a real server does: an exception becomes the error page instead of reaching the test.
    client.raise_request_exception = False
    with connection.execute_wrapper(refuse_every_query):
        response = client.post("/rendez-vous/coordonnees/", {"parent_name": "Awa Diallo", "phone": "0612345678"})
    assert response.status_code == 503
    assert AppointmentRequest.objects.count() == before
