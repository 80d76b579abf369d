"""A worker's private calendar feed (forms.feeds): created from her own page, shown once,
stored hashed; her appointments and permanence duties without the family's name unless she
opts in; reset and revoked addresses refused; rate-limited; a fixed number of queries."""

from datetime import timedelta

import icalendar
import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.urls import reverse

from forms.feeds import reset_feed, token_hash
from forms.models import AppointmentRequest, CalendarFeed
from services.schedule import PARIS, today
from tests.factories import AppointmentRequestFactory, make_absence
from tests.forms.workers_side import future
from tests.helpers import login_staff, parse

PAGE = reverse("forms_admin:calendar_feed")
Status = AppointmentRequest.Status


def feed_path(token):
    return reverse("worker_calendar_feed", args=[token])


def events(client, token):
    response = client.get(feed_path(token))
    assert response.status_code == 200, response.status_code
    assert response["Content-Type"].startswith("text/calendar")
    assert "no-store" in response["Cache-Control"] and response["Referrer-Policy"] == "no-referrer"
    return icalendar.Calendar.from_ical(response.content).walk("VEVENT")


def summaries(client, token):
    return [str(event["SUMMARY"]) for event in events(client, token)]


@pytest.fixture
def appointment(world):
    return AppointmentRequestFactory(
        school=world.school,
        assigned_worker=world.leroy,
        status=Status.SCHEDULED,
        slot_start=future(3, 9),
        slot_end=future(3, 9, 30),
        parent_name="Amina Benali",
        reason=AppointmentRequest.Reason.HEALTH,
        message="Mon fils ne dort plus.",
        mode=AppointmentRequest.Mode.HOME,
        place="12 rue des Lilas, Villebelle",
    )


def created_on_the_page(client, world):
    login_staff(client, world.worker)
    page = parse(client.post(PAGE, {"action": "reset"}))
    https = page.find("input", id="feed-https")["value"]
    webcal = page.find("a", href=lambda href: href and href.startswith("webcal://"))["href"]
    token = https.rstrip("/").rsplit("/", 1)[1].removesuffix(".ics")
    return token, https, webcal


def test_the_worker_creates_her_feed_and_sees_its_address_once(client, world):
    token, https, webcal = created_on_the_page(client, world)
    assert https.startswith("http") and https.endswith(feed_path(token))
    assert webcal == "webcal://" + https.split("://", 1)[1]
    assert len(token) >= 43  # 32 random bytes: 256 bits
    feed = CalendarFeed.objects.get(worker=world.leroy)
    assert feed.token_hash == token_hash(token) and token not in feed.token_hash
    assert not feed.show_details
    assert token not in client.get(PAGE).content.decode()  # shown once, in the POST's answer only


def test_the_feed_lists_her_appointments_without_the_familys_details_by_default(client, world, appointment):
    token = reset_feed(world.leroy)
    found = [e for e in events(client, token) if str(e["UID"]).startswith(f"request-{appointment.pk}@")]
    assert len(found) == 1
    event = found[0]
    assert event.decoded("DTSTART") == appointment.slot_start.astimezone(PARIS)
    text = event.to_ical().decode()
    assert appointment.reference in str(event["SUMMARY"])
    for secret in ("Amina", "Benali", "Santé", "dort", "rue des Lilas"):
        assert secret not in text
    assert reverse("forms_admin:detail", args=[appointment.pk]) in str(event["URL"])


def test_with_the_opt_in_titles_name_the_family_and_the_reason(client, world, appointment):
    token = reset_feed(world.leroy, show_details=True)
    [event] = [e for e in events(client, token) if str(e["UID"]).startswith(f"request-{appointment.pk}@")]
    assert "Amina Benali" in str(event["SUMMARY"]) and "Santé" in str(event["SUMMARY"])
    assert "rue des Lilas" in str(event["LOCATION"])
    assert "dort" not in event.to_ical().decode()  # the family's message, never


def test_only_her_active_or_honoured_appointments(client, world, appointment):
    cancelled = AppointmentRequestFactory(
        school=world.school, assigned_worker=world.leroy, status=Status.CANCELLED_FAMILY, slot_start=future(4, 9)
    )
    colleague = AppointmentRequestFactory(
        school=world.other_school, assigned_worker=world.benali, status=Status.SCHEDULED, slot_start=future(4, 10)
    )
    token = reset_feed(world.leroy)
    uids = {str(event["UID"]).split("@")[0] for event in events(client, token)}
    assert f"request-{appointment.pk}" in uids
    assert f"request-{cancelled.pk}" not in uids and f"request-{colleague.pk}" not in uids


