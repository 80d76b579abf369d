"""The agenda's `?week=` at the ends of the calendar: the nearest week it shows, with a
message, never a 500."""

from datetime import timedelta

import pytest
from django.urls import reverse

from forms.admin.agenda import AGENDA_YEARS_AROUND, agenda_week, parse_week, week_label
from tests.helpers import login_staff

pytestmark = pytest.mark.django_db


def get_agenda(client, user, week):
    login_staff(client, user)
    return client.get(reverse("forms_admin:agenda"), {"week": week})


def page_messages(response):
    return [str(message) for message in response.context["messages"]]


@pytest.mark.parametrize(
    "week, end",
    [("9999-W52", "last"), ("0001-W01", "first"), ("2999-W01", "last"), ("1900-W10", "first")],
)
def test_a_week_out_of_the_agenda_shows_the_nearest_one_with_a_message(client, world, week, end):
    response = get_agenda(client, world.worker, week)
    assert response.status_code == 200
    this_monday = parse_week(None)
    around = timedelta(weeks=52 * AGENDA_YEARS_AROUND)
    expected = this_monday + around if end == "last" else this_monday - around
    assert response.context["monday"] == expected
    assert response.context["week"] == week_label(expected)
    [message] = page_messages(response)
    assert week_label(this_monday - around) in message and week_label(this_monday + around) in message


def test_the_manager_gets_the_same_answer_for_every_worker(client, world):
    response = get_agenda(client, world.manager, "9999-W52")
    assert response.status_code == 200
    assert response.context["next_week"] == week_label(response.context["monday"] + timedelta(days=7))


def test_a_week_inside_the_agenda_is_shown_without_a_message(client, world):
    week = week_label(parse_week(None) + timedelta(weeks=3))
    response = get_agenda(client, world.worker, week)
    assert response.status_code == 200
    assert response.context["week"] == week
    assert page_messages(response) == []


def test_the_bounds_are_reached_without_being_crossed():
    first = parse_week(None) - timedelta(weeks=52 * AGENDA_YEARS_AROUND)
    assert agenda_week(week_label(first)) == (first, False)
    assert agenda_week(week_label(first - timedelta(weeks=1))) == (first, True)
