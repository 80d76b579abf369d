"""The requests' ModelViewSet: its menu item, the URLs it offers and the ones it must not.
(`world`: tests/forms/conftest.py.)"""

import pytest
from django.urls import NoReverseMatch, reverse
from wagtail.admin.admin_url_finder import AdminURLFinder

from tests.helpers import login_staff


def menu_html(client, user):
    login_staff(client, user)
    response = client.get(reverse("wagtailadmin_home"))
    assert response.status_code == 200
    return response.content.decode()


def test_the_menu_counts_the_new_requests_of_the_users_own_queue(client, world):
    # The worker's queue holds one new request; the manager's default (the service queue) one too.
    assert "Demandes (1)" in menu_html(client, world.worker)
    assert "Demandes (1)" in menu_html(client, world.manager)


def test_the_menu_hides_requests_from_the_communication_staff(client, world):
    html = menu_html(client, world.communication)

    assert "forms-requests" not in html
    assert reverse("forms_admin:index") not in html


def test_links_from_the_site_history_open_the_request_page(world):
    url = AdminURLFinder(world.manager).get_edit_url(world.request)

    assert url == reverse("forms_admin:detail", args=[world.request.pk])


@pytest.mark.parametrize("name", ["add", "edit", "delete", "copy", "usage"])
def test_the_generic_editing_views_are_not_offered(name):
    args = [] if name == "add" else [1]
    with pytest.raises(NoReverseMatch):
        reverse(f"forms_admin:{name}", args=args)


def test_unknown_paths_under_the_requests_are_not_found(client, world):
    login_staff(client, world.manager)

    assert client.get("/admin/demandes/new/").status_code == 404
    assert client.post(f"/admin/demandes/edit/{world.request.pk}/").status_code == 404
