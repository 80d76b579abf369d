"""Thematic evening registration: capacity, waiting list, cancellation, and the public pages."""

import threading
import uuid
from datetime import timedelta

import pytest
from django.core import signing
from django.db import connection, connections
from django.urls import reverse
from django.utils import timezone, translation
from django.utils.translation import gettext

from forms import links
from forms.evenings import registrations as evenings
from forms.models import EveningRegistration, Notification
from services.models import ThematicEveningPage
from tests.factories import make_evening, make_evening_index, make_site, translate_page
from tests.helpers import parse

Status = EveningRegistration.Status


# The per-IP submission limit lives in the cache: every test starts with a clean slate.
pytestmark = pytest.mark.usefixtures("fresh_cache")


@pytest.fixture
def evening(db):
    index = make_evening_index(make_site(), publish=True)
    return make_evening(
        index,
        "Les écrans en famille",
        day=timezone.localdate() + timedelta(days=10),
        capacity=5,
        publish=True,
    )


@pytest.fixture
def evening_ar(evening):
    return translate_page(evening, "ar", title="الشاشات في العائلة", place="القاعة متعددة الاستخدامات")


@pytest.fixture
def queued(monkeypatch):
    """What the registration rules hand to the notification outbox, in order."""
    calls = []

    def record(registration, kind):
        calls.append((registration.name, kind, connection.in_atomic_block))

    monkeypatch.setattr("forms.evenings.registrations.queue_evening", record)
    return calls


def register(evening, name="Famille Martin", adults=1, children=0, **fields):
    fields.setdefault("email", "famille@example.fr")
    fields.setdefault("submission_key", uuid.uuid4())
    return evenings.register(evening, name=name, adults=adults, children=children, **fields)


def statuses(evening):
    return dict(EveningRegistration.objects.filter(evening=evening).values_list("name", "status"))


# The rules


def test_registration_is_confirmed_while_seats_are_left(evening):
    registration = register(evening, adults=2, children=2)

    assert registration.status == Status.CONFIRMED
    assert registration.evening_id == evening.pk
    assert evenings.seats_left(evening) == 1


def test_registration_goes_on_the_waiting_list_when_it_does_not_fit(evening):
    register(evening, "A", adults=2, children=2)
    late = register(evening, "B", adults=1, children=1)

    assert late.status == Status.WAITING
    assert evenings.seats_left(evening) == 1


def test_a_newcomer_who_fits_in_the_seats_left_is_confirmed_even_with_a_waiting_list(evening):
    register(evening, "A", adults=2, children=2)
    register(evening, "B", adults=2)
    register(evening, "C", adults=1)

    assert statuses(evening) == {"A": Status.CONFIRMED, "B": Status.WAITING, "C": Status.CONFIRMED}
    assert evenings.seats_left(evening) == 0


def test_registration_asks_the_outbox_for_a_confirmation_inside_the_transaction(evening, queued):
    register(evening, "A")

    assert queued == [("A", Notification.Kind.EVENING_CONFIRMATION, True)]


def test_cancelling_promotes_the_waiting_registrations_in_creation_order(evening, queued):
    now = timezone.now()
    full = register(evening, "Full", adults=5, now=now)
    for minutes, name in [(1, "First"), (2, "Second"), (3, "Third")]:
        register(evening, name, adults=2, now=now + timedelta(minutes=minutes))
    queued.clear()

    promoted = evenings.cancel(full)

    assert [r.name for r in promoted] == ["First", "Second"]
    assert full.status == Status.CANCELLED and full.cancelled_at is not None
    assert statuses(evening) == {
        "Full": Status.CANCELLED,
        "First": Status.CONFIRMED,
        "Second": Status.CONFIRMED,
        "Third": Status.WAITING,
    }
    assert queued == [
        ("First", Notification.Kind.EVENING_PROMOTED, True),
        ("Second", Notification.Kind.EVENING_PROMOTED, True),
    ]


def test_a_large_waiting_family_that_does_not_fit_is_skipped_and_keeps_its_turn(evening):
    """Documented policy (forms/evenings/registrations.py): first fit in creation order."""
    now = timezone.now()
    small = register(evening, "Small", adults=1, now=now)
    register(evening, "Big", adults=4, now=now)
    register(evening, "Large", adults=3, children=1, now=now + timedelta(minutes=1))
    register(evening, "Single", adults=1, now=now + timedelta(minutes=2))
    assert statuses(evening) == {
        "Small": Status.CONFIRMED,
        "Big": Status.CONFIRMED,
        "Large": Status.WAITING,
        "Single": Status.WAITING,
    }

    # One seat frees: "Large" (4) does not fit and is skipped, "Single" (1) is promoted.
    assert [r.name for r in evenings.cancel(small)] == ["Single"]
    # Four seats free: "Large" is first in line again and fits now.
    big = EveningRegistration.objects.get(name="Big")
    assert [r.name for r in evenings.cancel(big)] == ["Large"]
    assert evenings.seats_left(evening) == 0


