"""Bad input on every field of every step (DESIGN.md rule 6): a translated message next to the
field and in the summary at the top, what the family typed kept, nothing stored, never a 500."""

from __future__ import annotations

import uuid

import pytest
from django.utils import translation
from django.utils.translation import gettext

from forms.booking.create import create_request
from forms.booking.slots import free_slots
from forms.models import AppointmentRequest
from tests.booking_walk import DETAILS, error_texts, submission_key, url, walk_to
from tests.factories import SchoolPageFactory
from tests.helpers import parse

pytestmark = [pytest.mark.django_db, pytest.mark.usefixtures("fresh_cache")]


@pytest.fixture
def school(db):
    return SchoolPageFactory(bookable_every_weekday=True)


TOO_LONG = "Écrivez au plus %(limit_value)d caractères (vous en avez écrit %(show_value)d)."
PHONE = "Indiquez un numéro de téléphone valide, par exemple 06 12 34 56 78."
EMAIL = "Indiquez une adresse e-mail valide, par exemple nom@exemple.fr, ou laissez vide."
MARKUP = "N'utilisez pas les caractères < et >."
SCHOOL = "Choisissez une école dans la liste, ou « Je ne sais pas »."
SLOT = "Ce créneau n'est pas disponible : choisissez-en un dans la liste."
MODE = "Choisissez une des possibilités proposées."
EXPIRED = "Le formulaire a expiré. Vérifiez le récapitulatif puis envoyez à nouveau."
NULL = "Null characters are not allowed."


def message(msgid, **params):
    text = gettext(msgid)
    return text % params if params else text


# (step, mode to walk with, field, bad value, msgid, msgid parameters)
CASES = [
    ("ecole", "school", "school", "", "Choisissez l'école de votre enfant, ou « Je ne sais pas ».", {}),
    ("ecole", "school", "school", "999999", SCHOOL, {}),
    ("ecole", "school", "school", "-1", SCHOOL, {}),
    ("ecole", "school", "school", "1e999", SCHOOL, {}),
    ("ecole", "school", "school", "99999999999999999999999", SCHOOL, {}),
    ("ecole", "school", "school", "<script>alert(1)</script>", SCHOOL, {}),
    ("modalite", "school", "mode", "", "Choisissez comment vous souhaitez être reçu.", {}),
    ("modalite", "school", "mode", "teleportation", MODE, {}),
    ("modalite", "school", "mode", "<b>ccas</b>", MODE, {}),
    ("creneau", "school", "slot", "", "Choisissez un créneau.", {}),
    ("creneau", "school", "slot", "20200101T073000Z", SLOT, {}),  # past
    ("creneau", "school", "slot", "20991231T073000Z", SLOT, {}),  # beyond the horizon
    ("creneau", "school", "slot", "garbage", SLOT, {}),
    ("creneau", "school", "slot", "<img src=x onerror=alert(1)>", SLOT, {}),
    ("creneau", "phone", "availabilities", "", "Indiquez quand vous êtes disponible.", {}),
    ("creneau", "phone", "availabilities", "x" * 1001, TOO_LONG, {"limit_value": 1000, "show_value": 1001}),
    ("creneau", "phone", "availabilities", "<script>alert(1)</script>", MARKUP, {}),
    ("coordonnees", "school", "reason", "", "Choisissez le motif de votre demande.", {}),
    ("coordonnees", "school", "reason", "bribe", "Choisissez un motif dans la liste.", {}),
    ("coordonnees", "school", "requester", "", "Indiquez qui fait la demande.", {}),
    ("coordonnees", "school", "requester", "robot", MODE, {}),
    ("coordonnees", "school", "parent_name", "", "Indiquez votre nom.", {}),
    ("coordonnees", "school", "parent_name", "   ", "Indiquez votre nom.", {}),
    ("coordonnees", "school", "parent_name", "A" * 121, TOO_LONG, {"limit_value": 120, "show_value": 121}),
    ("coordonnees", "school", "parent_name", "<script>alert(1)</script>", MARKUP, {}),
    ("coordonnees", "school", "parent_name", "Amina\x00Benali", NULL, {}),
    (
        "coordonnees",
        "school",
        "phone",
        "",
        "Indiquez votre numéro de téléphone : le travailleur social vous appelle.",
        {},
    ),
    ("coordonnees", "school", "phone", "123", PHONE, {}),
    ("coordonnees", "school", "phone", "06 12 34", PHONE, {}),
    ("coordonnees", "school", "phone", "appelez-moi", PHONE, {}),
    ("coordonnees", "school", "phone", "+33 6 12 34 56 78 99 99 99 99 99 99", PHONE, {}),
    ("coordonnees", "school", "phone", "<b>0612345678</b>", PHONE, {}),
    ("coordonnees", "school", "email", "amina@", EMAIL, {}),
    ("coordonnees", "school", "email", "a@" + "b" * 250 + ".fr", EMAIL, {}),
    ("coordonnees", "school", "email", "<a>@example.org", EMAIL, {}),
    ("coordonnees", "school", "language", "xx", "Choisissez une langue dans la liste.", {}),
    ("coordonnees", "school", "language", "", "Choisissez une langue dans la liste.", {}),
    ("coordonnees", "school", "child_first_name", "Y" * 61, TOO_LONG, {"limit_value": 60, "show_value": 61}),
    ("coordonnees", "school", "child_first_name", "<i>Yanis</i>", MARKUP, {}),
    ("coordonnees", "school", "child_class", "C" * 31, TOO_LONG, {"limit_value": 30, "show_value": 31}),
    ("coordonnees", "school", "child_class", "<CE1>", MARKUP, {}),
    ("coordonnees", "school", "message", "m" * 5001, TOO_LONG, {"limit_value": 5000, "show_value": 5001}),
    ("coordonnees", "school", "message", '<a href="http://spam.example">cheap</a>', MARKUP, {}),
    (
        "coordonnees",
        "school",
        "consent",
        None,
        "Cochez la case pour accepter l'utilisation de vos informations.",
        {},
    ),
]


