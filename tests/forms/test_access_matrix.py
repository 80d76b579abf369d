"""Who may open what on the workers' side (DESIGN.md rule 4, professional secrecy).

Each role against each page and action of a request in the referente's queue: the worker
of that queue, another worker, the manager, an assistant, a communication user."""

import re

import pytest
from django.urls import reverse

from forms.booking.slots import worker_free_slots
from forms.models import AppointmentRequest, RequestEvent
from services.models import SocialWorker, WorkerAbsence
from tests.factories import AppointmentRequestFactory, make_absence
from tests.forms.workers_side import future
from tests.helpers import login_staff

Status = AppointmentRequest.Status

ALLOWED, HIDDEN, FORBIDDEN = "allowed", "hidden", "forbidden"
ROLE_ACCESS = {
    # role: (access to the referente's request, may read statistics)
    "worker": (ALLOWED, False),
    "other_worker": (HIDDEN, False),
    "manager": (ALLOWED, True),
    "assistant": (ALLOWED, True),
    "communication": (FORBIDDEN, False),
}
ROLES = list(ROLE_ACCESS)


def status_for(access, ok):
    return {ALLOWED: ok, HIDDEN: 404, FORBIDDEN: 403}[access]


def login(client, world, role):
    login_staff(client, world.users()[role])
    return client


# Each action: (state of a fresh request in the referente's queue, POST data, the status after it)
ACTIONS = {
    "acknowledge": ({}, {}, Status.ACKNOWLEDGED),
    "schedule": (
        {"status": Status.ACKNOWLEDGED},
        {
            "schedule-day": future().date().isoformat(),
            "schedule-time": "10:00",
            "schedule-duration": "30",
            "schedule-place": "CCAS",
        },
        Status.SCHEDULED,
    ),
    "reschedule": (
        {"status": Status.SCHEDULED, "slot_start": future(days=3)},
        {
            "reschedule-day": future().date().isoformat(),
            "reschedule-time": "11:00",
            "reschedule-duration": "30",
            "reschedule-place": "CCAS",
        },
        Status.SCHEDULED,
    ),
    # Marked honoured or missed once the appointment has started (yesterday, two days ago).
    "done": ({"status": Status.SCHEDULED, "slot_start": future(days=-1)}, {}, Status.DONE),
    "no_show": ({"status": Status.SCHEDULED, "slot_start": future(days=-2)}, {}, Status.NO_SHOW),
    "cancel": ({}, {"cancel-reason": "Doublon"}, Status.CANCELLED_SERVICE),
    "reassign": ({}, {"reassign-worker": "", "reassign-reason": "Triage"}, Status.NEW),
    "note": ({}, {"note-text": "Appeler lundi"}, Status.NEW),
}


@pytest.mark.parametrize("role", ROLES)
@pytest.mark.parametrize(
    "page",
    [
        "listing",
        "detail",
        "history",
        "agenda",
        "report",
        "csv_export",
        "xlsx_export",
        "calendar_feed",
        "record",
        "annual_report",
        "leave",
    ],
)
def test_each_role_gets_the_expected_status_on_each_page(client, world, role, page):
    access, statistics = ROLE_ACCESS[role]
    pk = world.request.pk
    urls = {
        "listing": (reverse("forms_admin:index"), 200 if access != FORBIDDEN else 403),
        "detail": (reverse("forms_admin:detail", args=[pk]), status_for(access, 200)),
        "history": (reverse("forms_admin:history", args=[pk]), status_for(access, 200)),
        "agenda": (reverse("forms_admin:agenda"), 200 if access != FORBIDDEN else 403),
        "report": (reverse("forms_admin:statistics"), 200 if statistics else 403),
        "csv_export": (reverse("forms_admin:statistics") + "?export=csv", 200 if statistics else 403),
        "xlsx_export": (reverse("forms_admin:statistics") + "?export=xlsx", 200 if statistics else 403),
        # Her own feed's page: for an account linked to a worker only.
        "calendar_feed": (reverse("forms_admin:calendar_feed"), 200 if role in ("worker", "other_worker") else 403),
        # Recording a request taken at the permanence: each worker into their own queue.
        "record": (reverse("forms_admin:record"), 200 if access != FORBIDDEN else 403),
        "annual_report": (reverse("forms_admin:annual_report"), 200 if statistics else 403),
        # Declaring an absence: each worker her own, the manager and assistants anyone's.
        "leave": (reverse("forms_admin:leave"), 200 if access != FORBIDDEN else 403),
    }
    url, expected = urls[page]

    response = login(client, world, role).get(url)

    assert response.status_code == expected


