"""The worker snippet in the admin: who may link an account, and deleting a worker with requests."""

import pytest

from forms.records.permissions import MANAGER
from services.models import SocialWorker
from services.roles import COMMUNICATION
from tests.factories import AppointmentRequestFactory, UserFactory, make_index, make_school, make_site, make_worker
from tests.helpers import login_staff


@pytest.fixture
def leroy(db):
    worker = make_worker("Mme Leroy")
    worker.save_revision().publish()
    return worker


def edit_url(worker):
    return f"/admin/snippets/services/socialworker/edit/{worker.pk}/"


def post_edit(client, worker, **data):
    # Publish, as a draft would leave the live worker unchanged whatever the form allowed.
    fields = {"public_name": worker.public_name, "job": worker.job, "email": worker.email, "active": "on"}
    fields["action-publish"] = "action-publish"
    fields.update(data)
    return client.post(edit_url(worker), fields)


def test_communication_cannot_link_a_worker_to_an_account(client, leroy):
    editor = UserFactory(username="comm", groups=[COMMUNICATION])
    intruder = UserFactory(username="intruder")
    login_staff(client, editor)
    page = client.get(edit_url(leroy))
    assert page.status_code == 200
    assert 'name="user"' not in page.content.decode()
    post_edit(client, leroy, user=intruder.pk)
    assert SocialWorker.objects.get(pk=leroy.pk).user_id is None


def test_the_manager_links_a_worker_to_an_account(client, leroy):
    manager = UserFactory(username="manager", groups=[MANAGER])
    account = UserFactory(username="leroy")
    login_staff(client, manager)
    assert 'name="user"' in client.get(edit_url(leroy)).content.decode()
    post_edit(client, leroy, user=account.pk)
    assert SocialWorker.objects.get(pk=leroy.pk).user_id == account.pk


def test_deleting_a_worker_with_requests_keeps_them_and_explains(client, leroy, admin_user):
    school = make_school(make_index(make_site()), referent=leroy)
    AppointmentRequestFactory(school=school, assigned_worker=leroy)
    login_staff(client, admin_user)
    response = client.post(f"/admin/snippets/services/socialworker/delete/{leroy.pk}/", follow=True)
    # Refused before anything is deleted, with the reason (tests/forms/test_deletion.py).
    assert response.status_code == 409
    assert SocialWorker.objects.filter(pk=leroy.pk).exists()
    assert "décochez" in response.content.decode().lower()
    assert "1 demande de rendez-vous" in response.content.decode()
