"""The booking flow with the Django test client: five steps, Post/Redirect/Get, in French and
in Arabic, without JavaScript; one request per submission; a lost slot offers the next ones."""

from __future__ import annotations

import uuid

import pytest
from django.db import connection
from django.test import Client
from django.test.utils import CaptureQueriesContext
from django.utils import translation
from django.utils.translation import gettext

from forms.booking.create import create_request
from forms.booking.slots import free_slots
from forms.models import AppointmentRequest, RequestEvent
from services.schedule import PARIS
from tests.booking_walk import DETAILS, slot_keys, submission_key, submit, url, walk_to
from tests.factories import SchoolPageFactory, make_school, translate_page
from tests.helpers import html_attributes, parse

ARABIC_TITLE = "مدرسة جول فيري"
ARABIC_PLACE = "مكتب الطابق الأرضي"

# The rate limit counts in the process-wide cache: every test starts from zero.
pytestmark = pytest.mark.usefixtures("fresh_cache")


@pytest.fixture
def school(db):
    return SchoolPageFactory(bookable_every_weekday=True)


@pytest.fixture
def leroy(school):
    return school.referent


@pytest.fixture
def arabic_school(school):
    return translate_page(school, "ar", title=ARABIC_TITLE, places=[ARABIC_PLACE] * 5)


@pytest.mark.django_db
def test_whole_flow_in_french_books_the_first_free_slot(client, school, leroy):
    response = client.get(f"/rendez-vous/?ecole={school.pk}")
    assert response.status_code == 302
    assert response["Location"] == url("modalite") + f"?ecole={school.pk}"

    response = client.get(response["Location"])
    assert "Étape 2 sur 5" in response.content.decode()
    response = client.post(url("modalite") + f"?ecole={school.pk}", {"mode": "school"})
    assert response["Location"] == url("creneau")

    response = client.get(url("creneau"))
    keys = slot_keys(response)
    expected = free_slots(school)
    assert keys == [slot.key for slot in expected]
    response = client.post(url("creneau"), {"slot": keys[0]})
    assert response["Location"] == url("coordonnees")

    response = client.post(url("coordonnees"), DETAILS)
    assert response["Location"] == url("recapitulatif")

    recap = client.get(url("recapitulatif"))
    text = recap.content.decode()
    assert "Amina Benali" in text and "06 12 34 56 78" in text and "Scolarité" in text
    response = client.post(url("recapitulatif"), {"submission_key": submission_key(recap)})
    assert response.status_code == 302

    request = AppointmentRequest.objects.get()
    assert response["Location"] == f"/rendez-vous/confirmation/{request.reference}/"
    assert request.school == school
    assert request.assigned_worker == leroy
    assert request.routed_as == AppointmentRequest.Routing.REFERENT
    assert request.mode == "school"
    assert (request.slot_start, request.slot_end) == (expected[0].start, expected[0].end)
    assert request.phone == "+33612345678"
    assert request.language == "fr"
    assert request.captcha == AppointmentRequest.Captcha.NOT_CONFIGURED
    assert request.consent_at is not None
    assert str(request.submission_key) == submission_key(recap)
    assert "Bureau du rez-de-chaussée" in request.place
    assert set(request.events.values_list("kind", flat=True)) == {RequestEvent.Kind.CREATED, RequestEvent.Kind.ROUTED}

    done = client.get(response["Location"])
    assert done.status_code == 200
    page = done.content.decode()
    assert request.reference in page
    assert "Mme Leroy" in page
    assert "Bureau du rez-de-chaussée" in page
    soup = parse(done)
    ics = client.get(soup.find("a", href=lambda href: href and href.endswith(".ics"))["href"])
    assert ics.status_code == 200
    assert ics["Content-Type"].startswith("text/calendar")
    cancel = soup.find("a", href=lambda href: href and href.startswith("/annuler/"))
    assert client.get(cancel["href"]).status_code == 200
    start = request.slot_start.astimezone(PARIS)
    assert f'datetime="{start.isoformat()}"' in page


