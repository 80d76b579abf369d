"""A real race (DESIGN.md rule 2): twenty families book the same slot at the same moment from
twenty threads with their own database connections. The unique constraint decides: exactly
one request, nineteen clear SlotTaken refusals, no other error."""

import threading
import uuid

import pytest
from django.db import connection

from forms.booking.create import SlotTaken, create_request
from forms.booking.slots import free_slots
from forms.models import AppointmentRequest
from tests.factories import SchoolPageFactory

FAMILIES = 20


@pytest.mark.django_db(transaction=True, serialized_rollback=True)
def test_twenty_families_racing_for_one_slot_get_one_booking_and_nineteen_refusals():
    if connection.vendor != "postgresql":
        pytest.skip("SQLite serialises every writer on one database lock: the race needs PostgreSQL")
    school = SchoolPageFactory(bookable_every_weekday=True)
    slot = free_slots(school)[0]
    start = threading.Barrier(FAMILIES)
    outcomes = []
    lock = threading.Lock()

    def family(number):
        try:
            start.wait(timeout=30)
            request = create_request(
                school=school,
                mode="school",
                slot=slot.key,
                data={
                    "reason": "schooling",
                    "requester": "parent",
                    "parent_name": f"Famille {number}",
                    "phone": "+33612345678",
                },
                language="fr",
                captcha="off",
                submission_key=uuid.uuid4(),
            )
            outcome = ("booked", request.pk)
        except SlotTaken:
            outcome = ("taken", None)
        except Exception as error:  # noqa: BLE001  anything else is a failure to report
            outcome = ("error", repr(error))
        finally:
            connection.close()
        with lock:
            outcomes.append(outcome)

    threads = [threading.Thread(target=family, args=(n,)) for n in range(FAMILIES)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join(timeout=120)

    kinds = [kind for kind, _detail in outcomes]
    assert [outcome for outcome in outcomes if outcome[0] == "error"] == []
    assert kinds.count("booked") == 1
    assert kinds.count("taken") == FAMILIES - 1
    assert AppointmentRequest.objects.filter(slot_start=slot.start).count() == 1
