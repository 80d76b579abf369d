"""forms.links: one kind of token for every family link, one pair of errors, one expiry policy."""

from datetime import timedelta

import pytest
from django.utils import timezone

from forms import links
from forms.models import AppointmentRequest, EveningRegistration
from tests.factories import make_evening, make_evening_index, make_site, make_worker

pytestmark = pytest.mark.django_db


@pytest.fixture
def appointment():
    start = timezone.now() + timedelta(days=120)
    return AppointmentRequest.objects.create(
        assigned_worker=make_worker(),
        routed_as=AppointmentRequest.Routing.REFERENT,
        mode=AppointmentRequest.Mode.SCHOOL,
        reason=AppointmentRequest.Reason.HEALTH,
        parent_name="Fatima Benali",
        phone="0612345678",
        email="fatima@example.org",
        consent_at=timezone.now(),
        captcha=AppointmentRequest.Captcha.NOT_CONFIGURED,
        slot_start=start,
        slot_end=start + timedelta(minutes=30),
    )


@pytest.fixture
def registration():
    make_site()
    evening = make_evening(make_evening_index(), day=timezone.localdate() + timedelta(days=120))
    return EveningRegistration.objects.create(
        evening=evening, name="Ali Kaya", email="ali@example.org", status="confirmed"
    )


def made_days_ago(days, make, row):
    return make(row, now=timezone.now() - timedelta(days=days))


def test_an_evening_link_expires_after_the_same_ninety_days_as_an_appointment_link(appointment, registration):
    assert links.LINK_MAX_AGE == timedelta(days=90)
    for make, read, row in [
        (links.make_cancel_token, links.read_cancel_token, appointment),
        (links.make_ics_token, links.read_ics_token, appointment),
        (links.make_evening_cancel_token, links.read_evening_cancel_token, registration),
    ]:
        assert read(made_days_ago(89, make, row)) == row
        with pytest.raises(links.ExpiredToken):
            read(made_days_ago(91, make, row))
        token = make(row)
        assert read(token, now=timezone.now() + timedelta(days=89)) == row
        with pytest.raises(links.ExpiredToken):
            read(token, now=timezone.now() + timedelta(days=90, seconds=1))


def test_a_token_of_one_link_never_opens_another(appointment, registration):
    with pytest.raises(links.InvalidToken):
        links.read_evening_cancel_token(links.make_cancel_token(appointment))
    with pytest.raises(links.InvalidToken):
        links.read_cancel_token(links.make_evening_cancel_token(registration))
    with pytest.raises(links.InvalidToken):
        links.read_ics_token(links.make_evening_cancel_token(registration))


def test_an_expired_link_is_also_an_invalid_one():
    """Callers that only tell "works" from "does not" catch InvalidToken alone."""
    assert issubclass(links.ExpiredToken, links.InvalidToken)


def test_e_mail_links_are_absolute_and_in_the_familys_language(registration):
    registration.language = "tr"
    assert links.evening_cancel_url(registration).startswith("http://testserver/tr/soirees/annuler/")
    assert links.evening_cancel_path(registration).startswith("/soirees/annuler/")
