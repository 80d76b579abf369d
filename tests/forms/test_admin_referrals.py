"""Referrals and staff-recorded requests on the workers' side (issue 14): the queue and the
request page show the source and the unverified-referrer flag, "call the family" comes first
on a referral; who may record a request taken at the permanence or by phone."""

from __future__ import annotations

import uuid

import pytest
from django.urls import reverse
from django.utils import timezone

from forms.booking.create import create_request
from forms.models import AppointmentRequest
from tests.helpers import login_staff, parse

pytestmark = pytest.mark.django_db

Source = AppointmentRequest.Source


def make_referral(school, verified=False, role="teacher"):
    return create_request(
        school=school,
        mode=AppointmentRequest.Mode.PHONE,
        slot=None,
        data={
            "reason": "schooling",
            "requester": "parent",
            "parent_name": "Amina Benali",
            "phone": "+33612345678",
            "notify_by": "sms",
        },
        language="ar",
        captcha="off",
        submission_key=uuid.uuid4(),
        referral={
            "referrer_name": "Sophie Durand",
            "referrer_role": role,
            "organisation": "",
            "referrer_email": "sophie@gmail.com" if not verified else "sophie@ac-versailles.fr",
            "referrer_verified": verified,
            "context": "Fatigue en classe",
            "parent_agreement_at": timezone.now(),
        },
    )


def test_the_queue_shows_the_source_and_flags_an_unverified_referrer(client, world):
    unverified = make_referral(world.school)
    verified = make_referral(world.school, verified=True)
    login_staff(client, world.worker)

    page = parse(client.get(reverse("forms_admin:index")))

    texts = [row.get_text(" ", strip=True) for row in page.select("tbody tr")]
    rows = {text.split(" ")[0]: text for text in texts}
    assert "Enseignant·e" in rows[unverified.reference]
    assert "Référent non vérifié" in rows[unverified.reference]
    assert "Référent non vérifié" not in rows[verified.reference]
    assert "Parent" in rows[world.request.reference]
    assert "Fatigue" not in page.get_text()


def test_the_queue_filters_by_source(client, world):
    referral = make_referral(world.school)
    login_staff(client, world.manager)

    content = client.get(reverse("forms_admin:index") + "?queue=all&source=teacher").content.decode()

    assert referral.reference in content
    assert world.request.reference not in content


def test_the_queue_lists_referrals_in_one_query_set_whatever_their_number(client, world, django_assert_max_num_queries):
    login_staff(client, world.worker)
    client.get(reverse("forms_admin:index"))
    make_referral(world.school)
    with django_assert_max_num_queries(40) as few:
        client.get(reverse("forms_admin:index"))
    baseline = len(few.captured_queries)
    for _ in range(5):
        make_referral(world.school)

    with django_assert_max_num_queries(baseline):
        client.get(reverse("forms_admin:index"))


def test_on_a_referral_call_the_family_is_the_first_action(client, world):
    referral = make_referral(world.school)
    login_staff(client, world.worker)

    page = parse(client.get(reverse("forms_admin:detail", args=[referral.pk])))

    first = page.select_one(".request-buttons > *")
    assert first.name == "a" and first["href"] == "tel:+33612345678"
    assert "Appeler la famille" in first.get_text()
    text = page.get_text(" ", strip=True)
    assert "Orientation par un professionnel" in text
    assert "Sophie Durand" in text and "Fatigue en classe" in text
    assert "Référent non vérifié" in text
    assert "le professionnel, en ligne" in text


def test_a_parents_own_request_has_no_call_first_button_nor_referral_section(client, world):
    login_staff(client, world.worker)

    page = parse(client.get(reverse("forms_admin:detail", args=[world.request.pk])))

    assert page.select_one('[data-action="call-family"]') is None
    assert "Orientation par un professionnel" not in page.get_text()


# Requests taken by staff


def record(client, user, **changes):
    data = {
        "source": Source.PERMANENCE,
        "school": str(changes.pop("school_pk", "")),
        "queue": "routing",
        "requester": "parent",
        "parent_name": "Famille Walk-in",
        "phone": "06 11 22 33 44",
        "email": "",
        "notify_by": "sms",
        "language": "tr",
        "reason": "rights",
        "mode": "ccas",
        "message": "",
        "appointment": "none",
        "consent": "on",
        "submission_key": str(uuid.uuid4()),
    }
    data.update(changes)
    login_staff(client, user)
    return client.post(reverse("forms_admin:record"), data)


def test_a_worker_records_a_walk_in_into_her_own_queue(client, world):
    response = record(client, world.worker, school_pk=world.other_school.pk, queue=str(world.benali.pk))

    request = AppointmentRequest.objects.get(parent_name="Famille Walk-in")
    assert response["Location"] == reverse("forms_admin:detail", args=[request.pk])
    # The other school's referent is Benali, and the form named him: she still records into hers.
    assert (request.assigned_worker, request.routed_as) == (world.leroy, AppointmentRequest.Routing.DIRECT)
    assert request.source == Source.PERMANENCE
    assert request.status == AppointmentRequest.Status.ACKNOWLEDGED
    created = request.events.get(kind="created")
    assert created.user == world.worker and created.data["source"] == Source.PERMANENCE


