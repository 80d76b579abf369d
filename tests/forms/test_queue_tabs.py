"""The queue's tabs (Nouvelles, En cours, À venir, Closes) with their counts in the current
queue, and the "new since your last visit" marker."""

from datetime import timedelta

from django.urls import reverse
from django.utils import timezone

from forms.admin.queue import NEW_SINCE_LAST_VISIT
from forms.models import AccessRecord, AppointmentRequest
from tests.factories import AppointmentRequestFactory
from tests.forms.workers_side import future
from tests.helpers import login_staff, parse

Status = AppointmentRequest.Status
QUEUE = reverse("forms_admin:index")


def listed(client, query=None):
    response = client.get(QUEUE, query or {})
    assert response.status_code == 200
    return response, {r.reference for r in response.context["object_list"]}


def test_tabs_filter_the_queue_and_count_it(client, world):
    leroy, school = world.leroy, world.school
    world.request.status = Status.NEW  # world.request: new, no slot
    acknowledged = AppointmentRequestFactory(school=school, assigned_worker=leroy, status=Status.ACKNOWLEDGED)
    coming = AppointmentRequestFactory(
        school=school, assigned_worker=leroy, status=Status.SCHEDULED, slot_start=future(3), slot_end=future(3, 10, 30)
    )
    past = AppointmentRequestFactory(
        school=school,
        assigned_worker=leroy,
        status=Status.SCHEDULED,
        slot_start=timezone.now() - timedelta(days=2),
        slot_end=timezone.now() - timedelta(days=2) + timedelta(minutes=30),
    )
    done = AppointmentRequestFactory(school=school, assigned_worker=leroy, status=Status.DONE)
    login_staff(client, world.worker)
    assert listed(client, {"tab": "new"})[1] == {world.request.reference}
    assert listed(client, {"tab": "in_progress"})[1] == {acknowledged.reference, past.reference}
    assert listed(client, {"tab": "upcoming"})[1] == {coming.reference}
    assert listed(client, {"tab": "closed"})[1] == {done.reference}
    response, everything = listed(client)
    assert len(everything) == 5
    tabs = [a.get_text(strip=True) for a in parse(response).select("nav.queue-tabs a")]
    assert tabs == ["Toutes", "Nouvelles (1)", "En cours (2)", "À venir (1)", "Closes (1)"]
    current = parse(client.get(QUEUE, {"tab": "closed"})).select_one("nav.queue-tabs a[aria-current=page]")
    assert current.get_text(strip=True) == "Closes (1)"


def test_the_counts_are_those_of_the_chosen_queue(client, world):
    login_staff(client, world.manager)
    response, _refs = listed(client, {"queue": "service"})
    tabs = [a.get_text(strip=True) for a in parse(response).select("nav.queue-tabs a")]
    assert "Nouvelles (1)" in tabs  # the service queue holds one new request


def test_requests_arrived_since_the_last_visit_are_marked(client, world):
    login_staff(client, world.worker)
    listed(client)
    AccessRecord.objects.update(at=timezone.now() - timedelta(hours=1))
    AppointmentRequest.objects.filter(pk=world.request.pk).update(created_at=timezone.now() - timedelta(hours=2))
    fresh = AppointmentRequestFactory(school=world.school, assigned_worker=world.leroy)
    response, _refs = listed(client)
    rows = {
        row.find("a").get_text(strip=True): row.get_text(" ", strip=True) for row in parse(response).select("tbody tr")
    }
    assert str(NEW_SINCE_LAST_VISIT) in rows[fresh.reference]
    assert str(NEW_SINCE_LAST_VISIT) not in rows[world.request.reference]
    # The first visit marks nothing: there is no last visit to compare with.
    login_staff(client, world.other_worker)
    response, _refs = listed(client)
    assert str(NEW_SINCE_LAST_VISIT) not in response.content.decode()
