"""The Wagtail admin is reachable and asks for a login."""

import pytest


@pytest.mark.django_db
def test_admin_login_page_renders(client):
    response = client.get("/admin/login/")

    assert response.status_code == 200
    content = response.content.decode()
    assert 'name="username"' in content and 'name="password"' in content


@pytest.mark.django_db
def test_admin_sends_anonymous_visitors_to_the_login_page(client):
    response = client.get("/admin/")

    assert response.status_code == 302
    assert response["Location"].startswith("/admin/login/")


def test_admin_dashboard_opens_for_a_superuser(admin_client):
    assert admin_client.get("/admin/").status_code == 200