def post_data(step, field, value):
    data = dict(DETAILS) if step == "coordonnees" else {}
    if value is None:
        data.pop(field, None)
    else:
        data[field] = value
    return data


def case_id(case):
    step, mode, field, value, _msgid, _params = case
    shown = "missing" if value is None else (repr(value[:12]) if value else "empty")
    return f"{step}-{mode}-{field}-{shown}"


@pytest.mark.parametrize("language", ["fr", "ar"])
@pytest.mark.parametrize("case", CASES, ids=[case_id(c) for c in CASES])
def test_bad_input_gets_a_translated_message_next_to_the_field_and_stores_nothing(client, school, case, language):
    step, mode, field, value, msgid, params = case
    walk_to(client, step, school, language=language, mode=mode)
    before = AppointmentRequest.objects.count()

    response = client.post(url(step, language), post_data(step, field, value))

    assert response.status_code == 200
    assert AppointmentRequest.objects.count() == before
    with translation.override(language):
        expected = message(msgid, **params)
        error_prefix = gettext("Erreur :")
    soup = parse(response)
    assert soup.title.get_text().startswith(error_prefix)
    assert any(expected in text for text in error_texts(response)), error_texts(response)
    summary = soup.select_one('.error-summary[role="alert"][tabindex="-1"]')
    assert summary is not None and expected in summary.get_text()
    link = summary.find("a")
    target = soup.find(id=link["href"].lstrip("#"))
    assert target is not None, link["href"]

    error = soup.find(id=f"id_{field}_error")
    assert error is not None
    inputs = soup.select(f'[name="{field}"]')
    assert inputs and all(element.get("aria-invalid") == "true" for element in inputs)
    described = [element.get("aria-describedby", "") for element in inputs]
    described += [fieldset.get("aria-describedby", "") for fieldset in soup.select("fieldset[aria-describedby]")]
    assert any(f"id_{field}_error" in ids for ids in described)


@pytest.mark.parametrize(
    "field,value",
    [
        ("parent_name", "<script>alert(1)</script>"),
        ("message", "m" * 5001),
        ("email", "amina@"),
        ("phone", "123"),
    ],
)
def test_what_the_family_typed_survives_a_failed_step(client, school, field, value):
    walk_to(client, "coordonnees", school)
    response = client.post(url("coordonnees"), post_data("coordonnees", field, value))
    soup = parse(response)
    for name in ("parent_name", "phone", "email", "child_first_name", "child_class"):
        expected = value if name == field else DETAILS[name]
        assert soup.select_one(f"#id_{name}")["value"] == expected
    expected_message = value if field == "message" else DETAILS["message"]
    assert soup.select_one("#id_message").get_text().strip() == expected_message
    assert soup.select_one("#id_reason option[selected]")["value"] == DETAILS["reason"]
    assert soup.select_one("#id_consent").has_attr("checked")
    assert "<script>alert" not in response.content.decode()


def test_arabic_error_messages_are_the_arabic_catalogue(client, school):
    walk_to(client, "coordonnees", school, language="ar")
    response = client.post(url("coordonnees", "ar"), post_data("coordonnees", "phone", "123"))
    with translation.override("ar"):
        arabic = gettext(PHONE)
    assert arabic != PHONE, "the Arabic catalogue lacks the phone message"
    assert any(arabic in text for text in error_texts(response))


def test_taken_slot_posted_on_the_slot_step_is_refused(client, school):
    page = walk_to(client, "creneau", school)
    taken = free_slots(school)[0]
    create_request(
        school=school,
        mode="school",
        slot=taken,
        data={"reason": "other", "requester": "parent", "parent_name": "Autre", "phone": "+33600000000"},
        language="fr",
        captcha="off",
        submission_key=uuid.uuid4(),
    )
    assert taken.key in [radio["value"] for radio in parse(page).select('input[name="slot"]')]
    response = client.post(url("creneau"), {"slot": taken.key})
    assert response.status_code == 200
    assert message(SLOT) in " ".join(error_texts(response))
    assert AppointmentRequest.objects.count() == 1


@pytest.mark.parametrize("key", ["", "not-a-uuid", str(uuid.uuid4()), "<script>", "0" * 5000])
def test_tampered_submission_key_is_refused(client, school, key):
    walk_to(client, "recapitulatif", school)
    response = client.post(url("recapitulatif"), {"submission_key": key})
    assert response.status_code == 200
    assert message(EXPIRED) in parse(response).select_one(".error-summary").get_text()
    assert AppointmentRequest.objects.count() == 0
    # The right key still works afterwards.
    recap = client.get(url("recapitulatif"))
    assert client.post(url("recapitulatif"), {"submission_key": submission_key(recap)}).status_code == 302
    assert AppointmentRequest.objects.count() == 1


@pytest.mark.parametrize("value", ["abc", "", "<b>1</b>", "1 OR 1=1", "١٢"])
def test_tampered_school_in_the_start_link_is_ignored(client, school, value):
    response = client.get("/rendez-vous/", {"ecole": value})
    assert response.status_code == 302
    assert response["Location"] == url("ecole")


def test_unpublished_school_counts_as_not_chosen(client, school):
    walk_to(client, "modalite", school)
    school.unpublish()
    assert client.get(url("modalite"))["Location"] == url("ecole")


def test_get_and_post_only(client, school):
    assert client.put(url("ecole")).status_code == 405
    assert client.delete("/rendez-vous/").status_code == 405
