"""The one availability rule (services/availability.py): who holds a permanence occurrence.

One table of cases, run through every caller (the school page, the finder, the API, the slot
search, routing, the booking, the agenda and the demo's slot cutting), so that they can never
disagree again; and the school page's query count, pinned whatever its permanences and
absences."""

from __future__ import annotations

import uuid
from datetime import datetime, time, timedelta

import holidays
import pytest
from django.urls import reverse

from forms.booking.create import SlotUnavailable, create_request
from forms.booking.routing import route_request
from forms.booking.slots import free_slots
from forms.demo import permanence_slots
from forms.models import AppointmentRequest
from forms.records.permissions import MANAGER
from services.availability import Reason, cut_slots, holder_on
from services.finder import find_schools
from services.schedule import PARIS, Occurrence, today
from tests.factories import UserFactory, make_absence, make_index, make_school, make_site, make_worker, permanence
from tests.helpers import login_staff

pytestmark = pytest.mark.django_db

Routing = AppointmentRequest.Routing
DETAILS = {"reason": "schooling", "requester": "parent", "parent_name": "Amina Benali", "phone": "+33612345678"}


def permanence_day():
    """A working day 8 to 14 days ahead, not a public holiday: inside the booking window (24 hours'
    notice, 6 weeks' horizon) and far enough for every listing."""
    day = today() + timedelta(days=8)
    while day.isoweekday() > 5 or day in holidays.France(years=day.year):
        day += timedelta(days=1)
    return day


D = permanence_day()


# Each case: the absences to enter, in order (worker, first and last day as offsets from D,
# replacement), the workers made inactive, and who holds the permanence on D, with the reason.
CASES = {
    "no absence": ([], [], "leroy", Reason.REFERENT),
    "absence with a present replacement": ([("leroy", -2, 2, "martin")], [], "martin", Reason.REPLACEMENT),
    "absence without replacement": ([("leroy", 0, 0, None)], [], None, Reason.NO_REPLACEMENT),
    "replacement inactive": ([("leroy", -2, 2, "martin")], ["martin"], None, Reason.REPLACEMENT_INACTIVE),
    "replacement absent too": (
        [("leroy", -2, 2, "martin"), ("martin", 0, 0, None)],
        [],
        None,
        Reason.REPLACEMENT_ABSENT,
    ),
    # The absence starting last decides, even when the longer one was entered after it.
    "overlapping absences": (
        [("leroy", -1, 1, "martin"), ("leroy", -7, 7, None)],
        [],
        "martin",
        Reason.REPLACEMENT,
    ),
    # Between absences starting the same day, the one entered last decides.
    "absence entered later than another": (
        [("leroy", 0, 2, "martin"), ("leroy", 0, 1, "dupont")],
        [],
        "dupont",
        Reason.REPLACEMENT,
    ),
    "referent inactive": ([], ["leroy"], None, Reason.NO_REFERENT),
}


@pytest.fixture
def town(db):
    home = make_site()
    index = make_index(home, publish=True)
    workers = {name: make_worker(name) for name in ("leroy", "martin", "dupont")}
    school = make_school(
        index,
        "École Jules-Ferry",
        slug="ecole-jules-ferry",
        referent=workers["leroy"],
        # From D on: D is the first occurrence, so every listing shows it first when it is held.
        permanences=[permanence(weekday=D.isoweekday(), start="08:30", end="10:00", valid_from=D)],
    )
    return index, school, workers


def starts_on(day, occurrences_or_slots):
    return [o.start for o in occurrences_or_slots if o.start.astimezone(PARIS).date() == day]


def agenda_holders(client, school, workers):
    """The active workers whose agenda shows them holding the school's permanence on D."""
    login_staff(client, UserFactory(username="responsable", groups=[MANAGER]))
    monday = D - timedelta(days=D.weekday())
    year, week, _day = monday.isocalendar()
    holding = set()
    for name, worker in workers.items():
        if not worker.active:
            continue  # an inactive worker has no agenda
        response = client.get(reverse("forms_admin:agenda"), {"worker": worker.pk, "week": f"{year}-W{week:02d}"})
        assert response.context["worker"] == worker
        day = next(d for d in response.context["days"] if d["day"] == D)
        for slot in day["permanences"]:
            assert slot.occurrence.permanence.school.pk == school.pk
            if slot.replacing == workers["leroy"] or (worker == workers["leroy"] and not slot.absent):
                holding.add(name)
    return holding


