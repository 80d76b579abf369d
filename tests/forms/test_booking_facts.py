"""The facts every booking step reads, kept under the cache generation with the fragment cache
on, as in production (core.generation.cached_facts): the school a form names, the slots held on
a day, the booking settings. What an editor or the manager changes is seen by the very next
step; what families book never comes from the cache (the database holds a worker's time)."""

import uuid
from datetime import date, datetime, time

import pytest
from django.core.cache import cache

from core.generation import generation
from forms.booking.create import SlotTaken, SlotUnavailable, create_request
from forms.booking.forms import school_by_id
from forms.booking.slots import booking_rules, find_slot, free_slots
from services.schedule import PARIS
from tests.factories import (
    BookingSettingsFactory,
    make_absence,
    make_closure,
    make_index,
    make_school,
    make_site,
    make_worker,
    permanence,
)

pytestmark = [pytest.mark.django_db, pytest.mark.usefixtures("fresh_cache")]

TUESDAY = 2
DETAILS = {"reason": "schooling", "requester": "parent", "parent_name": "Amina Benali", "phone": "+33612345678"}
# Monday 2 November 2026, 10:00; the first Tuesday in the booking window is 10 November.
NOW = datetime.combine(date(2026, 11, 2), time(10), tzinfo=PARIS)
DAY = date(2026, 11, 10)


@pytest.fixture(autouse=True)
def facts_cached(settings):
    settings.FRAGMENT_CACHE_ENABLED = True


@pytest.fixture
def leroy(db):
    return make_worker("Mme Leroy")


@pytest.fixture
def school(leroy):
    return make_school(
        make_index(make_site()),
        "École Jules-Ferry",
        referent=leroy,
        permanences=[permanence(weekday=TUESDAY, start="08:30", end="10:00")],
    )


def first_slot_of_the_day(school):
    return next(slot for slot in free_slots(school, now=NOW) if slot.start.astimezone(PARIS).date() == DAY)


def book(school, slot):
    return create_request(
        school=school,
        mode="school",
        slot=slot.key,
        data=DETAILS,
        language="fr",
        captcha="off",
        submission_key=uuid.uuid4(),
        now=NOW,
    )


def test_a_school_is_read_once_then_from_the_cache(school, django_assert_num_queries):
    assert school_by_id(school.pk) == school
    with django_assert_num_queries(0):
        again = school_by_id(school.pk)
    assert again == school and again.referent.public_name == "Mme Leroy"


def test_an_unpublished_school_is_unknown_at_the_next_step(school):
    assert school_by_id(school.pk) is not None
    school.unpublish()
    assert school_by_id(school.pk) is None


def test_an_unknown_school_is_not_kept(school):
    assert school_by_id(school.pk + 1000) is None
    assert cache.get(f"facts:{generation()}:school:{school.pk + 1000}", "absent") == "absent"


def test_a_referent_changed_on_the_school_is_seen_at_the_next_step(school):
    assert school_by_id(school.pk).referent.public_name == "Mme Leroy"
    school.referent = make_worker("M. Martin")
    school.save_revision().publish()
    assert school_by_id(school.pk).referent.public_name == "M. Martin"


def test_an_absence_entered_after_the_slots_were_read_takes_the_day_away(school, leroy):
    slot = first_slot_of_the_day(school)
    assert find_slot(school, slot.key, NOW) == slot  # the day's held slots are now in the cache
    make_absence(leroy, DAY, DAY)  # no replacement: nobody holds the day
    assert find_slot(school, slot.key, NOW) is None
    with pytest.raises(SlotUnavailable):
        book(school, slot)


def test_a_replacement_named_afterwards_holds_the_day(school, leroy):
    slot = first_slot_of_the_day(school)
    absence = make_absence(leroy, DAY, DAY)
    assert find_slot(school, slot.key, NOW) is None
    absence.replacement = make_worker("M. Martin")
    absence.save()
    assert book(school, slot).assigned_worker == absence.replacement


def test_a_closure_entered_after_the_slots_were_read_takes_the_day_away(school):
    slot = first_slot_of_the_day(school)
    assert find_slot(school, slot.key, NOW) == slot
    make_closure(DAY, DAY)
    assert find_slot(school, slot.key, NOW) is None


def test_a_booked_slot_is_never_offered_from_the_cache(school):
    slot = first_slot_of_the_day(school)
    assert find_slot(school, slot.key, NOW) == slot
    book(school, slot)
    assert find_slot(school, slot.key, NOW) is None
    assert slot not in free_slots(school, now=NOW)
    with pytest.raises(SlotTaken):
        book(school, slot)


def test_booking_settings_saved_are_read_at_the_next_step(school):
    assert booking_rules().horizon_weeks != 2
    BookingSettingsFactory(horizon_weeks=2)
    assert booking_rules().horizon_weeks == 2