@pytest.mark.django_db
def test_whole_flow_in_arabic_is_right_to_left_and_stores_the_source_school(client, school, arabic_school, leroy):
    response = client.get(f"/ar/rendez-vous/?ecole={arabic_school.pk}")
    # The source school's id: the same in every language.
    assert response["Location"] == url("modalite", "ar") + f"?ecole={school.pk}"

    page = client.get(response["Location"])
    assert html_attributes(page) == {"lang": "ar", "dir": "rtl"}
    assert ARABIC_TITLE in page.content.decode()
    client.post(response["Location"], {"mode": "school"})

    page = client.get(url("creneau", "ar"))
    assert ARABIC_PLACE in page.content.decode()
    client.post(url("creneau", "ar"), {"slot": slot_keys(page)[0]})

    page = client.get(url("coordonnees", "ar"))
    soup = parse(page)
    assert soup.select_one("#id_language option[selected]")["value"] == "ar"
    phone = soup.select_one("#id_phone")
    assert (phone["type"], phone["autocomplete"], phone["dir"]) == ("tel", "tel", "ltr")
    response = client.post(url("coordonnees", "ar"), {**DETAILS, "language": "ar", "interpreter_needed": "on"})
    assert response["Location"] == url("recapitulatif", "ar")

    response = submit(client, "ar")
    request = AppointmentRequest.objects.get()
    assert response["Location"] == f"/ar/rendez-vous/confirmation/{request.reference}/"
    assert request.school == school  # the French source page, not the Arabic one
    assert request.assigned_worker == leroy
    assert request.language == "ar"
    assert request.interpreter_needed is True

    done = client.get(response["Location"])
    assert html_attributes(done) == {"lang": "ar", "dir": "rtl"}
    assert ARABIC_TITLE in done.content.decode()
    assert ARABIC_PLACE in done.content.decode()
    assert parse(done).find("a", href=lambda href: href and href.startswith("/ar/annuler/")) is not None


@pytest.mark.django_db
def test_same_school_from_the_arabic_and_french_pages_routes_to_the_same_worker(client, school, arabic_school, leroy):
    walk_to(client, "recapitulatif", school)
    submit(client)
    other = Client()
    other.get(f"/ar/rendez-vous/?ecole={arabic_school.pk}")
    walk_to(other, "recapitulatif", school, language="ar")  # the Arabic list submits the source id
    submit(other, "ar")
    first, second = AppointmentRequest.objects.order_by("created_at")
    assert first.school_id == second.school_id == school.pk
    assert first.assigned_worker == second.assigned_worker == leroy


@pytest.mark.django_db
def test_school_list_is_alphabetical_in_the_page_language_and_submits_source_ids(client, school, arabic_school):
    index = school.get_parent().specific
    make_school(index, "École Anatole-France", referent=school.referent)
    make_school(index, "Ecole Zola", referent=school.referent)
    options = parse(client.get(url("ecole"))).select("#id_school option")
    titles = [option.get_text() for option in options]
    assert titles[1:-1] == ["École Anatole-France", "École Jules-Ferry", "Ecole Zola"]
    assert options[-1]["value"] == "unknown"

    arabic = parse(client.get(url("ecole", "ar"))).select("#id_school option")
    by_value = {option["value"]: option.get_text() for option in arabic}
    assert by_value[str(school.pk)] == ARABIC_TITLE
    assert str(arabic_school.pk) not in by_value


@pytest.mark.django_db
def test_unknown_school_goes_to_the_service_queue_without_offering_the_school_mode(client, school):
    client.post(url("ecole"), {"school": "unknown"})
    page = client.get(url("modalite"))
    values = [radio["value"] for radio in parse(page).select('input[name="mode"]')]
    assert values == ["ccas", "phone", "home"]
    walk_to(client, "recapitulatif", None, mode="phone")
    submit(client)
    request = AppointmentRequest.objects.get()
    assert request.school is None
    assert request.assigned_worker is None
    assert request.routed_as == AppointmentRequest.Routing.SERVICE
    assert request.availabilities == "Le lundi après 17 h"
    assert request.slot_start is None


@pytest.mark.django_db
def test_school_without_free_slot_offers_the_other_modes_only(client, school, leroy):
    school = make_school(school.get_parent().specific, "École sans permanence", referent=leroy)
    client.post(url("ecole"), {"school": school.pk})
    page = client.get(url("modalite"))
    assert "pas de créneau libre à l'école" in page.content.decode()
    assert [r["value"] for r in parse(page).select('input[name="mode"]')] == ["ccas", "phone", "home"]


@pytest.mark.django_db
def test_other_modes_ask_for_availabilities_and_store_them(client, school, leroy):
    page = walk_to(client, "creneau", school, mode="home")
    textarea = parse(page).select_one("textarea#id_availabilities")
    assert textarea is not None
    assert "id_availabilities_helptext" in textarea["aria-describedby"]
    client.post(url("creneau"), {"availabilities": "Le mercredi matin"})
    walk_to(client, "recapitulatif", school, mode="home")
    submit(client)
    request = AppointmentRequest.objects.get()
    assert request.mode == "home"
    assert request.assigned_worker == leroy
    assert request.slot_start is None


