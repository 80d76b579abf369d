"""The queue listing: whose requests, filters, search by reference, planned queries."""

from datetime import timedelta

from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.urls import reverse
from django.utils import timezone

from forms.models import AppointmentRequest
from tests.factories import AppointmentRequestFactory
from tests.forms.workers_side import future
from tests.helpers import login_staff

Status = AppointmentRequest.Status
# 14, plus the two-factor device that verified the session (django_otp.middleware.OTPMiddleware),
# the access record of the listing and the last visit (forms.records.audit), and the tabs'
# counts (one aggregate), and the workers the bulk "Réaffecter" offers (one query, whatever the
# number of rows).
LISTING_QUERIES = 19


def listed(client, user, query=""):
    login_staff(client, user)
    response = client.get(reverse("forms_admin:index") + query)
    assert response.status_code == 200
    return {r.reference for r in response.context["object_list"]}


def test_a_worker_sees_their_queue_including_requests_routed_to_them_as_replacement(client, world):
    replacement = AppointmentRequestFactory(
        school=world.other_school, assigned_worker=world.leroy, routed_as=AppointmentRequest.Routing.REPLACEMENT
    )

    refs = listed(client, world.worker)

    assert refs == {world.request.reference, replacement.reference}


def test_the_manager_sees_every_queue_by_default_and_can_pick_one(client, world):
    everything = {world.request.reference, world.other_request.reference, world.service_request.reference}

    assert listed(client, world.manager) == everything
    assert listed(client, world.manager, "?queue=service") == {world.service_request.reference}
    assert listed(client, world.manager, f"?queue=w{world.benali.pk}") == {world.other_request.reference}


def test_an_assistant_linked_to_a_worker_starts_on_their_own_queue(client, world):
    world.assistant.groups.add(*world.worker.groups.all())
    world.benali.user = world.assistant
    world.benali.save(update_fields=["user"])

    assert listed(client, world.assistant) == {world.other_request.reference}
    assert len(listed(client, world.assistant, "?queue=all")) == 3


def test_the_listing_title_names_the_queue(client, world):
    login_staff(client, world.worker)
    assert "Ma file" in client.get(reverse("forms_admin:index")).content.decode()
    login_staff(client, world.manager)
    assert "File du service" in client.get(reverse("forms_admin:index") + "?queue=service").content.decode()


def test_search_finds_a_reference_however_it_is_typed(client, world):
    reference = world.request.reference
    typed = reference.replace("-", " ").lower()

    assert listed(client, world.manager, f"?q={typed}") == {reference}
    assert listed(client, world.manager, f"?q={reference.replace('-', '')}") == {reference}


def test_search_stays_inside_the_users_queue(client, world):
    assert listed(client, world.worker, f"?q={world.other_request.reference}") == set()


def test_filters_narrow_the_queue(client, world):
    Mode, Reason = AppointmentRequest.Mode, AppointmentRequest.Reason
    arabic = AppointmentRequestFactory(
        school=world.school, assigned_worker=world.leroy, language="ar", interpreter_needed=True, mode=Mode.HOME
    )
    declined = AppointmentRequestFactory(
        school=world.school, assigned_worker=world.leroy, captcha=AppointmentRequest.Captcha.DECLINED
    )
    done = AppointmentRequestFactory(
        school=world.school, assigned_worker=world.leroy, status=Status.DONE, reason=Reason.HEALTH
    )
    old = AppointmentRequestFactory(
        school=world.school, assigned_worker=world.leroy, created_at=timezone.now() - timedelta(days=60)
    )
    user = world.worker

    assert listed(client, user, "?language=ar") == {arabic.reference}
    assert listed(client, user, "?interpreter_needed=true") == {arabic.reference}
    assert listed(client, user, "?mode=home") == {arabic.reference}
    assert listed(client, user, "?captcha_declined=true") == {declined.reference}
    assert listed(client, user, "?status=done") == {done.reference}
    assert listed(client, user, "?reason=health") == {done.reference}
    assert old.reference not in listed(client, user, f"?created_at_from={(timezone.now() - timedelta(days=7)).date()}")
    assert listed(client, user, f"?created_at_to={(timezone.now() - timedelta(days=30)).date()}") == {old.reference}
    assert listed(client, world.manager, f"?school={world.other_school.pk}") == {world.other_request.reference}


def test_the_queue_is_never_exported(client, world):
    login_staff(client, world.manager)

    response = client.get(reverse("forms_admin:index") + "?export=csv")

    assert response["Content-Type"].startswith("text/html")


def count_listing_queries(client, user, query="?queue=all"):
    login_staff(client, user)
    client.get(reverse("forms_admin:index"))  # warm the session and the permission caches
    with CaptureQueriesContext(connection) as queries:
        response = client.get(reverse("forms_admin:index") + query)
    assert response.status_code == 200
    return len(queries), len(response.context["object_list"])


def make_many(world, count, start=0):
    for n in range(start, start + count):
        worker = [world.leroy, world.benali, None][n % 3]
        school = {world.leroy: world.school, world.benali: world.other_school}.get(worker)
        slot = future(days=5 + n // 10, hour=9, minute=(n % 10) * 5) if n % 2 else None
        AppointmentRequestFactory(
            school=school, assigned_worker=worker, slot_start=slot, status=Status.SCHEDULED if slot else Status.NEW
        )


def test_the_listing_query_count_does_not_grow_with_the_page_size(client, world, django_assert_max_num_queries):
    make_many(world, 7)  # 10 requests in all
    small, small_rows = count_listing_queries(client, world.manager)
    make_many(world, 60, start=7)
    large, large_rows = count_listing_queries(client, world.manager)

    assert (small_rows, large_rows) == (10, 50)
    assert small == large
    with django_assert_max_num_queries(LISTING_QUERIES):
        client.get(reverse("forms_admin:index") + "?queue=all")
    login_staff(client, world.worker)
    with django_assert_max_num_queries(LISTING_QUERIES):
        client.get(reverse("forms_admin:index"))
