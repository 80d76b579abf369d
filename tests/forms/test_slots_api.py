"""Open data: GET /api/v1/schools/<id>/slots/ lists a school's free slots, public data only."""

import re
from datetime import datetime

import pytest
from django.urls import reverse

from forms.booking.slots import free_slots
from forms.models import AppointmentRequest
from services.models import SocialWorker
from services.schedule import PARIS
from tests.factories import (
    AppointmentRequestFactory,
    make_index,
    make_school,
    make_site,
    make_worker,
    permanence,
    translate_page,
)

ISO_WITH_OFFSET = re.compile(r"^\d{4}-\d{2}-\d{2}T\d{2}:\d{2}:\d{2}[+-]\d{2}:\d{2}$")


@pytest.fixture
def school(db):
    index = make_index(make_site(), publish=True)
    referent = make_worker("Mme Leroy")
    return make_school(
        index,
        "École Jules-Ferry",
        referent=referent,
        permanences=[permanence(weekday=day, start="08:30", end="10:00") for day in (1, 2, 4, 5)],
        publish=True,
    )


@pytest.fixture
def school_ar(school):
    return translate_page(school, "ar", title="مدرسة جول فيري", places=["مكتب"] * 4)


def slots_url(pk):
    return reverse("api_school_slots", kwargs={"school_id": pk})


def expected_items(school):
    return [
        {"start": s.start.astimezone(PARIS).isoformat(), "end": s.end.astimezone(PARIS).isoformat()}
        for s in free_slots(school)
    ]


def test_the_slots_are_those_of_free_slots_with_start_and_end_only(client, school):
    expected = expected_items(school)
    response = client.get(slots_url(school.pk))

    assert response.status_code == 200
    assert response["Content-Type"] == "application/json"
    items = response.json()["items"]
    assert items == expected
    assert len(items) > 10
    # Public data only: never which worker holds the slot.
    assert all(set(item) == {"start", "end"} for item in items)
    assert "worker" not in response.content.decode()


def test_times_are_iso_8601_with_the_paris_offset(client, school):
    for item in client.get(slots_url(school.pk)).json()["items"]:
        for value in (item["start"], item["end"]):
            assert ISO_WITH_OFFSET.match(value), value
            moment = datetime.fromisoformat(value)
            assert moment.utcoffset() == moment.astimezone(PARIS).utcoffset()
        assert datetime.fromisoformat(item["start"]).astimezone(PARIS).strftime("%H:%M") in {
            "08:30",
            "09:00",
            "09:30",
        }


def test_the_arabic_id_gives_the_same_slots_as_the_french_one(client, school, school_ar):
    french = client.get(slots_url(school.pk))
    arabic = client.get(slots_url(school_ar.pk))

    assert arabic.status_code == 200
    assert arabic.json() == french.json()


def test_a_booked_slot_is_not_listed(client, school):
    first = free_slots(school)[0]
    AppointmentRequestFactory(
        school=school,
        assigned_worker=SocialWorker.objects.get(pk=first.worker_id),
        mode=AppointmentRequest.Mode.SCHOOL,
        slot_start=first.start,
        slot_end=first.end,
    )

    starts = [item["start"] for item in client.get(slots_url(school.pk)).json()["items"]]
    assert first.start.astimezone(PARIS).isoformat() not in starts


def test_a_school_without_a_referent_has_no_slots(client, school):
    school.referent = None
    school.save_revision().publish()
    assert client.get(slots_url(school.pk)).json() == {"items": []}


def test_headers_allow_any_origin_and_a_short_public_cache(client, school):
    response = client.get(slots_url(school.pk))
    assert response["Access-Control-Allow-Origin"] == "*"
    directives = {part.strip() for part in response["Cache-Control"].split(",")}
    assert {"public", "max-age=60"} <= directives


def test_the_query_count_does_not_grow_with_the_horizon(client, school, django_assert_max_num_queries):
    with django_assert_max_num_queries(12):
        client.get(slots_url(school.pk))


@pytest.mark.parametrize(
    "case",
    ["unknown", "unpublished", "draft translation", "translation of an unpublished school", "not a school"],
)
def test_unknown_or_unpublished_schools_get_a_json_404(client, school, case):
    if case == "unknown":
        pk = 999_999
    elif case == "unpublished":
        school.unpublish()
        pk = school.pk
    elif case == "draft translation":
        pk = translate_page(school, "ar", publish=False).pk
    elif case == "translation of an unpublished school":
        pk = translate_page(school, "ar").pk
        school.unpublish()
    else:
        pk = school.get_parent().pk

    response = client.get(slots_url(pk))

    assert response.status_code == 404
    assert response["Content-Type"] == "application/json"
    assert response.json()["error"] == "not_found"
    assert response["Access-Control-Allow-Origin"] == "*"


@pytest.mark.parametrize("method", ["post", "put", "patch", "delete"])
def test_the_api_is_read_only(client, school, method):
    response = getattr(client, method)(slots_url(school.pk))

    assert response.status_code == 405
    assert response["Allow"] == "GET, HEAD"
    assert response.json()["error"] == "method_not_allowed"


def test_head_is_allowed(client, school):
    assert client.head(slots_url(school.pk)).status_code == 200