@pytest.mark.parametrize("role", ROLES)
@pytest.mark.parametrize("action", list(ACTIONS))
def test_each_role_gets_the_expected_status_on_each_action(client, world, role, action):
    state, data, status_after = ACTIONS[action]
    request = AppointmentRequestFactory(school=world.school, assigned_worker=world.leroy, **state)
    access, _statistics = ROLE_ACCESS[role]

    response = login(client, world, role).post(reverse("forms_admin:action", args=[request.pk, action]), data)

    assert response.status_code == status_for(access, 302)
    request.refresh_from_db()
    events = set(request.events.values_list("kind", flat=True))
    if access == ALLOWED:
        # Handed to the service queue, the request leaves the worker's queue: she lands on her queue.
        gone = role == "worker" and action == "reassign"
        landing = reverse("forms_admin:index") if gone else reverse("forms_admin:detail", args=[request.pk])
        assert response["Location"] == landing
        assert request.status == status_after
        assert events - {RequestEvent.Kind.CREATED}, "the action is recorded in the timeline"
    else:
        assert request.status == state.get("status", Status.NEW)
        assert events == {RequestEvent.Kind.CREATED}


@pytest.mark.parametrize("action", list(ACTIONS))
def test_actions_refuse_get(client, world, action):
    response = login(client, world, "worker").get(reverse("forms_admin:action", args=[world.request.pk, action]))

    assert response.status_code == 405


def test_actions_need_the_csrf_token(world):
    from django.test import Client

    client = Client(enforce_csrf_checks=True)
    login_staff(client, world.worker)

    response = client.post(reverse("forms_admin:action", args=[world.request.pk, "acknowledge"]))

    assert response.status_code == 403
    world.request.refresh_from_db()
    assert world.request.status == Status.NEW


def test_anonymous_visitors_are_sent_to_the_login_page(client, world):
    for url in [
        reverse("forms_admin:index"),
        reverse("forms_admin:detail", args=[world.request.pk]),
        reverse("forms_admin:agenda"),
        reverse("forms_admin:calendar_feed"),
        reverse("forms_admin:statistics") + "?export=csv",
        reverse("forms_admin:record"),
        reverse("forms_admin:annual_report"),
        reverse("forms_admin:leave"),
    ]:
        response = client.get(url)
        assert response.status_code == 302
        assert response["Location"].startswith("/admin/login/")


def test_a_worker_lists_only_their_own_queue(client, world):
    response = login(client, world, "worker").get(reverse("forms_admin:index"))

    content = response.content.decode()
    assert world.request.reference in content
    assert world.other_request.reference not in content
    assert world.service_request.reference not in content
    assert world.other_request.parent_name not in content


def test_a_worker_cannot_widen_their_queue_with_the_queue_filter(client, world):
    url = reverse("forms_admin:index") + "?queue=all"

    content = login(client, world, "worker").get(url).content.decode()

    assert world.other_request.reference not in content
    assert world.service_request.reference not in content


def test_a_worker_cannot_open_another_workers_agenda(client, world):
    url = reverse("forms_admin:agenda") + f"?worker={world.benali.pk}"

    assert login(client, world, "worker").get(url).status_code == 404


def test_linking_a_communication_account_to_a_worker_gives_it_nothing(client, world):
    # Communication staff may edit workers' records: a link to their own account opens no queue.
    world.leroy.user = world.communication
    world.leroy.save(update_fields=["user"])

    login_staff(client, world.communication)

    assert client.get(reverse("forms_admin:index")).status_code == 403
    assert client.get(reverse("forms_admin:detail", args=[world.request.pk])).status_code == 403
    assert client.get(reverse("forms_admin:calendar_feed")).status_code == 403
    assert client.post(reverse("forms_admin:calendar_feed"), {"action": "reset"}).status_code == 403


def personal_data(world):
    """Everything that would betray a request: references, names, phones, children, messages."""
    values = []
    for request in AppointmentRequest.objects.all():
        values += [request.reference, request.parent_name, request.phone, request.child_first_name, request.message]
    return [v for v in values if v]


