"""The manager's "Comptes du service" (portal.staff_accounts): she creates, deactivates,
reactivates and resets the accounts of the service's four groups, never types a password, and
can never give more than one of those groups, nor change an administrator's, an outsider's or
her own account, whatever the POST says."""

from __future__ import annotations

import re

import pytest
from django.contrib.auth import get_user_model
from django.contrib.auth.models import Group, Permission
from django.test import Client
from django.urls import reverse
from django_otp.plugins.otp_totp.models import TOTPDevice
from wagtail.models import ModelLogEntry

from forms.models import AppointmentRequest
from forms.records.permissions import ASSISTANTS, MANAGER, WORKERS
from portal import staff_accounts
from services.roles import COMMUNICATION
from tests.factories import AppointmentRequestFactory, UserFactory, make_worker
from tests.helpers import login_staff

pytestmark = pytest.mark.django_db

User = get_user_model()
INDEX = reverse("staff_accounts:index")
CREATE = reverse("staff_accounts:create")
# The listing's queries (measured: 16), the same for four accounts or fourteen.
LISTING_QUERIES = 16


def action_url(account, action):
    return reverse("staff_accounts:action", args=[account.pk, action])


@pytest.fixture
def staff(db):
    class Staff:
        manager = UserFactory(username="responsable", groups=[MANAGER])
        worker = UserFactory(username="referente", first_name="Claire", last_name="Leroy", groups=[WORKERS])
        assistant = UserFactory(username="secretariat", groups=[ASSISTANTS])
        communication = UserFactory(username="communication", groups=[COMMUNICATION])
        superuser = UserFactory(username="admin", is_superuser=True, groups=[MANAGER])
        outsider = UserFactory(username="sans-groupe")

    return Staff


def new_account_data(**overrides):
    return {
        "first_name": "Nadia",
        "last_name": "Haddad",
        "email": "Nadia.Haddad@ccas.example.fr",
        "group": WORKERS,
        **overrides,
    }


def link_in(message):
    return re.search(r"https?://[^\s]+/admin/password_reset/[^\s]+", message.body).group(0)


def test_the_manager_lists_the_accounts_of_the_services_groups_only(client, staff):
    login_staff(client, staff.manager)

    response = client.get(INDEX)

    assert response.status_code == 200
    listed = {row["account"].username for row in response.context["rows"]}
    assert listed == {"responsable", "referente", "secretariat", "communication", "admin"}
    refusals = {row["account"].username: bool(row["refusal"]) for row in response.context["rows"]}
    assert refusals == {
        "responsable": True,  # her own
        "admin": True,  # a superuser
        "referente": False,
        "secretariat": False,
        "communication": False,
    }
    assert action_url(staff.worker, "reset") in response.content.decode()
    assert action_url(staff.superuser, "reset") not in response.content.decode()


def test_the_listing_query_count_does_not_grow_with_accounts(client, staff, django_assert_max_num_queries):
    login_staff(client, staff.manager)
    with django_assert_max_num_queries(LISTING_QUERIES):
        client.get(INDEX)
    for _ in range(10):
        user = UserFactory(groups=[WORKERS])
        TOTPDevice.objects.create(user=user, name="app", confirmed=True)

    with django_assert_max_num_queries(LISTING_QUERIES):
        response = client.get(INDEX)

    assert len(response.context["rows"]) == 15


def test_a_new_account_gets_a_link_to_choose_its_password_and_no_password_typed(client, staff, mailoutbox):
    login_staff(client, staff.manager)

    response = client.post(CREATE, new_account_data())

    assert response.status_code == 302 and response["Location"] == INDEX
    account = User.objects.get(email="nadia.haddad@ccas.example.fr")
    assert account.username == "nadia.haddad@ccas.example.fr"
    assert (account.first_name, account.last_name, account.is_active) == ("Nadia", "Haddad", True)
    assert list(account.groups.values_list("name", flat=True)) == [WORKERS]
    assert not account.has_usable_password()
    assert not account.is_superuser and not account.is_staff
    assert [message.to for message in mailoutbox] == [["nadia.haddad@ccas.example.fr"]]
    assert "double authentification" in mailoutbox[0].body

    # The link opens Wagtail's "new password" page; the password chosen there lets her log in.
    newcomer = Client()
    page = newcomer.get(link_in(mailoutbox[0]).removeprefix("http://testserver"), follow=True)
    assert page.status_code == 200 and "new_password1" in page.content.decode()
    newcomer.post(
        page.redirect_chain[-1][0],
        {"new_password1": "Une phrase assez longue 42", "new_password2": "Une phrase assez longue 42"},
    )
    account.refresh_from_db()
    assert account.check_password("Une phrase assez longue 42")


