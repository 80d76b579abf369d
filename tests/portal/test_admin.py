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


def test_the_admin_loads_no_avatar_from_gravatar(admin_client, admin_user):
    """gravatar.com would receive a hash of each staff member's e-mail address."""
    assert admin_user.email
    html = admin_client.get("/admin/").content.decode()
    assert "avatar" in html  # the account menu is there, with Wagtail's default avatar
    assert "gravatar.com" not in html