def test_the_manager_records_by_the_routing_rule_or_into_any_queue(client, world):
    record(client, world.manager, school_pk=world.school.pk, parent_name="Par la règle")
    record(client, world.assistant, school_pk=world.school.pk, parent_name="Directe", queue=str(world.benali.pk))
    record(client, world.manager, school_pk="unknown", parent_name="Sans école", source=Source.PHONE)

    routed = AppointmentRequest.objects.get(parent_name="Par la règle")
    direct = AppointmentRequest.objects.get(parent_name="Directe")
    unknown = AppointmentRequest.objects.get(parent_name="Sans école")
    assert (routed.assigned_worker, routed.routed_as) == (world.leroy, AppointmentRequest.Routing.REFERENT)
    assert (direct.assigned_worker, direct.routed_as) == (world.benali, AppointmentRequest.Routing.DIRECT)
    assert (unknown.assigned_worker, unknown.routed_as, unknown.source) == (None, "service", Source.PHONE)


@pytest.mark.parametrize("role", ["communication", "anonymous"])
def test_communication_staff_and_visitors_cannot_record_a_request(client, world, role):
    if role == "anonymous":
        response = client.post(reverse("forms_admin:record"), {"parent_name": "X"})
        assert response.status_code == 302
    else:
        assert record(client, world.communication, school_pk=world.school.pk).status_code == 403
    assert not AppointmentRequest.objects.filter(parent_name__in=["X", "Famille Walk-in"]).exists()


def test_the_family_is_confirmed_by_its_channel_in_its_language_when_a_mobile_is_given(client, world):
    from forms.models import Notification

    record(client, world.worker, school_pk=world.school.pk)
    request = AppointmentRequest.objects.get(parent_name="Famille Walk-in")

    family = request.notifications.exclude(kind=Notification.Kind.WORKER_NEW)
    assert list(family.values_list("kind", "channel", "language")) == [("parent_confirmation", "sms", "tr")]


def test_no_message_goes_to_a_family_that_left_no_contact(client, world):
    from forms.models import Notification

    record(client, world.worker, school_pk=world.school.pk, phone="")

    request = AppointmentRequest.objects.get(parent_name="Famille Walk-in")
    assert list(request.notifications.values_list("kind", flat=True)) == [Notification.Kind.WORKER_NEW]


def test_staff_book_a_free_slot_of_the_schools_permanence(client, world):
    from forms.booking.slots import free_slots

    slot = free_slots(world.school)[0]

    response = record(client, world.manager, school_pk=world.school.pk, appointment="slot", slot=slot.key)

    request = AppointmentRequest.objects.get(parent_name="Famille Walk-in")
    assert response.status_code == 302
    assert (request.slot_start, request.mode, request.assigned_worker) == (slot.start, "school", world.leroy)
    assert slot.key not in [s.key for s in free_slots(world.school)]


def test_the_slot_list_is_shown_for_the_chosen_school_without_javascript(client, world):
    from forms.booking.slots import free_slots

    login_staff(client, world.worker)
    response = client.post(reverse("forms_admin:record"), {"school": world.school.pk, "show_slots": "1"})

    options = [o["value"] for o in parse(response).select("#id_slot option")]
    assert free_slots(world.school)[0].key in options
    assert AppointmentRequest.objects.count() == 3, "showing the slots records nothing"


def test_staff_fix_another_time_held_by_the_same_constraint(client, world):
    from tests.forms.workers_side import future

    start = future(days=3, hour=15)
    other_time = {
        "appointment": "other",
        "day": start.date().isoformat(),
        "time": "15:00",
        "duration": "45",
        "place": "CCAS, bureau 2",
    }

    first = record(client, world.worker, school_pk=world.school.pk, **other_time)
    clash = record(client, world.worker, school_pk=world.school.pk, parent_name="Autre famille", **other_time)

    request = AppointmentRequest.objects.get(parent_name="Famille Walk-in")
    assert first.status_code == 302
    assert (request.slot_start, request.place, request.assigned_worker) == (start, "CCAS, bureau 2", world.leroy)
    assert clash.status_code == 409
    assert "déjà pris" in clash.content.decode()
    assert not AppointmentRequest.objects.filter(parent_name="Autre famille").exists()


def test_a_double_click_records_one_request(client, world):
    key = str(uuid.uuid4())

    record(client, world.worker, school_pk=world.school.pk, submission_key=key)
    record(client, world.worker, school_pk=world.school.pk, submission_key=key)

    assert AppointmentRequest.objects.filter(parent_name="Famille Walk-in").count() == 1


def test_a_bad_entry_keeps_what_was_typed_and_says_what_to_fix(client, world):
    response = record(client, world.worker, school_pk=world.school.pk, phone="12", consent="")

    assert response.status_code == 400
    page = parse(response)
    assert page.select_one("#id_parent_name")["value"] == "Famille Walk-in"
    assert not AppointmentRequest.objects.filter(parent_name="Famille Walk-in").exists()


def test_the_queue_offers_to_record_a_request(client, world):
    login_staff(client, world.worker)

    page = parse(client.get(reverse("forms_admin:index")))

    assert page.select_one(f'a[href="{reverse("forms_admin:record")}"]') is not None
