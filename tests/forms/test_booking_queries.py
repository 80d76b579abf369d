"""What each booking step costs in queries: a fixed number, pinned here so that a change that
adds one is seen (the booking POST is the hot path: docs/deploy.md "Measured"). The test
client keeps sessions in the database (a session read, and a write after each answer);
production keeps them in Redis."""

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext

from forms.models import AppointmentRequest
from tests.booking_walk import DETAILS, slot_keys, submission_key, url
from tests.factories import SchoolPageFactory

# Since notices (issue 16): a page with a school reads the site banners and the school's notices
# (+2 on every GET), and the slot search the days notices cancel (+1 wherever slots are searched).
EXPECTED = {
    "ecole POST": 6,
    "modalite GET": 16,
    "modalite POST": 11,
    "creneau GET": 19,
    "creneau POST": 14,
    "coordonnees GET": 11,
    "coordonnees POST": 5,
    "recapitulatif GET": 22,
    # The outbox rows in one insert (-1), the daily count per phone number (+1); the slot's
    # worker's busy times are the insert's to refuse (save_slot, the exclusion constraint: -1).
    "recapitulatif POST": 16,
}
# With the fragment cache on, as in production (core.generation.cached_facts), a warm booking
# reads the school, the booking settings and the day's held slots from the cache: the final
# POST is the phone number's daily count, the session and the writes.
WARM = {
    "ecole POST": 5,
    "modalite GET": 10,
    "modalite POST": 9,
    "creneau GET": 13,
    "creneau POST": 12,
    "coordonnees GET": 5,
    "coordonnees POST": 4,
    "recapitulatif GET": 12,
    "recapitulatif POST": 10,
}


def walk(client, school, costs):
    response = counted(costs, "ecole POST", lambda: client.post(url("ecole"), {"school": school.pk}))
    assert response.status_code == 302
    counted(costs, "modalite GET", lambda: client.get(url("modalite")))
    counted(costs, "modalite POST", lambda: client.post(url("modalite"), {"mode": "school"}))
    response = counted(costs, "creneau GET", lambda: client.get(url("creneau")))
    key = slot_keys(response)[0]
    assert counted(costs, "creneau POST", lambda: client.post(url("creneau"), {"slot": key})).status_code == 302
    counted(costs, "coordonnees GET", lambda: client.get(url("coordonnees")))
    assert counted(costs, "coordonnees POST", lambda: client.post(url("coordonnees"), DETAILS)).status_code == 302
    response = counted(costs, "recapitulatif GET", lambda: client.get(url("recapitulatif")))
    data = {"submission_key": submission_key(response)}
    assert counted(costs, "recapitulatif POST", lambda: client.post(url("recapitulatif"), data)).status_code == 302
    return key


def counted(costs, name, call):
    with CaptureQueriesContext(connection) as captured:
        response = call()
    costs[name] = len(captured)
    return response


@pytest.mark.django_db
def test_every_step_of_a_booking_costs_a_fixed_number_of_queries(client):
    school = SchoolPageFactory(bookable_every_weekday=True)
    client.get(url("ecole"))  # warm the settings and site caches
    costs = {}
    walk(client, school, costs)
    assert AppointmentRequest.objects.get().slot_start is not None
    # Off PostgreSQL, save_slot() asks in one query what the exclusion constraint holds there.
    extra = {} if connection.vendor == "postgresql" else {"recapitulatif POST": EXPECTED["recapitulatif POST"] + 1}
    assert costs == {**EXPECTED, **extra}


@pytest.mark.django_db
def test_a_school_is_found_in_one_query_and_from_a_translation_in_two(client, django_assert_num_queries):
    from core.pages import published_source
    from services.models import SchoolPage
    from tests.factories import translate_page

    school = SchoolPageFactory(bookable_every_weekday=True)
    arabic = translate_page(school, "ar")
    with django_assert_num_queries(1):
        assert published_source(SchoolPage, school.pk, related=("referent",)).referent.pk == school.referent_id
    with django_assert_num_queries(2):
        found = published_source(SchoolPage, arabic.pk, related=("referent",))
        assert found.pk == school.pk
        assert found.referent.pk == school.referent_id
        assert found.locale.language_code == "fr"


@pytest.mark.django_db
@pytest.mark.usefixtures("fresh_cache")
def test_with_the_fragment_cache_on_a_warm_booking_reads_its_facts_from_the_cache(client, settings):
    settings.FRAGMENT_CACHE_ENABLED = True
    school = SchoolPageFactory(bookable_every_weekday=True)
    client.get(url("ecole"))
    first_key = walk(client, school, {})  # the first family fills the cache
    costs = {}
    second_key = walk(client, school, costs)
    assert second_key != first_key  # the first family's slot is no longer offered: busy times are read
    assert AppointmentRequest.objects.filter(slot_start__isnull=False).count() == 2
    extra = {} if connection.vendor == "postgresql" else {"recapitulatif POST": WARM["recapitulatif POST"] + 1}
    assert costs == {**WARM, **extra}
