"""Error pages in every language; the 500 page must not need the database."""

import re

import pytest
from django.db import connection
from django.db.utils import OperationalError
from django.test import RequestFactory
from django.urls import get_resolver

from portal import views
from tests.helpers import LANGUAGES, home_url, html_attributes, parse, text_direction


@pytest.mark.django_db
def test_arabic_404_is_right_to_left(client):
    response = client.get("/ar/does-not-exist/")

    assert response.status_code == 404
    assert html_attributes(response) == {"lang": "ar", "dir": "rtl"}


@pytest.mark.django_db
@pytest.mark.parametrize("code", LANGUAGES)
def test_404_speaks_the_language_of_the_url_and_leads_home(client, code):
    response = client.get(f"{home_url(code)}does-not-exist/")

    assert response.status_code == 404
    assert html_attributes(response) == {"lang": code, "dir": text_direction(code)}
    assert parse(response).find("main").find("a", href=home_url(code)) is not None


def test_500_handler_is_the_portal_one():
    assert get_resolver().resolve_error_handler(500) is views.server_error


@pytest.mark.django_db
@pytest.mark.parametrize("code", ["fr", "ar"])
def test_500_page_renders_while_the_database_is_down(code):
    queries = []

    def database_down(execute, sql, params, many, context):
        queries.append(sql)
        raise OperationalError("connection refused")

    request = RequestFactory().get(f"{home_url(code)}une-page/")
    with connection.execute_wrapper(database_down):
        response = views.server_error(request)

    assert queries == []
    assert response.status_code == 500
    page = parse(response)
    assert {"lang": page.html.get("lang"), "dir": page.html.get("dir")} == {
        "lang": code,
        "dir": text_direction(code),
    }
    numbers = [link.get_text(strip=True) for link in page.select(".emergency a[href^='tel:']")]
    assert numbers == ["119", "17", "112"]


@pytest.mark.django_db
def test_the_browsers_favicon_request_gets_the_icon_not_a_404(client, school):
    response = client.get("/favicon.ico")
    assert response.status_code == 301
    assert response["Location"].endswith(".svg") and "/static/img/favicon" in response["Location"]
    icon = re.search(r'<link rel="icon" href="([^"]+)"', client.get("/").content.decode()).group(1)
    assert icon == response["Location"]