@pytest.mark.django_db
def test_every_step_has_progress_emergency_numbers_privacy_notice_and_lang(client, school):
    walk_to(client, "recapitulatif", school)
    for number, step in enumerate(["ecole", "modalite", "creneau", "coordonnees", "recapitulatif"], start=1):
        for language in ("fr", "ar"):
            with translation.override(language):
                progress = gettext("Étape %(number)s sur %(total)s") % {"number": number, "total": 5}
            response = client.get(url(step, language))
            assert response.status_code == 200
            soup = parse(response)
            assert progress in soup.select_one(".booking__progress").get_text()
            assert progress in soup.title.get_text()
            main = soup.find("main")
            assert main.find("a", href="tel:119") is not None
            assert main.select_one(".booking__privacy") is not None
            assert html_attributes(response)["lang"] == language
            assert "no-store" in response["Cache-Control"]


@pytest.mark.django_db
def test_radio_groups_are_fieldsets_and_slots_are_grouped_by_day(client, school):
    page = walk_to(client, "creneau", school)
    soup = parse(page)
    days = soup.select("fieldset.booking__day")
    assert len(days) >= 2
    first_day = days[0]
    assert first_day.legend.find("time") is not None
    assert first_day.select('input[type="radio"]')[0]["id"] == "id_slot_0"
    assert "prochain créneau libre" in first_day.get_text()
    modes = parse(client.get(url("modalite"))).select_one('fieldset input[name="mode"]')
    assert modes is not None


@pytest.mark.django_db
def test_double_submit_creates_one_request_and_shows_the_same_confirmation(client, school):
    walk_to(client, "recapitulatif", school)
    recap = client.get(url("recapitulatif"))
    key = submission_key(recap)
    first = client.post(url("recapitulatif"), {"submission_key": key})
    second = client.post(url("recapitulatif"), {"submission_key": key})
    assert AppointmentRequest.objects.count() == 1
    assert first.status_code == second.status_code == 302
    assert first["Location"] == second["Location"]


@pytest.mark.django_db
def test_create_request_twice_with_the_same_key_returns_the_first(school):
    slot = free_slots(school)[0]
    key = uuid.uuid4()
    arguments = {
        "school": school,
        "mode": "school",
        "slot": slot,
        "data": {"reason": "schooling", "requester": "parent", "parent_name": "A", "phone": "+33612345678"},
        "language": "fr",
        "captcha": "off",
        "submission_key": key,
    }
    first = create_request(**arguments)
    second = create_request(**arguments)
    assert first.pk == second.pk
    assert AppointmentRequest.objects.count() == 1
    assert RequestEvent.objects.filter(kind=RequestEvent.Kind.CREATED).count() == 1


@pytest.mark.django_db
def test_slot_taken_between_display_and_submit_offers_the_next_free_slots(client, school):
    recap = walk_to(client, "recapitulatif", school)
    taken = free_slots(school)[0]
    create_request(
        school=school,
        mode="school",
        slot=taken,
        data={"reason": "other", "requester": "parent", "parent_name": "Autre famille", "phone": "+33600000000"},
        language="fr",
        captcha="off",
        submission_key=uuid.uuid4(),
    )
    response = client.post(url("recapitulatif"), {"submission_key": submission_key(recap)})
    assert response.status_code == 302
    assert response["Location"] == url("creneau")
    page = client.get(url("creneau"))
    assert page.status_code == 200
    text = page.content.decode()
    assert "Ce créneau vient d&#x27;être pris." in text or "Ce créneau vient d'être pris." in text
    assert taken.key not in slot_keys(page)
    notice = parse(page).select_one('[role="alert"]')
    assert len(notice.select("li")) == 5
    assert AppointmentRequest.objects.count() == 1
    # Nothing else is lost: the details are still there once another slot is chosen.
    client.post(url("creneau"), {"slot": slot_keys(page)[0]})
    recap = client.get(url("recapitulatif"))
    assert "Amina Benali" in recap.content.decode()