def test_creating_an_account_is_in_wagtails_log_with_who_did_it(client, staff):
    login_staff(client, staff.manager)

    client.post(CREATE, new_account_data(group=ASSISTANTS))

    entry = ModelLogEntry.objects.get(action=staff_accounts.CREATED)
    assert entry.user_id == staff.manager.pk and entry.data == {"group": ASSISTANTS}
    assert entry.object_id == str(User.objects.get(email="nadia.haddad@ccas.example.fr").pk)


@pytest.mark.parametrize("group", ["Editors", "Moderators", "Administrateurs", "", "Secrétariat "])
def test_a_group_outside_the_service_is_refused(client, staff, group, mailoutbox):
    Group.objects.get_or_create(name="Administrateurs")
    login_staff(client, staff.manager)

    response = client.post(CREATE, new_account_data(group=group))

    assert response.status_code == 200
    assert response.context["form"].errors["group"]
    assert not User.objects.filter(email__iexact="nadia.haddad@ccas.example.fr").exists()
    assert not mailoutbox


def test_forged_fields_give_no_superuser_staff_flag_password_or_other_group(client, staff):
    editors = Group.objects.get(name="Editors")
    login_staff(client, staff.manager)

    client.post(
        CREATE,
        new_account_data(
            is_superuser="on",
            is_staff="on",
            groups=[editors.pk],
            user_permissions=[Permission.objects.get(codename="manage_staff_accounts").pk],
            password="choisi-par-la-responsable",
            password1="choisi-par-la-responsable",
            username="admin2",
        ),
    )

    account = User.objects.get(email="nadia.haddad@ccas.example.fr")
    assert not account.is_superuser and not account.is_staff
    assert list(account.groups.values_list("name", flat=True)) == [WORKERS]
    assert not account.user_permissions.exists()
    assert not account.check_password("choisi-par-la-responsable")
    assert account.username != "admin2"


def test_an_address_already_in_use_is_refused(client, staff):
    login_staff(client, staff.manager)

    response = client.post(CREATE, new_account_data(email=staff.worker.email.upper()))

    assert response.context["form"].errors["email"] == ["Un compte existe déjà avec cette adresse."]


def test_deactivating_ends_the_accounts_sessions_and_reactivating_lets_it_back(client, staff):
    worker_client = login_staff(Client(), staff.worker)
    assert worker_client.get("/admin/").status_code == 200
    login_staff(client, staff.manager)

    assert client.get(action_url(staff.worker, "deactivate")).status_code == 200  # the confirmation page
    assert client.post(action_url(staff.worker, "deactivate")).status_code == 302

    staff.worker.refresh_from_db()
    assert not staff.worker.is_active
    assert worker_client.get("/admin/").status_code == 302
    client.post(action_url(staff.worker, "reactivate"))
    staff.worker.refresh_from_db()
    assert staff.worker.is_active
    actions = list(ModelLogEntry.objects.filter(user=staff.manager).order_by("pk").values_list("action", flat=True))
    assert actions == [staff_accounts.DEACTIVATED, staff_accounts.REACTIVATED]


def test_the_accounts_page_shows_the_latest_actions_and_who_did_them(client, staff):
    login_staff(client, staff.manager)
    client.post(action_url(staff.worker, "deactivate"))

    actions = client.get(INDEX).context["actions"]

    assert [(a["entry"].label, str(a["label"]), a["entry"].user) for a in actions] == [
        ("referente", "Compte du service désactivé", staff.manager)
    ]


def test_deactivating_a_workers_account_warns_of_her_open_requests(client, staff):
    worker = make_worker("Mme Claire Leroy", user=staff.worker)
    AppointmentRequestFactory(assigned_worker=worker)
    AppointmentRequestFactory(assigned_worker=worker, status=AppointmentRequest.Status.DONE)
    login_staff(client, staff.manager)

    page = client.get(action_url(staff.worker, "deactivate"))

    assert page.context["open_requests"] == 1
    assert "encore 1 demande en cours" in page.content.decode()