def test_no_page_a_communication_user_can_open_shows_anything_of_a_request(client, world):
    # Activity to show, if anything leaked: readings and a reassignment by the staff.
    for role in ("worker", "manager"):
        login(client, world, role).get(reverse("forms_admin:detail", args=[world.request.pk]))
    login(client, world, "manager").post(
        reverse("forms_admin:action", args=[world.service_request.pk, "reassign"]),
        {"reassign-worker": world.leroy.pk, "reassign-reason": "Triage"},
    )
    client.logout()
    login_staff(client, world.communication)
    pages = [
        "/admin/",
        "/admin/pages/",
        f"/admin/pages/{world.school.pk}/",
        f"/admin/pages/{world.school.pk}/edit/",
        f"/admin/pages/{world.school.pk}/usage/",
        f"/admin/pages/{world.school.pk}/history/",
        "/admin/reports/site-history/",
        "/admin/reports/site-history/?export=csv",
        f"/admin/snippets/services/socialworker/edit/{world.leroy.pk}/",
        f"/admin/snippets/services/socialworker/usage/{world.leroy.pk}/",
        f"/admin/snippets/services/socialworker/history/{world.leroy.pk}/",
        "/admin/snippets/services/socialworker/",
    ]
    search = reverse("wagtailadmin_pages:search")
    pages += [f"{search}?q={value}" for value in (world.request.reference, world.request.parent_name)]
    pages += [
        reverse("forms_admin:index"),
        reverse("forms_admin:index") + f"?q={world.request.reference}",
        reverse("forms_admin:detail", args=[world.request.pk]),
        reverse("forms_admin:history", args=[world.request.pk]),
        reverse("forms_admin:agenda"),
        reverse("forms_admin:statistics"),
        reverse("forms_admin:statistics") + "?export=csv",
    ]
    secrets = personal_data(world)

    opened = 0
    for url in pages:
        response = client.get(url)
        if response.status_code == 200:
            opened += 1
        body = b"".join(response.streaming_content) if response.streaming else response.content
        text = body.decode(errors="replace")
        searched = url.partition("?q=")[2]
        if url.startswith(search):
            # The search page repeats what was typed; it must find nothing and offer no request search.
            assert len(response.context["object_list"]) == 0
            assert "forms-requests" not in text
        leaked = [value for value in secrets if value in text and value != searched]
        assert not leaked, f"{url} shows {leaked}"

    assert opened == len(pages) - 7, "every page outside the requests opens: the check is not vacuous"


def test_a_communication_user_has_no_request_menu_item_nor_dashboard_panel(client, world):
    content = login(client, world, "communication").get("/admin/").content.decode()

    assert reverse("forms_admin:index") not in content
    assert reverse("forms_admin:statistics") not in content
    assert "Mes nouvelles demandes" not in content


def test_the_menu_counts_the_new_requests_of_the_users_queue(client, world):
    AppointmentRequestFactory(school=world.school, assigned_worker=world.leroy)

    content = login(client, world, "worker").get("/admin/").content.decode()

    assert re.search(r"Demandes \(2\)", content)


def test_wagtail_site_history_shows_request_activity_to_the_manager_only(client, world):
    # The referente reads and acknowledges her request: two log entries labelled with its reference.
    login(client, world, "worker").get(reverse("forms_admin:detail", args=[world.request.pk]))
    client.post(reverse("forms_admin:action", args=[world.request.pk, "acknowledge"]))
    site_history = reverse("wagtailadmin_reports:site_history")

    seen = {}
    for role in ROLES:
        content = login(client, world, role).get(site_history).content.decode()
        seen[role] = world.request.reference in content

    assert seen == {
        "worker": False,  # her own activity is in the request's journal; the site history is for supervision
        "other_worker": False,
        "manager": True,
        "assistant": True,
        "communication": False,
    }


# Absences and a worker's private fields (notification address, activity, account) choose who
# reads a family's request: the manager's and the assistants', never the communication staff's.
ROUTING_ROLES = {"worker": False, "manager": True, "assistant": True, "communication": False}


@pytest.mark.parametrize("role", list(ROUTING_ROLES))
def test_only_the_manager_and_assistants_open_and_change_the_absences(client, world, role):
    absence = make_absence(world.leroy, future().date(), future().date())
    allowed = ROUTING_ROLES[role]
    login(client, world, role)

    listing = client.get("/admin/snippets/services/workerabsence/")
    edit = client.get(f"/admin/snippets/services/workerabsence/edit/{absence.pk}/")
    add = client.get("/admin/snippets/services/workerabsence/add/")
    client.post(
        f"/admin/snippets/services/workerabsence/edit/{absence.pk}/",
        {"worker": world.leroy.pk, "first_day": absence.first_day, "last_day": absence.last_day, "note": "Prolongée"},
    )

    assert (listing.status_code == 200) is allowed
    assert (edit.status_code == 200) is allowed
    # A new absence is declared where its requests are moved in the same step.
    assert (add.get("Location") == reverse("forms_admin:leave")) is allowed
    assert WorkerAbsence.objects.filter(pk=absence.pk, note="Prolongée").exists() is allowed


