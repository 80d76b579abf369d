"""Routing (DESIGN.md rule 1): referent, replacement when absent, service-wide queue otherwise,
the same way whatever the language of the page the family used."""

import uuid
from datetime import date, datetime, time, timedelta

import pytest

from forms.booking.create import create_request
from forms.booking.routing import route_request
from forms.models import AppointmentRequest, RequestEvent
from services.schedule import PARIS
from tests.factories import make_absence, make_index, make_school, make_site, make_worker, permanence, translate_page

pytestmark = pytest.mark.django_db

Routing = AppointmentRequest.Routing
DAY = date(2026, 11, 24)
DETAILS = {
    "reason": "schooling",
    "requester": "parent",
    "parent_name": "Amina Benali",
    "phone": "+33612345678",
    "availabilities": "Le lundi après 17 h",
}


@pytest.fixture
def index(db):
    return make_index(make_site())


@pytest.fixture
def leroy(db):
    return make_worker("Mme Leroy")


@pytest.fixture
def martin(db):
    return make_worker("M. Martin")


@pytest.fixture
def school(index, leroy):
    return make_school(index, "École Jules-Ferry", referent=leroy, permanences=[permanence(weekday=2)])


def phone_request(school, now):
    """A request without a slot (routed on the request day)."""
    return create_request(
        school=school,
        mode="phone",
        slot=None,
        data=DETAILS,
        language="fr",
        captcha="off",
        submission_key=uuid.uuid4(),
        now=now,
    )


def test_request_goes_to_the_school_referent(school, leroy):
    route = route_request(school, DAY)
    assert route.worker == leroy
    assert route.how == Routing.REFERENT
    assert route.absence is None


def test_request_for_absent_referent_goes_to_replacement(school, leroy, martin):
    absence = make_absence(leroy, DAY - timedelta(days=2), DAY + timedelta(days=2), replacement=martin)
    route = route_request(school, DAY)
    assert route.worker == martin
    assert route.how == Routing.REPLACEMENT
    assert route.absence == absence


def test_absence_only_counts_on_its_days(school, leroy, martin):
    make_absence(leroy, DAY + timedelta(days=1), DAY + timedelta(days=5), replacement=martin)
    assert route_request(school, DAY).worker == leroy
    assert route_request(school, DAY + timedelta(days=5)).worker == martin
    assert route_request(school, DAY + timedelta(days=6)).worker == leroy


def test_request_for_absent_referent_without_replacement_goes_to_service_queue(school, leroy):
    make_absence(leroy, DAY, DAY)
    route = route_request(school, DAY)
    assert route.worker is None
    assert route.how == Routing.SERVICE
    assert route.why == "referent_absent_no_replacement"


def test_replacement_who_is_away_too_sends_to_service_queue(school, leroy, martin):
    make_absence(leroy, DAY, DAY, replacement=martin)
    make_absence(martin, DAY, DAY)
    assert route_request(school, DAY).how == Routing.SERVICE


def test_inactive_replacement_sends_to_service_queue(school, leroy, martin):
    martin.active = False
    martin.save()
    make_absence(leroy, DAY, DAY, replacement=martin)
    assert route_request(school, DAY).how == Routing.SERVICE


def test_unknown_school_goes_to_service_queue():
    route = route_request(None, DAY)
    assert route.worker is None
    assert route.how == Routing.SERVICE
    assert route.why == "unknown_school"


def test_school_without_referent_goes_to_service_queue(index):
    school = make_school(index, "École Pasteur")
    assert route_request(school, DAY).how == Routing.SERVICE


def test_inactive_referent_goes_to_service_queue(school, leroy):
    leroy.active = False
    leroy.save()
    route = route_request(school, DAY)
    assert route.worker is None
    assert route.why == "no_referent"


def test_same_school_in_arabic_routes_like_the_french_page(school, leroy, martin):
    arabic = translate_page(school, "ar", title="مدرسة جول فيري")
    assert route_request(arabic, DAY) == route_request(school, DAY)
    make_absence(leroy, DAY, DAY, replacement=martin)
    assert route_request(arabic, DAY).worker == martin


def test_request_from_arabic_page_stores_the_source_school_and_referent(school, leroy):
    arabic = translate_page(school, "ar", title="مدرسة جول فيري")
    now = datetime.combine(DAY, time(10), tzinfo=PARIS)
    from_arabic = phone_request(arabic, now)
    from_french = phone_request(school, now)
    assert from_arabic.school_id == from_french.school_id == school.pk
    assert from_arabic.assigned_worker == from_french.assigned_worker == leroy


def test_request_without_slot_is_routed_on_the_request_day(school, leroy, martin):
    make_absence(leroy, DAY, DAY, replacement=martin)
    on_absence = phone_request(school, datetime.combine(DAY, time(10), tzinfo=PARIS))
    next_day = phone_request(school, datetime.combine(DAY + timedelta(days=1), time(10), tzinfo=PARIS))
    assert (on_absence.assigned_worker, on_absence.routed_as) == (martin, Routing.REPLACEMENT)
    assert (next_day.assigned_worker, next_day.routed_as) == (leroy, Routing.REFERENT)


def test_unknown_school_request_lands_in_service_queue_with_its_reason_recorded():
    request = phone_request(None, datetime.combine(DAY, time(10), tzinfo=PARIS))
    assert request.school is None
    assert request.assigned_worker is None
    assert request.routed_as == Routing.SERVICE
    routed = request.events.get(kind=RequestEvent.Kind.ROUTED)
    assert routed.data["how"] == Routing.SERVICE
    assert routed.data["why"] == "unknown_school"


def test_every_routing_decision_is_recorded(school, leroy, martin):
    make_absence(leroy, DAY, DAY, replacement=martin)
    request = phone_request(school, datetime.combine(DAY, time(10), tzinfo=PARIS))
    kinds = list(request.events.values_list("kind", flat=True))
    assert kinds == [RequestEvent.Kind.CREATED, RequestEvent.Kind.ROUTED]
    routed = request.events.get(kind=RequestEvent.Kind.ROUTED)
    assert routed.data["worker_id"] == martin.pk
    assert routed.data["how"] == Routing.REPLACEMENT
    assert routed.data["absence_id"] is not None
    # The timeline never carries the family's details.
    assert "Amina" not in str(routed.data)