@pytest.mark.django_db
def test_slot_lost_at_insert_time_is_a_clear_message_not_a_500(client, school, monkeypatch):
    walk_to(client, "recapitulatif", school)
    recap = client.get(url("recapitulatif"))
    taken = free_slots(school)[0]
    create_request(
        school=school,
        mode="school",
        slot=taken,
        data={"reason": "other", "requester": "parent", "parent_name": "Autre famille", "phone": "+33600000000"},
        language="fr",
        captcha="off",
        submission_key=uuid.uuid4(),
    )
    # Both families saw the slot free: only the database constraint can tell them apart.
    monkeypatch.setattr("forms.booking.views.find_slot", lambda school, key, **kwargs: taken)
    monkeypatch.setattr("forms.booking.create.find_slot", lambda school, key, now=None, **kwargs: taken)
    response = client.post(url("recapitulatif"), {"submission_key": submission_key(recap)})
    assert response.status_code == 302
    assert response["Location"] == url("creneau")
    assert AppointmentRequest.objects.count() == 1
    monkeypatch.undo()
    assert "vient d" in client.get(url("creneau")).content.decode()


@pytest.mark.django_db
def test_confirmation_is_only_shown_to_the_browser_that_booked(client, school):
    walk_to(client, "recapitulatif", school)
    location = submit(client)["Location"]
    assert client.get(location).status_code == 200
    assert Client().get(location).status_code == 404
    assert client.get("/rendez-vous/confirmation/AAA-AAA/").status_code == 404


@pytest.mark.django_db
def test_flow_starts_over_after_a_submission(client, school):
    walk_to(client, "recapitulatif", school)
    submit(client)
    response = client.get("/rendez-vous/")
    assert response["Location"] == url("ecole")
    assert client.get(url("recapitulatif"))["Location"] == url("ecole")


@pytest.mark.django_db
def test_steps_cannot_be_skipped(client, school):
    assert client.get(url("creneau"))["Location"] == url("ecole")
    client.post(url("ecole"), {"school": school.pk})
    assert client.get(url("recapitulatif"))["Location"] == url("modalite")
    assert client.get(url("nimportequoi")).status_code == 404


@pytest.mark.django_db
def test_changing_the_school_asks_again_for_the_mode_and_slot(client, school):
    walk_to(client, "recapitulatif", school)
    other = make_school(school.get_parent().specific, "École Pasteur", referent=school.referent)
    response = client.post(url("ecole"), {"school": other.pk})
    assert response["Location"] == url("modalite")
    assert client.get(url("recapitulatif"))["Location"] == url("modalite")
    # Contact details are kept.
    client.post(url("modalite"), {"mode": "phone"})
    client.post(url("creneau"), {"availabilities": "Le soir"})
    assert "Amina Benali" in client.get(url("recapitulatif")).content.decode()


@pytest.mark.django_db
def test_editing_from_the_recap_returns_to_the_recap(client, school):
    walk_to(client, "recapitulatif", school)
    page = client.get(url("coordonnees"))
    assert parse(page).select_one("#id_parent_name")["value"] == "Amina Benali"
    assert parse(page).select_one("#id_consent").has_attr("checked")
    response = client.post(url("coordonnees"), {**DETAILS, "parent_name": "Amina Benali-Durand"})
    assert response["Location"] == url("recapitulatif")


@pytest.mark.django_db
def test_expired_session_in_the_middle_says_so(client, school):
    response = client.post(url("coordonnees"), DETAILS)
    assert response["Location"] == url("ecole")
    assert "a expiré" in client.get(url("ecole")).content.decode()


@pytest.mark.django_db
def test_no_google_script_anywhere_without_keys(client, school, settings):
    settings.RECAPTCHA_ENABLED = False
    walk_to(client, "recapitulatif", school)
    for step in ["ecole", "modalite", "creneau", "coordonnees", "recapitulatif"]:
        page = client.get(url(step)).content.decode()
        assert "google" not in page.lower()
        assert "captcha_consent" not in page
    location = submit(client)["Location"]
    assert "google" not in client.get(location).content.decode().lower()
    assert AppointmentRequest.objects.get().captcha == "off"


@pytest.mark.django_db
def test_school_step_query_count_does_not_grow_with_the_number_of_schools(client, school):
    def queries():
        with CaptureQueriesContext(connection) as captured:
            assert client.get(url("ecole", "ar")).status_code == 200
        return len(captured)

    client.get(url("ecole", "ar"))  # warm the settings caches
    few = queries()
    index = school.get_parent().specific
    for n in range(8):
        translate_page(make_school(index, f"École {n}", referent=school.referent), "ar")
    client.get(url("ecole", "ar"))  # new pages reset Wagtail's site cache: warm it again
    assert queries() == few