def worker_edit_url(worker):
    return f"/admin/snippets/services/socialworker/edit/{worker.pk}/"


def worker_form(worker, action="action-publish", **data):
    fields = {"public_name": worker.public_name, "job": worker.job, "public_phone": worker.public_phone}
    return {**fields, "email": worker.email, "active": "on", action: action, **data}


@pytest.mark.parametrize("role", ["manager", "assistant", "communication"])
def test_a_workers_private_fields_are_shown_and_changed_by_the_manager_and_assistants_only(client, world, role):
    world.leroy.save_revision().publish()
    allowed = ROUTING_ROLES[role]
    login(client, world, role)

    page = client.get(worker_edit_url(world.leroy))
    response = client.post(
        worker_edit_url(world.leroy),
        worker_form(world.leroy, public_phone="01 99 99 99 99", email="intrus@example.org", active=""),
    )

    assert page.status_code == 200
    content = page.content.decode()
    assert ('name="email"' in content) is allowed
    assert ('name="active"' in content) is allowed
    assert response.status_code == 302
    worker = SocialWorker.objects.get(pk=world.leroy.pk)
    assert worker.public_phone == "01 99 99 99 99", "every role keeps the public directory"
    assert (worker.email == "intrus@example.org") is allowed
    assert worker.active is not allowed


def test_publishing_an_old_draft_never_brings_back_an_old_address_or_activity(client, world):
    world.leroy.save_revision().publish()
    login(client, world, "communication")
    client.post(worker_edit_url(world.leroy), worker_form(world.leroy, action="action-draft", public_phone="01 11"))
    # Meanwhile the service changes where her requests' messages go and deactivates her.
    SocialWorker.objects.filter(pk=world.leroy.pk).update(email="nouvelle@ccas.example.fr", active=False)

    page = client.get(worker_edit_url(world.leroy))
    client.post(worker_edit_url(world.leroy), worker_form(world.leroy, public_phone="01 11"))

    assert "01 11" in page.content.decode(), "the form shows the draft"
    worker = SocialWorker.objects.get(pk=world.leroy.pk)
    assert (worker.public_phone, worker.email, worker.active) == ("01 11", "nouvelle@ccas.example.fr", False)


@pytest.mark.parametrize("role", ["manager", "assistant", "communication"])
def test_the_workers_listing_shows_and_filters_their_activity_to_the_manager_and_assistants_only(client, world, role):
    login(client, world, role)

    listing = client.get("/admin/snippets/services/socialworker/")
    export = client.get("/admin/snippets/services/socialworker/?export=csv")

    assert listing.status_code == 200
    assert ('name="active"' in listing.content.decode()) is ROUTING_ROLES[role]
    assert ("En activité" in listing.content.decode()) is ROUTING_ROLES[role]
    heading = b"".join(export.streaming_content).decode().splitlines()[0]
    assert ("activité" in heading) is ROUTING_ROLES[role]


# Issue 15, statistics per worker and the manager's staff accounts (branch staffstats).
STAFFSTATS_PAGES = {
    # page: (URL builder, the roles that get 200; every other role gets 403)
    # The comparison of the workers is the manager's; the assistants read the service's statistics.
    "worker_statistics": (lambda world: reverse("forms_admin:worker_statistics"), {"manager"}),
    "worker_statistics_results": (lambda world: reverse("forms_admin:worker_statistics_results"), {"manager"}),
    "worker_statistics_csv": (
        lambda world: reverse("forms_admin:worker_statistics") + "?export=csv&table=schools",
        {"manager"},
    ),
    "my_figures": (lambda world: reverse("forms_admin:my_figures"), {"worker", "other_worker"}),
    "my_figures_results": (lambda world: reverse("forms_admin:my_figures_results"), {"worker", "other_worker"}),
    "my_figures_csv": (
        lambda world: reverse("forms_admin:my_figures") + "?export=csv&table=lead_times",
        {"worker", "other_worker"},
    ),
    "staff_accounts": (lambda world: reverse("staff_accounts:index"), {"manager"}),
    "staff_account_create": (lambda world: reverse("staff_accounts:create"), {"manager"}),
    "staff_account_confirm": (
        lambda world: reverse("staff_accounts:action", args=[world.worker.pk, "reset"]),
        {"manager"},
    ),
}


