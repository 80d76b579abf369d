"""Small defects of issue 13: the "slot just taken" warning is styled as a warning, the
confirmation's title says what its heading says, the evening form's error summary comes first,
and a family on an evening's waiting list is offered neither an .ics nor a seat to give up."""

import uuid
from datetime import timedelta

import pytest
from django.urls import reverse
from django.utils import timezone

from forms import links
from forms.booking.create import create_request
from forms.booking.slots import free_slots
from forms.evenings import registrations as evenings
from forms.models import EveningRegistration
from tests.booking_walk import submission_key, submit, url, walk_to
from tests.factories import SchoolPageFactory, make_evening, make_evening_index, make_site
from tests.helpers import parse

pytestmark = pytest.mark.usefixtures("fresh_cache")


@pytest.fixture
def school(db):
    return SchoolPageFactory(bookable_every_weekday=True)


@pytest.fixture
def evening(db):
    index = make_evening_index(make_site(), publish=True)
    return make_evening(
        index, "Les écrans en famille", day=timezone.localdate() + timedelta(days=10), capacity=2, publish=True
    )


def test_slot_just_taken_is_a_warning_not_a_success(client, school):
    recap = walk_to(client, "recapitulatif", school)
    create_request(
        school=school,
        mode="school",
        slot=free_slots(school)[0],
        data={"reason": "other", "requester": "parent", "parent_name": "Autre famille", "phone": "+33600000000"},
        language="fr",
        captcha="off",
        submission_key=uuid.uuid4(),
    )
    client.post(url("recapitulatif"), {"submission_key": submission_key(recap)})
    alert = parse(client.get(url("creneau"))).select_one('[role="alert"]')
    assert "notice--warning" in alert["class"]


@pytest.mark.parametrize("mode", ["school", "phone"])
def test_confirmation_title_and_heading_agree(client, school, mode):
    walk_to(client, "recapitulatif", school, mode=mode)
    page = parse(client.get(submit(client)["Location"]))
    heading = page.h1.get_text(strip=True)
    assert heading in {"Votre rendez-vous est réservé", "Votre demande est envoyée"}
    assert page.title.get_text(strip=True).startswith(heading + " — ")


@pytest.mark.parametrize("mode", ["school", "phone", "home"])
def test_confirmation_link_says_move_or_cancel_for_an_appointment_and_cancel_for_a_request(client, school, mode):
    walk_to(client, "recapitulatif", school, mode=mode)
    page = parse(client.get(submit(client)["Location"]))
    booked = page.h1.get_text(strip=True) == "Votre rendez-vous est réservé"
    links = [a.get_text(strip=True) for a in page.select("main a")]
    expected = "Déplacer ou annuler mon rendez-vous" if booked else "Annuler ma demande"
    assert expected in links and "Annuler mon rendez-vous" not in links


def test_evening_error_summary_comes_right_after_the_heading(client, evening):
    response = client.post(
        reverse("evening_register", kwargs={"evening_id": evening.pk}),
        {
            "name": "",
            "adults": "1",
            "children": "0",
            "phone": "12",
            "language": "fr",
            "submission_key": str(uuid.uuid4()),
        },
    )
    main = parse(response).find("main")
    first = main.h1.find_next_sibling()
    assert first is not None and "error-summary" in first.get("class", [])
    assert first.has_attr("data-focus-on-load") and first["tabindex"] == "-1"


def _done_page(client, registration):
    session = client.session
    session["evening_registrations"] = [registration.reference]
    session.save()
    return parse(client.get(reverse("evening_done", kwargs={"reference": registration.reference})))


def _register(evening, name, adults):
    return evenings.register(
        evening,
        name=name,
        adults=adults,
        children=0,
        email=f"{uuid.uuid4().hex[:6]}@example.fr",
        submission_key=uuid.uuid4(),
    )


def test_waiting_family_gets_no_ics_and_leaves_the_list_rather_than_a_seat(client, evening):
    seated = _register(evening, "Famille Assise", 2)
    waiting = _register(evening, "Famille En Attente", 1)
    assert (seated.status, waiting.status) == (EveningRegistration.Status.CONFIRMED, EveningRegistration.Status.WAITING)
    ics = reverse("evening_ics", kwargs={"pk": evening.pk})

    page = _done_page(client, waiting)
    text = page.find("main").get_text(" ", strip=True)
    assert page.find("a", href=ics) is None
    assert "laisser votre place" not in text
    leave = page.find("a", string="Quitter la liste d'attente")["href"]
    assert links.read_evening_cancel_token(leave.rstrip("/").rsplit("/", 1)[1]) == waiting

    confirm = parse(client.get(leave))
    assert confirm.h1.get_text(strip=True) == "Quitter la liste d'attente"
    assert confirm.find("button", string="Oui, je quitte la liste d'attente") is not None

    page = _done_page(client, seated)
    assert page.find("a", href=ics) is not None
    assert page.find("a", string="Annuler mon inscription") is not None
