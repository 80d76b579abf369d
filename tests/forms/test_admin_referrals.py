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
from tests.helpers import parse

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
    client.force_login(world.worker)

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
    client.force_login(world.manager)

    content = client.get(reverse("forms_admin:index") + "?queue=all&source=teacher").content.decode()

    assert referral.reference in content
    assert world.request.reference not in content


def test_the_queue_lists_referrals_in_one_query_set_whatever_their_number(client, world, django_assert_max_num_queries):
    client.force_login(world.worker)
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
    client.force_login(world.worker)

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
    client.force_login(world.worker)

    page = parse(client.get(reverse("forms_admin:detail", args=[world.request.pk])))

    assert page.select_one('[data-action="call-family"]') is None
    assert "Orientation par un professionnel" not in page.get_text()