def test_cancelling_twice_changes_nothing(evening, queued):
    first = register(evening, "First", adults=5)
    register(evening, "Waiting", adults=1)
    evenings.cancel(first)
    queued.clear()

    assert evenings.cancel(first) == []
    assert queued == []
    assert statuses(evening)["Waiting"] == Status.CONFIRMED


def test_the_same_submission_key_creates_one_registration(evening, queued):
    key = uuid.uuid4()
    first = register(evening, submission_key=key)
    again = register(evening, submission_key=key)

    assert again.pk == first.pk
    assert EveningRegistration.objects.count() == 1
    assert len(queued) == 1


def test_a_submission_key_of_another_evening_is_refused(evening):
    other = make_evening(evening.get_parent(), day=evening.date, capacity=5)
    key = uuid.uuid4()
    register(evening, submission_key=key)

    with pytest.raises(evenings.RegistrationRefused) as refused:
        register(other, submission_key=key)
    assert refused.value.code == "key_reused"


def test_a_past_or_started_evening_is_refused(evening):
    with pytest.raises(evenings.RegistrationRefused) as refused:
        register(evening, now=evening.starts_at)
    assert refused.value.code == "past"

    ThematicEveningPage.objects.filter(pk=evening.pk).update(date=timezone.localdate() - timedelta(days=1))
    evening.refresh_from_db()
    with pytest.raises(evenings.RegistrationRefused):
        register(evening)
    assert EveningRegistration.objects.count() == 0


def test_a_group_larger_than_the_evening_is_refused(evening):
    with pytest.raises(evenings.RegistrationRefused) as refused:
        register(evening, adults=4, children=2)
    assert refused.value.code == "oversized"


def test_the_arabic_page_counts_against_the_same_capacity(evening, evening_ar):
    register(evening, "Française", adults=3)
    from_arabic = register(evening_ar, "عائلة", adults=2, language="ar")
    waiting = register(evening_ar, "Waiting", adults=1)

    assert from_arabic.evening_id == evening.pk
    assert from_arabic.status == Status.CONFIRMED
    assert waiting.status == Status.WAITING
    assert evenings.seats_left(evening_ar) == evenings.seats_left(evening) == 0


# Cancel links


def test_a_cancel_token_names_its_registration(evening):
    registration = register(evening)
    assert links.read_evening_cancel_token(links.make_evening_cancel_token(registration)) == registration


@pytest.mark.parametrize(
    "mangle", [lambda t: t + "x", lambda t: ("B" if t[0] == "A" else "A") + t[1:], lambda t: t[:-1], lambda t: ""]
)
def test_a_tampered_cancel_token_is_refused(evening, mangle):
    token = links.make_evening_cancel_token(register(evening))
    with pytest.raises(links.InvalidToken):
        links.read_evening_cancel_token(mangle(token))


def test_a_cancel_token_from_another_salt_is_refused(evening):
    registration = register(evening)
    token = signing.TimestampSigner(salt="booking-cancel").sign(registration.reference)
    with pytest.raises(links.InvalidToken):
        links.read_evening_cancel_token(token)


def test_a_cancel_token_expires_when_the_evening_ends(evening):
    token = links.make_evening_cancel_token(register(evening))
    with pytest.raises(links.ExpiredToken):
        links.read_evening_cancel_token(token, now=evening.ends_at)


def test_the_link_of_a_deleted_registration_does_not_cancel_a_new_one_with_its_reference(evening):
    """References are short: one can come back once an old registration is deleted."""
    old = register(evening)
    token = links.make_evening_cancel_token(old)
    old.delete()
    new = register(evening)
    EveningRegistration.objects.filter(pk=new.pk).update(reference=old.reference)

    with pytest.raises(links.InvalidToken):
        links.read_evening_cancel_token(token)


# The pages


def form_data(**overrides):
    data = {
        "name": "Famille Martin",
        "adults": "2",
        "children": "1",
        "phone": "06 12 34 56 78",
        "email": "",
        "language": "fr",
        "website": "",
        "submission_key": str(uuid.uuid4()),
    }
    data.update(overrides)
    return data


def register_url(evening, language="fr"):
    with translation.override(language):
        return reverse("evening_register", kwargs={"evening_id": evening.pk})


