"""A second booking by the same family (same number, same school): accepted, never revealed to
the visitor, flagged on both requests to the worker, and named in the family's own message."""

import re

import pytest
from django.core import mail
from django.urls import reverse

from forms.duplicates import other_appointments, with_duplicate_flag
from forms.links import read_cancel_token
from forms.models import AppointmentRequest, Notification
from forms.notifications.delivery import deliver_due
from tests.booking_walk import submit, walk_to
from tests.helpers import login_staff, parse

pytestmark = [pytest.mark.django_db, pytest.mark.usefixtures("fresh_cache")]

SAME_NUMBER_TWO_WAYS = ("06 12 34 56 78", "+33 6 12 34 56 78")


def book(client, school, phone, notify_by="both", email="amina@example.org"):
    client.cookies.clear()
    walk_to(client, "recapitulatif", school, details={"phone": phone, "notify_by": notify_by, "email": email})
    response = submit(client)
    assert response.status_code == 302, response.status_code
    deliver_due()  # what the delivery task does once the booking has committed
    confirmation = client.get(response["Location"])
    reference = parse(confirmation).select_one(".booking__reference").get_text(strip=True)
    return AppointmentRequest.objects.get(reference=reference), confirmation


def test_a_second_booking_is_accepted_flagged_on_both_and_named_in_the_family_message(client, world, sms_outbox):
    first, _page = book(client, world.school, SAME_NUMBER_TWO_WAYS[0])
    mail.outbox.clear()
    second, page = book(client, world.school, SAME_NUMBER_TWO_WAYS[1])
    assert second.status == AppointmentRequest.Status.NEW and second.slot_start != first.slot_start
    # The visitor's screen says nothing of the other appointment.
    assert first.reference not in page.content.decode()
    # Both requests are flagged to the worker.
    assert list(other_appointments(second)) == [first] and list(other_appointments(first)) == [second]
    flags = dict(with_duplicate_flag(AppointmentRequest.objects.all()).values_list("pk", "probable_duplicate"))
    assert flags[first.pk] and flags[second.pk] and not flags[world.request.pk]
    login_staff(client, world.worker)
    assert client.get(reverse("forms_admin:index")).content.decode().count("Doublon probable") == 2
    detail = client.get(reverse("forms_admin:detail", args=[second.pk])).content.decode()
    assert "Doublon probable" in detail and first.reference in detail
    # The family's own messages (to its address and its phone) name the other with its link.
    [email] = [m for m in mail.outbox if m.to == ["amina@example.org"]]
    assert "Vous avez aussi un rendez-vous à cette école" in email.body
    named = {read_cancel_token(token) for token in re.findall(r"/annuler/([^/\s]+)/", email.body)}
    assert named == {first, second}
    text = sms_outbox[-1].text
    assert "Autre RDV le" in text and text.count("/r/") == 2


def test_no_flag_for_another_school_another_number_or_a_closed_request(client, world, sms_outbox):
    first, _page = book(client, world.school, "06 12 34 56 78")
    other_number, _page = book(client, world.school, "06 98 76 54 32")
    elsewhere, _page = book(client, world.other_school, "06 12 34 56 78")
    assert not other_appointments(first).exists()
    assert not other_appointments(other_number).exists() and not other_appointments(elsewhere).exists()
    first.status = AppointmentRequest.Status.CANCELLED_FAMILY
    first.save()
    again, _page = book(client, world.school, "06 12 34 56 78")
    assert not other_appointments(again).exists()
    confirmations = Notification.objects.filter(request=again, kind=Notification.Kind.PARENT_CONFIRMATION)
    assert confirmations.exists()
    assert all("Autre RDV" not in message.text for message in sms_outbox)


@pytest.mark.parametrize("language", ["fr", "en", "pt", "ar", "tr"])
def test_the_confirmation_naming_the_other_appointment_stays_short(client, world, sms_outbox, language):
    from forms.notifications.sms.text import segments
    from services.models import Permanence

    # The longest place of the demo's permanences.
    Permanence.objects.filter(school=world.school).update(place="Bureau à côté de la salle de motricité")
    book(client, world.school, "06 12 34 56 78", notify_by="sms", email="")
    second, _page = book(client, world.school, "06 12 34 56 78", notify_by="sms", email="")
    AppointmentRequest.objects.filter(pk=second.pk).update(language=language)
    Notification.objects.filter(request=second).delete()
    second.refresh_from_db()
    from django.db import transaction

    from forms.notifications.queueing import queue_new_request

    with transaction.atomic():
        queue_new_request(second)
    deliver_due()
    text = sms_outbox[-1].text
    assert text.count("/r/") == 2
    if language == "fr":
        assert world.school.title in text  # the place: the school's name
    assert segments(text) <= (2 if language in {"fr", "en", "pt"} else 3), text