def test_permanences_held_replacements_and_days_away(client, world):
    token = reset_feed(world.leroy)
    own = [s for s in summaries(client, token) if "Jules-Ferry" in s]
    assert own and all(s.startswith("Permanence") for s in own)
    # Benali is away the whole feed's period with Leroy as his replacement: his permanences are
    # hers, marked; Leroy away one day: that day's permanence leaves her feed.
    make_absence(world.benali, today(), today() + timedelta(weeks=8), replacement=world.leroy)
    replaced = [s for s in summaries(client, token) if "Jean-Jaurès" in s]
    assert replaced and all("remplacement de M. Karim Benali" in s for s in replaced)
    first_day = next(e.decoded("DTSTART").date() for e in events(client, token) if "Jules-Ferry" in str(e["SUMMARY"]))
    make_absence(world.leroy, first_day, first_day)
    days = {e.decoded("DTSTART").date() for e in events(client, token) if "Jules-Ferry" in str(e["SUMMARY"])}
    assert first_day not in days and days


def test_a_moved_appointment_moves_in_the_feed_under_the_same_uid(client, world, appointment):
    token = reset_feed(world.leroy)
    appointment.slot_start, appointment.slot_end = future(5, 14), future(5, 14, 30)
    appointment.save()
    [event] = [e for e in events(client, token) if str(e["UID"]).startswith(f"request-{appointment.pk}@")]
    assert event.decoded("DTSTART") == future(5, 14)


@pytest.mark.parametrize("token", ["", "x", "a" * 43, "a" * 500])
def test_a_wrong_token_is_a_404(client, world, token):
    reset_feed(world.leroy)
    if token:
        assert client.get(feed_path(token)).status_code == 404


def test_reset_and_revoke_stop_the_old_address(client, world):
    old = reset_feed(world.leroy)
    new = reset_feed(world.leroy)
    assert client.get(feed_path(old)).status_code == 404
    assert client.get(feed_path(new)).status_code == 200
    login_staff(client, world.worker)
    client.post(PAGE, {"action": "revoke"})
    assert client.get(feed_path(new)).status_code == 404
    assert not CalendarFeed.objects.filter(worker=world.leroy).exists()


def test_a_deactivated_workers_feed_is_a_404(client, world):
    token = reset_feed(world.leroy)
    world.leroy.active = False
    world.leroy.save()
    assert client.get(feed_path(token)).status_code == 404


def test_the_preference_is_kept_without_changing_the_address(client, world):
    token = reset_feed(world.leroy)
    login_staff(client, world.worker)
    client.post(PAGE, {"action": "details", "show_details": "on"})
    assert CalendarFeed.objects.get(worker=world.leroy).show_details
    assert client.get(feed_path(token)).status_code == 200


def test_too_many_fetches_get_a_429(client, world):
    token = reset_feed(world.leroy)
    statuses = [client.get(feed_path(token)).status_code for _ in range(61)]
    assert statuses[:60] == [200] * 60 and statuses[60] == 429


@pytest.mark.parametrize("who", ["manager", "assistant", "communication"])
def test_only_a_user_linked_to_a_worker_has_the_page(client, world, who):
    login_staff(client, world.users()[who])
    assert client.get(PAGE).status_code == 403
    assert client.post(PAGE, {"action": "reset"}).status_code == 403
    assert not CalendarFeed.objects.exists()


def test_the_feed_costs_the_same_queries_for_one_or_twelve_appointments(client, world, appointment):
    token = reset_feed(world.leroy)
    client.get(feed_path(token))
    with CaptureQueriesContext(connection) as one:
        client.get(feed_path(token))
    for day in range(11):
        AppointmentRequestFactory(
            school=world.school, assigned_worker=world.leroy, status=Status.SCHEDULED, slot_start=future(6 + day, 11)
        )
    with CaptureQueriesContext(connection) as twelve:
        client.get(feed_path(token))
    assert len(twelve) == len(one) <= 10