@pytest.mark.parametrize("role", ROLES)
@pytest.mark.parametrize("page", list(STAFFSTATS_PAGES))
def test_each_role_gets_the_expected_status_on_the_figures_and_accounts_pages(client, world, role, page):
    url, allowed = STAFFSTATS_PAGES[page]

    response = login(client, world, role).get(url(world))

    assert response.status_code == (200 if role in allowed else 403)


ACCOUNT_ACTIONS = {
    # action: (the account's active flag before, what the action leaves)
    "deactivate": (True, lambda account: not account.is_active),
    "reactivate": (False, lambda account: account.is_active),
    "reset": (True, lambda account: not account.has_usable_password()),
}


@pytest.mark.parametrize("role", ROLES)
@pytest.mark.parametrize("action", list(ACCOUNT_ACTIONS))
def test_only_the_manager_acts_on_a_staff_account(client, world, role, action):
    active, done = ACCOUNT_ACTIONS[action]
    target = world.assistant if role == "worker" else world.worker
    target.is_active = active
    target.save(update_fields=["is_active"])

    response = login(client, world, role).post(reverse("staff_accounts:action", args=[target.pk, action]))

    target.refresh_from_db()
    assert response.status_code == (302 if role == "manager" else 403)
    assert done(target) is (role == "manager")


@pytest.mark.parametrize("role", ROLES)
def test_only_the_manager_creates_a_staff_account(client, world, role):
    from django.contrib.auth import get_user_model

    data = {"first_name": "Nadia", "last_name": "Haddad", "email": "nadia@ccas.example.fr", "group": "Secrétariat"}

    response = login(client, world, role).post(reverse("staff_accounts:create"), data)

    created = get_user_model().objects.filter(email="nadia@ccas.example.fr").exists()
    assert (response.status_code, created) == ((302, True) if role == "manager" else (403, False))


def test_anonymous_visitors_are_sent_to_the_login_page_from_the_figures_and_accounts(client, world):
    for page, (url, _allowed) in STAFFSTATS_PAGES.items():
        response = client.get(url(world))
        assert response.status_code == 302, page
        assert response["Location"].startswith("/admin/login/"), page


# Bulk actions of the queue (forms.admin.bulk), and scheduling from free slots (branch schedule).


@pytest.mark.parametrize("role", ROLES)
@pytest.mark.parametrize(
    "action,data,status_after",
    [
        ("acknowledge", {}, Status.ACKNOWLEDGED),
        ("reassign", {"worker": "", "reason": "Triage"}, Status.NEW),
    ],
)
def test_each_role_gets_the_expected_outcome_of_a_bulk_action(client, world, role, action, data, status_after):
    request = AppointmentRequestFactory(school=world.school, assigned_worker=world.leroy)
    access, _statistics = ROLE_ACCESS[role]

    response = login(client, world, role).post(
        reverse("forms_admin:bulk_action"), {"selected": [request.pk], "action": action, **data}
    )

    # Forbidden to communication staff; for the others back to the queue, acted on only when seen.
    assert response.status_code == (403 if access == FORBIDDEN else 302)
    request.refresh_from_db()
    events = set(request.events.values_list("kind", flat=True))
    if access == ALLOWED:
        assert response["Location"] == reverse("forms_admin:index")
        assert request.status == status_after and events - {RequestEvent.Kind.CREATED}
        assert (request.assigned_worker is None) == (action == "reassign")
    else:
        assert request.status == Status.NEW and request.assigned_worker == world.leroy
        assert events == {RequestEvent.Kind.CREATED}


@pytest.mark.parametrize("role", ROLES)
def test_each_role_gets_the_expected_status_scheduling_a_free_slot(client, world, role):
    request = AppointmentRequestFactory(school=world.school, assigned_worker=world.leroy)
    [(_school, slot), *_rest] = worker_free_slots(world.leroy)
    access, _statistics = ROLE_ACCESS[role]

    response = login(client, world, role).post(
        reverse("forms_admin:action", args=[request.pk, "schedule"]), {"schedule-slot": slot.key}
    )

    assert response.status_code == status_for(access, 302)
    request.refresh_from_db()
    assert (request.slot_start == slot.start) == (access == ALLOWED)