def test_an_account_without_e_mail_is_not_reset(client, staff, mailoutbox):
    get_user_model().objects.filter(pk=staff.worker.pk).update(email="")
    login_staff(client, staff.manager)

    client.post(action_url(staff.worker, "reset"))

    staff.worker.refresh_from_db()
    assert staff.worker.has_usable_password() and not mailoutbox


def test_a_reset_locks_out_the_old_password_and_phone_and_sends_a_link(client, staff, mailoutbox):
    worker_client = login_staff(Client(), staff.worker)
    assert TOTPDevice.objects.filter(user=staff.worker).count() == 1
    login_staff(client, staff.manager)

    response = client.post(action_url(staff.worker, "reset"))

    assert response.status_code == 302
    staff.worker.refresh_from_db()
    assert not staff.worker.has_usable_password()
    assert not TOTPDevice.objects.filter(user=staff.worker).exists()
    assert worker_client.get("/admin/").status_code == 302, "the session of the old password ends"
    assert [message.to for message in mailoutbox] == [[staff.worker.email]]
    assert "/admin/password_reset/" in link_in(mailoutbox[0])
    entry = ModelLogEntry.objects.get(action=staff_accounts.RESET)
    assert entry.user_id == staff.manager.pk and entry.data == {"devices": 1}
    # The same rule as the superuser's lost-phone reset (portal.two_factor.reset) logs its own line.
    assert ModelLogEntry.objects.filter(action="portal.two_factor_reset", user=staff.manager).count() == 1


@pytest.mark.parametrize("action", ["deactivate", "reactivate", "reset"])
@pytest.mark.parametrize("target", ["superuser", "manager", "staff_flag", "extra_group", "own_permission"])
def test_forged_posts_on_accounts_she_may_not_change_are_refused(client, staff, action, target, mailoutbox):
    if target == "staff_flag":
        account = UserFactory(groups=[WORKERS], is_staff=True)
    elif target == "extra_group":
        account = UserFactory(groups=[WORKERS, "Editors"])
    elif target == "own_permission":
        account = UserFactory(groups=[WORKERS])
        account.user_permissions.add(Permission.objects.get(codename="view_access_log"))
    else:
        account = getattr(staff, target)  # the superuser, or the manager herself
    password = account.password
    login_staff(client, staff.manager)

    assert client.get(action_url(account, action)).status_code == 403
    assert client.post(action_url(account, action)).status_code == 403

    account.refresh_from_db()
    assert account.is_active and account.password == password
    assert not mailoutbox
    assert not ModelLogEntry.objects.filter(action__startswith="portal.staff_account").exists()


def test_an_account_outside_the_services_groups_is_not_found(client, staff):
    login_staff(client, staff.manager)

    assert client.post(action_url(staff.outsider, "deactivate")).status_code == 404
    staff.outsider.refresh_from_db()
    assert staff.outsider.is_active


@pytest.mark.parametrize("action", ["delete", "promote", "superuser", "0"])
def test_an_unknown_action_is_not_found(client, staff, action):
    login_staff(client, staff.manager)

    assert client.post(action_url(staff.worker, action)).status_code == 404


@pytest.mark.parametrize("role", ["worker", "assistant", "communication"])
def test_other_roles_change_no_account(client, staff, role, mailoutbox):
    login_staff(client, getattr(staff, role))

    assert client.get(INDEX).status_code == 403
    assert client.post(CREATE, new_account_data()).status_code == 403
    assert client.post(action_url(staff.worker if role != "worker" else staff.assistant, "reset")).status_code == 403
    assert not User.objects.filter(email__iexact="nadia.haddad@ccas.example.fr").exists()
    assert not mailoutbox
    assert INDEX not in client.get("/admin/").content.decode()


def test_the_menu_offers_the_accounts_to_the_manager(client, staff):
    login_staff(client, staff.manager)

    assert INDEX in client.get("/admin/").content.decode()


def test_the_actions_need_the_csrf_token(staff):
    client = Client(enforce_csrf_checks=True)
    login_staff(client, staff.manager)

    assert client.post(action_url(staff.worker, "deactivate")).status_code == 403
    staff.worker.refresh_from_db()
    assert staff.worker.is_active


@pytest.mark.parametrize("codename", ["manage_staff_accounts", "view_worker_statistics"])
def test_the_migration_gives_the_new_permissions_to_the_manager_group_only(codename):
    holders = Group.objects.filter(permissions__codename=codename).values_list("name", flat=True)

    assert list(holders) == [MANAGER]