def test_the_form_page_shows_the_seats_left_and_the_emergency_numbers(client, evening):
    register(evening, adults=1)
    response = client.get(register_url(evening))

    assert response.status_code == 200
    page = parse(response)
    assert page.h1 is not None
    assert "Il reste 4 places" in page.get_text()
    assert page.select_one("form[method=post] input[name=submission_key]")["value"]
    assert "119" in page.select_one("main .emergency").get_text()
    # The contact group is a fieldset; phone numbers read left to right on an Arabic page too.
    phone = page.select_one("input[name=phone]")
    assert (phone["type"], phone["autocomplete"], phone["dir"]) == ("tel", "tel", "ltr")
    assert page.select_one("input[name=name]")["autocomplete"] == "name"
    assert [legend.get_text(strip=True) for legend in page.select("form legend")] == [
        "Combien serez-vous ?",
        "Comment vous joindre*",
        "Comment voulez-vous recevoir la confirmation ?",
    ]


def test_a_full_evening_says_registrations_go_on_the_waiting_list(client, evening):
    register(evening, adults=5)
    response = client.get(register_url(evening))
    assert "Complet : inscription sur liste d'attente" in parse(response).get_text()


def test_a_past_evening_shows_no_form(client, evening):
    ThematicEveningPage.objects.filter(pk=evening.pk).update(date=timezone.localdate() - timedelta(days=1))

    response = client.get(register_url(evening))
    assert response.status_code == 200
    assert parse(response).select_one("form[method=post]") is None

    response = client.post(register_url(evening), form_data())
    assert response.status_code == 200
    assert EveningRegistration.objects.count() == 0


def test_an_unknown_or_unpublished_evening_is_not_found(client, evening):
    assert client.get(reverse("evening_register", kwargs={"evening_id": 999_999})).status_code == 404
    evening.unpublish()
    assert client.get(register_url(evening)).status_code == 404


def test_registering_redirects_to_a_confirmation_only_this_browser_can_see(client, evening):
    response = client.post(register_url(evening), form_data())

    registration = EveningRegistration.objects.get()
    assert response.status_code == 302
    assert response["Location"] == reverse("evening_done", kwargs={"reference": registration.reference})
    assert registration.phone == "+33612345678"
    assert (registration.adults, registration.children, registration.language) == (2, 1, "fr")

    done = client.get(response["Location"])
    page = parse(done)
    assert done.status_code == 200
    assert page.h1.get_text(strip=True) == "Vous êtes inscrit·e"
    assert registration.reference in page.get_text()
    assert evening.place in page.get_text()
    assert page.find("a", href=reverse("evening_ics", kwargs={"pk": evening.pk}))
    cancel_link = page.find("a", string="Annuler mon inscription")["href"]
    assert client.get(cancel_link).status_code == 200

    from django.test import Client

    assert Client().get(response["Location"]).status_code == 404


def test_the_confirmation_says_clearly_when_the_family_is_on_the_waiting_list(client, evening):
    register(evening, "Famille Dupont", adults=5)
    response = client.post(register_url(evening), form_data(), follow=True)

    assert EveningRegistration.objects.get(name="Famille Martin").status == Status.WAITING
    assert parse(response).h1.get_text(strip=True) == "Vous êtes sur liste d'attente"


def test_a_double_submit_creates_one_registration(client, evening):
    data = form_data()
    first = client.post(register_url(evening), data)
    second = client.post(register_url(evening), data)

    assert EveningRegistration.objects.count() == 1
    assert first["Location"] == second["Location"]


def test_the_arabic_form_registers_for_the_same_evening_in_arabic(client, evening, evening_ar):
    register(evening, "Famille Dupont", adults=4)
    url = register_url(evening_ar, "ar")
    page = parse(client.get(url))
    assert page.html["dir"] == "rtl"
    assert page.select_one("select[name=language] option[selected]")["value"] == "ar"
    assert page.select_one("select[name=language] option[value=ar]")["lang"] == "ar"

    response = client.post(url, form_data(language="ar", adults="1", children="0"))

    registration = EveningRegistration.objects.get(name="Famille Martin")
    assert (registration.evening_id, registration.language) == (evening.pk, "ar")
    assert registration.status == Status.CONFIRMED
    assert response["Location"].startswith("/ar/")
    done = parse(client.get(response["Location"]))
    assert evening_ar.title in done.get_text()
    # The French id in an Arabic URL is the same evening.
    assert client.get(register_url(evening, "ar")).status_code == 200


PHONE_ERROR = "Indiquez un numéro de téléphone valide, par exemple 06 12 34 56 78."


