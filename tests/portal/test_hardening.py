"""Security headers, no inline script or style on public pages, page cache, login throttling."""

import re

import pytest
from django.core.cache import cache

from home.models import CCASSettings
from tests.factories import UserFactory
from tests.helpers import login_staff


@pytest.fixture
def page_cache(settings):
    settings.PAGE_CACHE_ENABLED = True
    # Loading a site setting the first time creates its row, which (rightly) empties the cache.
    CCASSettings.load()
    cache.clear()
    yield
    cache.clear()


def test_public_pages_send_a_strict_content_security_policy(client, school):
    response = client.get("/ecoles/")
    policy = response["Content-Security-Policy"]
    script_src = re.search(r"script-src ([^;]*)", policy).group(1)
    assert "'unsafe-inline'" not in script_src and "'unsafe-eval'" not in script_src
    assert "nonce" not in policy  # only the page that loads Google's script gets one
    assert "google" not in policy and "gstatic" not in policy  # only the widget's step names Google
    assert "style-src 'self'" in policy
    assert "frame-ancestors 'none'" in policy
    assert response["X-Frame-Options"] == "DENY"
    assert response["X-Content-Type-Options"] == "nosniff"
    assert response["Referrer-Policy"] == "same-origin"
    assert "camera=()" in response["Permissions-Policy"] and "geolocation=()" in response["Permissions-Policy"]


def test_admin_may_frame_its_own_previews_only(client, db):
    response = client.get("/admin/login/")
    assert response["X-Frame-Options"] == "SAMEORIGIN"
    assert "frame-ancestors 'self'" in response["Content-Security-Policy"]


def test_public_and_admin_pages_get_exactly_the_configured_policies(client, admin_client, school, settings):
    """django-csp's stock middleware sends the public policy; the admin's URLs carry their own."""
    from csp.utils import build_policy

    public = build_policy()  # CONTENT_SECURITY_POLICY, without a nonce
    for path in ("/ecoles/", "/ecoles/ecole-jules-ferry/", "/robots.txt", "/ar/page-absente/"):
        assert client.get(path)["Content-Security-Policy"] == public, path
    admin = build_policy(config=settings.ADMIN_CONTENT_SECURITY_POLICY["DIRECTIVES"])
    assert admin != public
    for response in (
        client.get("/admin/"),  # the redirect to the login page
        client.get("/admin/login/"),
        admin_client.get("/admin/"),
        admin_client.get(f"/admin/pages/{school.pk}/edit/"),
    ):
        assert response["Content-Security-Policy"] == admin
        assert response["X-Frame-Options"] == "SAMEORIGIN"


@pytest.mark.parametrize("path", ["/", "/ecoles/", "/ecoles/ecole-jules-ferry/", "/ar/page-absente/"])
def test_public_pages_have_no_inline_script_or_style(client, school, path):
    html = client.get(path).content.decode()
    inline_scripts = re.findall(r"<script(?![^>]*\bsrc=)(?![^>]*type=\"application/(?:ld\+)?json\")[^>]*>", html)
    assert inline_scripts == []
    assert re.findall(r"\sstyle=\"", html) == []
    assert "<style" not in html


def test_anonymous_pages_are_served_from_the_cache_until_something_is_published(client, school, page_cache):
    first = client.get("/ecoles/")
    assert first["X-Cache"] == "MISS"
    assert "public" in first["Cache-Control"]
    second = client.get("/ecoles/")
    assert second["X-Cache"] == "HIT"
    assert second.content == first.content

    school.title = "École Jules-Ferry-Centre"
    school.save_revision().publish()
    third = client.get("/ecoles/")
    assert third["X-Cache"] == "MISS"
    assert "Jules-Ferry-Centre" in third.content.decode()


def test_changing_a_worker_drops_cached_pages(client, school, page_cache):
    client.get("/ecoles/ecole-jules-ferry/")
    school.referent.public_name = "Mme Leroy-Martin"
    school.referent.save()
    response = client.get("/ecoles/ecole-jules-ferry/")
    assert response["X-Cache"] == "MISS"
    assert "Mme Leroy-Martin" in response.content.decode()


def test_logged_in_users_never_get_or_fill_the_cache(client, school, page_cache, admin_user):
    login_staff(client, admin_user)
    response = client.get("/ecoles/")
    assert "X-Cache" not in response
    client.logout()
    assert client.get("/ecoles/")["X-Cache"] == "MISS"


def test_a_page_with_a_csrf_token_is_never_shared(client, school, page_cache):
    response = client.get("/rendez-vous/", follow=True)
    assert "X-Cache" not in response
    assert "no-store" in response["Cache-Control"] and "private" in response["Cache-Control"]
    assert client.get("/rendez-vous/", follow=True).get("X-Cache") is None


@pytest.mark.django_db
def test_admin_login_is_locked_after_five_failures(client, settings):
    settings.AXES_ENABLED = True
    user = UserFactory(username="agent", password="correct-horse-battery", is_staff=True)
    user.user_permissions.add(*[])
    for _ in range(5):
        client.post("/admin/login/", {"username": "agent", "password": "wrong"})
    response = client.post("/admin/login/", {"username": "agent", "password": "correct-horse-battery"})
    assert "_auth_user_id" not in client.session
    assert response.status_code in (403, 429)


def test_a_page_served_before_the_session_middleware_keeps_every_header(client, school, page_cache):
    first = client.get("/ecoles/ecole-jules-ferry/")
    assert first["X-Cache"] == "MISS" and not client.cookies
    second = client.get("/ecoles/ecole-jules-ferry/")
    assert second["X-Cache"] == "HIT"
    assert second.content == first.content
    headers = {"Content-Language", "Vary", "Content-Security-Policy", "Permissions-Policy", "X-Frame-Options"}
    for name in headers:
        assert second[name] == first[name], name
    assert second["Content-Language"] == "fr" and "Accept-Language" in second["Vary"]


def test_a_family_between_two_booking_steps_gets_the_shared_page_too(client, school, page_cache):
    from django.test import Client

    client.get(f"/rendez-vous/?ecole={school.pk}", follow=True)  # creates the booking settings row
    client.post(f"/rendez-vous/modalite/?ecole={school.pk}", {"mode": "school"})  # the first answer: a session
    assert Client().get("/ecoles/ecole-jules-ferry/")["X-Cache"] == "MISS"  # another visitor
    assert "sessionid" in client.cookies
    response = client.get("/ecoles/ecole-jules-ferry/")
    assert response["X-Cache"] == "HIT"
    assert not response.cookies