@pytest.mark.parametrize(("absences", "inactive", "expected", "reason"), CASES.values(), ids=CASES.keys())
def test_every_caller_agrees_on_who_holds_the_permanence(client, town, absences, inactive, expected, reason):
    index, school, workers = town
    for worker, first, last, replacement in absences:
        make_absence(
            workers[worker],
            D + timedelta(days=first),
            D + timedelta(days=last),
            replacement=workers[replacement] if replacement else None,
        )
    for name in inactive:
        workers[name].active = False
        workers[name].save()
    holder = workers[expected] if expected else None
    held = holder is not None
    occurrence = Occurrence(
        permanence=school.permanences.get(),
        day=D,
        start=datetime.combine(D, time(8, 30), tzinfo=PARIS),
        end=datetime.combine(D, time(10), tzinfo=PARIS),
    )
    cut = [slot.start for slot in cut_slots(occurrence)]
    assert len(cut) == 3

    # The rule itself.
    answer = holder_on(workers["leroy"], D)
    assert (answer.worker, answer.reason) == (holder, reason)

    # The school page lists D as a permanence only when someone holds it.
    response = client.get(school.url)
    assert response.status_code == 200
    assert bool(starts_on(D, response.context["next_permanences"])) is held
    assert (f'datetime="{occurrence.start.isoformat()}"' in response.content.decode()) is held

    # The finder and the API show D as the next permanence only when someone holds it.
    result = next(r for r in find_schools(index, {})["results"] if r.school.pk == school.pk)
    assert (result.next_permanence is not None and result.next_permanence.day == D) is held
    item = client.get(f"/api/v1/schools/{school.pk}/").json()
    assert (occurrence.start.isoformat() in [o["start"] for o in item["next_permanences"]]) is held

    # The slot search offers D's slots, each naming the holder, or none.
    slots = [slot for slot in free_slots(school) if slot.start.astimezone(PARIS).date() == D]
    assert [slot.start for slot in slots] == (cut if held else [])
    assert {slot.worker_id for slot in slots} == ({holder.pk} if held else set())

    # The demo cuts the permanence as the booking does.
    assert [start for start, _end, _occurrence in permanence_slots([occurrence.permanence], D, D)] == cut

    # Routing: the holder, or the service-wide queue.
    route = route_request(school, D)
    assert route.worker == holder
    expected_how = Routing.SERVICE if not held else Routing.REFERENT if expected == "leroy" else Routing.REPLACEMENT
    assert route.how == expected_how

    # The booking: a request without a slot routed on D, and a booking of D's first slot.
    def request(**fields):
        return create_request(school=school, data=DETAILS, language="fr", captcha="off", **fields)

    by_phone = request(
        mode="phone", slot=None, submission_key=uuid.uuid4(), now=datetime.combine(D, time(7), tzinfo=PARIS)
    )
    assert (by_phone.assigned_worker, by_phone.routed_as) == (holder, expected_how)
    booking = {"mode": "school", "slot": cut_slots(occurrence)[0].key, "submission_key": uuid.uuid4()}
    if held:
        booked = request(**booking)
        assert (booked.assigned_worker, booked.routed_as, booked.slot_start) == (holder, expected_how, cut[0])
    else:
        with pytest.raises(SlotUnavailable):
            request(**booking)

    # The agenda: the holder's week shows them holding it; nobody else's does.
    assert agenda_holders(client, school, workers) == ({expected} if held else set())


def school_page_with(index, count):
    """A school with `count` permanences and its referent away `count` times over the next
    weeks, each time replaced by a colleague who is away too once."""
    referent = make_worker("Mme Leroy")
    school = make_school(
        index,
        f"École {count}",
        slug=f"ecole-{count}",
        referent=referent,
        permanences=[
            permanence(weekday=1 + n % 5, start=f"{8 + n // 5:02d}:00", end=f"{8 + n // 5:02d}:45")
            for n in range(count)
        ],
    )
    for n in range(count):
        replacement = make_worker(f"Remplaçant·e {n}")
        day = today() + timedelta(days=2 + 3 * n)
        make_absence(referent, day, day + timedelta(days=1), replacement=replacement)
        make_absence(replacement, day + timedelta(days=1), day + timedelta(days=1))
    return school


# The site, the page and its ancestors (routing, breadcrumbs, menus, view restrictions), the
# settings, the referent, the permanences (dated and listed), the closure periods and one query
# for the absences of the referent and of their replacements; caches off, as in tests (22
# before view restrictions were read in one query, with public() as a subquery); the site-wide
# banners, the school's notices and the days they cancel: one query each (+3).
SCHOOL_PAGE_QUERIES = 21


@pytest.mark.parametrize("count", [1, 10])
def test_the_school_page_query_count_does_not_grow_with_permanences_and_absences(
    client, count, django_assert_max_num_queries
):
    index = make_index(make_site(), publish=True)
    school = school_page_with(index, count)
    client.get(school.url)  # the site and settings look-ups any first request makes
    with django_assert_max_num_queries(SCHOOL_PAGE_QUERIES):
        response = client.get(school.url)
    assert response.status_code == 200
    assert len(response.context["next_permanences"]) == 4