@pytest.mark.parametrize(
    "overrides, field, message",
    [
        ({"name": ""}, "name", "Indiquez votre nom."),
        ({"name": "   "}, "name", "Indiquez votre nom."),
        ({"name": "x" * 121}, "name", None),
        ({"name": "<script>alert(1)</script>"}, "name", "Le nom ne peut pas contenir les caractères < et >."),
        ({"adults": "0"}, "adults", "Au moins un adulte doit venir."),
        ({"adults": "99"}, "adults", "%(limit_value)s adultes au plus par inscription."),
        ({"adults": ""}, "adults", "Indiquez le nombre d'adultes."),
        ({"adults": "deux"}, "adults", "Indiquez un nombre, par exemple 2."),
        ({"children": "-1"}, "children", "Indiquez 0 si aucun enfant ne vient."),
        ({"children": "11"}, "children", "%(limit_value)s enfants au plus par inscription."),
        ({"phone": "123"}, "phone", PHONE_ERROR),
        ({"phone": "06 12 34 56 78 90 12"}, "phone", PHONE_ERROR),
        ({"phone": "<b>0612345678</b>"}, "phone", PHONE_ERROR),
        ({"phone": "0" * 31}, "phone", None),
        (
            {"phone": "", "email": ""},
            "phone",
            "Indiquez un numéro de téléphone ou une adresse e-mail : au moins l'un des deux.",
        ),
        (
            {"email": "pas-une-adresse"},
            "email",
            "Indiquez une adresse e-mail valide, par exemple nom@exemple.fr.",
        ),
        ({"email": "a@" + "b" * 260 + ".fr"}, "email", None),
        ({"language": "xx"}, "language", "Choisissez une langue dans la liste."),
        ({"adults": "5", "children": "1"}, "adults", None),
    ],
)
@pytest.mark.parametrize("language", ["fr", "ar"])
def test_bad_input_gets_a_translated_error_next_to_the_field_and_in_the_summary(
    client, evening, overrides, field, message, language
):
    data = form_data(**overrides)
    response = client.post(register_url(evening, language), data)

    assert response.status_code == 200
    assert EveningRegistration.objects.count() == 0
    page = parse(response)
    summary = page.select_one(".error-summary[role=alert]")
    assert summary is not None
    assert summary.find("a", href=f"#id_{field}") is not None
    widget = page.select_one(f"[name={field}]")
    assert widget["aria-invalid"] == "true"
    error = page.select_one(f"#id_{field}_error")
    assert error is not None and f"id_{field}_error" in widget["aria-describedby"]
    if message is not None:
        with translation.override(language):
            expected = gettext(message) % {"limit_value": 10}
        assert expected in error.get_text()
    with translation.override(language):
        assert page.title.get_text().startswith(gettext("Erreur :"))
    # What the family typed is kept, and the same submission key is sent again.
    if field != "name":
        assert page.select_one("input[name=name]")["value"] == data["name"]
    assert page.select_one("input[name=submission_key]")["value"] == data["submission_key"]


@pytest.mark.parametrize("key", ["", "not-a-uuid", "' OR 1=1 --"])
def test_a_tampered_submission_key_stores_nothing_and_gets_a_new_one(client, evening, key):
    response = client.post(register_url(evening), form_data(submission_key=key))

    assert response.status_code == 200
    assert EveningRegistration.objects.count() == 0
    page = parse(response)
    assert "Le formulaire a expiré" in page.select_one(".error-summary").get_text()
    assert uuid.UUID(page.select_one("input[name=submission_key]")["value"])


def test_a_submission_key_of_another_registration_stores_nothing(client, evening):
    other = make_evening(evening.get_parent(), day=evening.date, capacity=5)
    taken = register(other)
    response = client.post(register_url(evening), form_data(submission_key=str(taken.submission_key)))

    assert response.status_code == 200
    assert EveningRegistration.objects.count() == 1
    assert parse(response).select_one("input[name=submission_key]")["value"] != str(taken.submission_key)


def test_a_filled_honeypot_stores_nothing(client, evening):
    response = client.post(register_url(evening), form_data(website="http://spam.example"))

    assert response.status_code == 200
    assert EveningRegistration.objects.count() == 0
    assert parse(response).select_one(".error-summary") is not None


def test_too_many_submissions_from_one_address_are_refused_politely(client, evening, settings):
    settings.SUBMISSION_RATES = {**settings.SUBMISSION_RATES, "evening": "2/h"}
    for _ in range(2):
        client.post(register_url(evening), form_data())
    response = client.post(register_url(evening), form_data(name="Famille Durand"))

    assert response.status_code == 429
    assert not EveningRegistration.objects.filter(name="Famille Durand").exists()
    page = parse(response)
    assert "Trop d'envois" in page.select_one(".error-summary").get_text()
    assert page.select_one("input[name=name]")["value"] == "Famille Durand"


def test_other_methods_are_not_allowed(client, evening):
    assert client.put(register_url(evening)).status_code == 405


# Cancelling from the link


def cancel_url(registration, language="fr"):
    with translation.override(language):
        return reverse("evening_cancel", kwargs={"token": links.make_evening_cancel_token(registration)})


def test_the_cancel_link_asks_for_confirmation_then_cancels_and_promotes(client, evening):
    first = register(evening, "First", adults=5)
    register(evening, "Waiting", adults=2)
    url = cancel_url(first)

    page = parse(client.get(url))
    assert page.select_one("form[method=post] button") is not None
    assert EveningRegistration.objects.get(pk=first.pk).status == Status.CONFIRMED

    response = client.post(url)
    assert response.status_code == 302 and response["Location"] == url
    assert statuses(evening) == {"First": Status.CANCELLED, "Waiting": Status.CONFIRMED}
    assert parse(client.get(url)).h1.get_text(strip=True) == "Inscription annulée"
    assert client.post(url).status_code == 302  # twice is harmless


@pytest.mark.parametrize("language", ["fr", "ar"])
def test_a_tampered_cancel_link_gets_a_translated_400_page(client, evening, language):
    registration = register(evening)
    url = cancel_url(registration, language)
    token = url.rstrip("/").rsplit("/", 1)[1]
    tampered = url.replace(token, ("B" if token[5] == "A" else "A").join((token[:5], token[6:])))

    for response in (client.get(tampered), client.post(tampered), client.get(url[:-3] + "xyz/")):
        assert response.status_code == 400
        page = parse(response)
        assert page.html["lang"] == language
        with translation.override(language):
            assert gettext("Lien d'annulation non valable") in page.h1.get_text()
    assert EveningRegistration.objects.get().status == Status.CONFIRMED


def test_an_expired_cancel_link_gets_a_400_page(client, evening):
    registration = register(evening)
    url = cancel_url(registration)
    ThematicEveningPage.objects.filter(pk=evening.pk).update(date=timezone.localdate() - timedelta(days=1))

    response = client.post(url)
    assert response.status_code == 400
    assert "a expiré" in parse(response).get_text()
    assert EveningRegistration.objects.get().status == Status.CONFIRMED


# Capacity under concurrent registrations


@pytest.mark.django_db(transaction=True, serialized_rollback=True)
def test_concurrent_registrations_never_exceed_the_capacity():
    if connection.vendor != "postgresql":
        pytest.skip("needs PostgreSQL: SQLite ignores SELECT ... FOR UPDATE and locks the whole file")
    index = make_evening_index(make_site(), publish=True)
    evening = make_evening(index, day=timezone.localdate() + timedelta(days=10), capacity=5, publish=True)
    threads_count = 20
    barrier = threading.Barrier(threads_count)
    errors = []

    def register_one(n):
        try:
            barrier.wait()
            register(evening, f"Famille {n}", adults=1)
        except Exception as error:  # noqa: BLE001 - reported below
            errors.append(error)
        finally:
            connections.close_all()

    threads = [threading.Thread(target=register_one, args=(n,)) for n in range(threads_count)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join()

    assert errors == []
    counts = {
        status: EveningRegistration.objects.filter(evening=evening, status=status).count()
        for status in (Status.CONFIRMED, Status.WAITING)
    }
    assert counts == {Status.CONFIRMED: 5, Status.WAITING: 15}


def test_raising_the_capacity_promotes_the_waiting_list_on_publish(db):
    """An editor adds seats: the oldest waiting families are confirmed when the page is published."""
    from forms.evenings.registrations import register
    from forms.models import EveningRegistration
    from tests.factories import make_evening, make_evening_index, make_site

    # A future evening: registration closes once it has started (the default day is today).
    day = timezone.localdate() + timedelta(days=10)
    evening = make_evening(make_evening_index(make_site(), publish=True), day=day, capacity=1, publish=True)
    first = register(
        evening,
        name="A",
        adults=1,
        children=0,
        phone="+33612345678",
        email="",
        language="fr",
        submission_key=uuid.uuid4(),
    )
    second = register(
        evening,
        name="B",
        adults=1,
        children=0,
        phone="+33612345679",
        email="",
        language="fr",
        submission_key=uuid.uuid4(),
    )
    assert (first.status, second.status) == ("confirmed", "waiting")
    evening.capacity = 2
    evening.save_revision().publish()
    assert EveningRegistration.objects.get(pk=second.pk).status == "confirmed"
