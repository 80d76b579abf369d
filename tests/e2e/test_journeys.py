"""Browser journeys of families on a phone: book, download the .ics, cancel; a request
without a slot; a failed submit; a thematic evening with its waiting list.

The demo data persists between e2e tests, so each journey uses its own school or evening."""

import re

import icalendar
import pytest
from django.utils import translation

from tests.e2e.axe import axe_violations
from tests.e2e.journeys import assert_html, assert_step, cancel_path, fill_details, fresh_limits, prefix, school

DETAILS = {
    "reason": "schooling",
    "requester": "parent",
    "parent_name": "Famille Test",
    "phone": "+33612345678",
    "email": "",
    "language": "fr",
    "interpreter_needed": False,
    "child_first_name": "",
    "child_class": "",
    "message": "",
}

# language -> (school slug, what the parent types in the finder, without accents)
BOOKINGS = {"fr": ("jacques-prevert", "prevert"), "ar": ("marie-curie", "curie")}


@pytest.fixture(autouse=True)
def _limits():
    fresh_limits()


@pytest.mark.parametrize("language", ["fr", "ar"])
def test_parent_books_downloads_the_ics_and_cancels_from_the_email(page, db_access, language):
    from forms.models import AppointmentRequest

    slug, typed = BOOKINGS[language]
    source = school(db_access, slug)
    email = f"parent-{language}@example.org"
    p = prefix(language)

    page.goto(f"{p}/ecoles/")
    assert_html(page, language)
    page.fill("form.finder input[name=q]", typed)  # the header's site search has a q too
    page.locator("form.finder button[type=submit]").click()
    page.wait_for_url(re.compile(r"\?.*q="))
    results = page.locator(".card-list .card h2 a")
    assert results.count() == 1
    page.shots(f"{language}-finder")
    results.first.click()
    page.wait_for_url(re.compile(rf"{p}/ecoles/[^/]+/$"))
    assert_html(page, language)
    page.shots(f"{language}-school")

    page.locator(f"a.button[href*='rendez-vous/?ecole={source.pk}']").click()
    # The school is chosen from its page: the flow opens on the type of appointment.
    page.wait_for_url(re.compile(r"/rendez-vous/modalite/\?ecole=\d+$"))  # the school in the address, no session yet
    assert_step(page, language, "modalite")
    page.shots(f"{language}-modalite")
    page.check("input[name=mode][value=school]")
    page.locator("main form button[type=submit]").click()

    page.wait_for_url(re.compile(r"/rendez-vous/creneau/$"))
    assert_step(page, language, "creneau")
    slot_key = page.input_value("#id_slot_0")
    page.shots(f"{language}-creneau", full_page=False)
    page.check("#id_slot_0")
    page.locator("main form button[type=submit]").click()

    page.wait_for_url(re.compile(r"/rendez-vous/coordonnees/$"))
    assert_step(page, language, "coordonnees")
    assert page.input_value("#id_language") == language
    fill_details(page, name="Samira Haddad" if language == "ar" else "Julie Martin", email=email)
    page.shots(f"{language}-coordonnees")
    page.locator("main form button[type=submit]").click()

    page.wait_for_url(re.compile(r"/rendez-vous/recapitulatif/$"))
    assert_step(page, language, "recapitulatif")
    page.shots(f"{language}-recapitulatif")
    page.locator("main form button[type=submit]").click()

    page.wait_for_url(re.compile(rf"{p}/rendez-vous/confirmation/[^/]+/$"))
    assert_html(page, language)
    reference = page.locator(".booking__reference").inner_text().strip()
    assert reference and reference in page.url
    page.shots(f"{language}-confirmation", full_page=False)
    assert axe_violations(page) == []

    with db_access():
        request = AppointmentRequest.objects.select_related("assigned_worker").get(reference=reference)
        assert request.school_id == source.pk
        assert request.language == language
        assert request.slot_start is not None
        assert request.assigned_worker_id == source.referent_id
        assert request.status == AppointmentRequest.Status.NEW

    with page.expect_download() as info:
        page.locator("a[href$='.ics']").click()
    download = info.value
    assert download.suggested_filename == f"rendez-vous-{reference}.ics"
    calendar = icalendar.Calendar.from_ical(open(download.path(), "rb").read())
    events = [component for component in calendar.walk("VEVENT")]
    assert len(events) == 1
    assert events[0].decoded("dtstart") == request.slot_start

    path = cancel_path(email)
    assert path.startswith(f"{p}/annuler/")
    page.goto(path)
    assert_html(page, language)
    assert reference in page.content()
    page.shots(f"{language}-cancel-confirm")
    page.locator("main form button[type=submit]").click()
    page.wait_for_load_state()
    page.shots(f"{language}-cancelled")
    with db_access():
        request.refresh_from_db()
        assert request.status == AppointmentRequest.Status.CANCELLED_FAMILY

    # The slot is offered again to the next family.
    page.goto(f"{p}/rendez-vous/?ecole={source.pk}")
    page.check("input[name=mode][value=school]")
    page.locator("main form button[type=submit]").click()
    page.wait_for_url(re.compile(r"/rendez-vous/creneau/$"))
    assert page.locator(f"input[name=slot][value='{slot_key}']").count() == 1


def test_cancel_link_confirmation_passes_csrf(page, db_access):
    from forms.booking.create import create_request
    from forms.booking.forms import new_submission_key
    from forms.booking.slots import free_slots
    from forms.links import make_cancel_token
    from forms.models import AppointmentRequest

    source = school(db_access, "paul-langevin")
    with db_access():
        request = create_request(
            school=source,
            mode="school",
            slot=free_slots(source)[-1],
            data=DETAILS,
            language="fr",
            captcha=AppointmentRequest.Captcha.NOT_CONFIGURED,
            submission_key=new_submission_key(),
        )
        token = make_cancel_token(request)
    opened = page.goto(f"/annuler/{token}/")
    # No Referer leaves the page (the token is in its address)...
    assert opened.headers["referrer-policy"] == "no-referrer"
    posts = []
    page.on("response", lambda r: posts.append((r.status, r.request)) if r.request.method == "POST" else None)
    page.locator("main form button[type=submit]").click()
    page.wait_for_load_state()
    # ...so Chromium posts the form with "Origin: null" and no Referer, which Django's CSRF check
    # would refuse: the token in the URL authorises the POST (forms.link_views.capability_post).
    [(status, post)] = posts
    assert status == 200
    assert post.headers.get("origin") == "null" and "referer" not in post.headers
    with db_access():
        request.refresh_from_db()
        assert request.status == AppointmentRequest.Status.CANCELLED_FAMILY


def test_request_without_a_slot_by_phone(page, db_access):
    from forms.models import AppointmentRequest

    source = school(db_access, "lucie-aubrac")
    page.goto(f"/rendez-vous/?ecole={source.pk}")
    assert_step(page, "fr", "modalite")
    page.check("input[name=mode][value=phone]")
    page.shots("modalite-phone")
    page.locator("main form button[type=submit]").click()

    page.wait_for_url(re.compile(r"/rendez-vous/creneau/$"))
    assert page.locator("input[name=slot]").count() == 0
    page.fill("#id_availabilities", "Le lundi après 17 h, le mercredi matin")
    page.shots("disponibilites")
    page.locator("main form button[type=submit]").click()

    page.wait_for_url(re.compile(r"/rendez-vous/coordonnees/$"))
    fill_details(page, name="Karim Benzema", email="parent-phone@example.org")
    page.locator("main form button[type=submit]").click()
    page.wait_for_url(re.compile(r"/rendez-vous/recapitulatif/$"))
    assert "Le lundi après 17 h" in page.locator(".booking__summary").inner_text()
    page.shots("recapitulatif")
    page.locator("main form button[type=submit]").click()

    page.wait_for_url(re.compile(r"/rendez-vous/confirmation/[^/]+/$"))
    assert page.locator("a[href$='.ics']").count() == 0
    reference = page.locator(".booking__reference").inner_text().strip()
    page.shots("confirmation")
    with db_access():
        request = AppointmentRequest.objects.get(reference=reference)
        assert request.mode == AppointmentRequest.Mode.PHONE
        assert request.slot_start is None
        assert request.availabilities == "Le lundi après 17 h, le mercredi matin"
        assert request.assigned_worker_id == source.referent_id


@pytest.mark.parametrize("language", ["fr", "ar"])
def test_failed_submit_focuses_the_summary_and_keeps_the_answers(page, db_access, language):
    source = school(db_access, "victor-hugo")
    p = prefix(language)
    page.goto(f"{p}/rendez-vous/?ecole={source.pk}")
    page.check("input[name=mode][value=phone]")
    page.locator("main form button[type=submit]").click()
    page.wait_for_url(re.compile(r"/rendez-vous/creneau/$"))
    page.fill("#id_availabilities", "Le jeudi matin")
    page.locator("main form button[type=submit]").click()
    page.wait_for_url(re.compile(r"/rendez-vous/coordonnees/$"))
    title_before = page.title()

    page.select_option("#id_reason", "health")
    page.fill("#id_parent_name", "Fatma Demir")
    page.fill("#id_phone", "12")  # not a phone number
    page.fill("#id_email", "fatma@example.org")
    page.fill("#id_message", "Mon fils a des difficultés à l'école.")
    # consent left unchecked
    page.locator("main form button[type=submit]").click()
    page.wait_for_load_state()

    assert_step(page, language, "coordonnees")
    summary = page.locator(".error-summary")
    assert summary.is_visible()
    assert page.evaluate("document.activeElement.classList.contains('error-summary')")
    with translation.override(language):
        error_prefix = translation.gettext("Erreur :")
    assert page.title().startswith(error_prefix)
    assert page.title() != title_before
    assert page.get_attribute("#id_phone", "aria-invalid") == "true"
    assert page.get_attribute("#id_consent", "aria-invalid") == "true"
    assert page.get_attribute("#id_parent_name", "aria-invalid") is None
    assert page.locator(".error-summary a[href='#id_phone']").count() == 1
    # Nothing typed is lost.
    assert page.input_value("#id_reason") == "health"
    assert page.input_value("#id_parent_name") == "Fatma Demir"
    assert page.input_value("#id_phone") == "12"
    assert page.input_value("#id_email") == "fatma@example.org"
    assert page.input_value("#id_message") == "Mon fils a des difficultés à l'école."
    page.shots(f"{language}-error")
    assert axe_violations(page) == []


def _evening(db_access, capacity_left):
    """An upcoming evening (not the one the accessibility test shows) with `capacity_left` seats."""
    from forms.evenings import registrations as evenings
    from services.models import ThematicEveningPage
    from services.schedule import today

    with db_access():
        evening = (
            ThematicEveningPage.objects.live()
            .filter(locale__language_code="fr", date__gt=today())
            .exclude(slug="le-sommeil-des-enfants")
            .order_by("date")
            .first()
        )
        taken = evenings.seats_taken(evening)
        ThematicEveningPage.objects.filter(pk=evening.pk).update(capacity=taken + capacity_left)
    return evening


def test_evening_registration_then_waiting_list(page, db_access):
    from forms.models import EveningRegistration

    evening = _evening(db_access, 2)
    page.goto(evening.url)
    page.locator(f"a[href$='/soirees/{evening.pk}/inscription/']").first.click()
    page.wait_for_url(re.compile(rf"/soirees/{evening.pk}/inscription/$"))
    assert_html(page, "fr")
    page.fill("#id_name", "Nadia Ferreira")
    page.fill("#id_adults", "1")
    page.fill("#id_children", "1")
    page.fill("#id_email", "evening-1@example.org")
    page.shots("register")
    page.locator("main form button[type=submit]").click()
    page.wait_for_url(re.compile(r"/soirees/inscription/[^/]+/$"))
    page.shots("confirmed")
    first = page.url.rstrip("/").rsplit("/", 1)[1]

    # The evening is now full: the next family goes on the waiting list.
    page.goto(f"/soirees/{evening.pk}/inscription/")
    assert "liste d'attente" in page.locator("main").inner_text()
    page.fill("#id_name", "Ayse Yilmaz")
    page.fill("#id_phone", "06 98 76 54 32")
    page.shots("register-full")
    page.locator("main form button[type=submit]").click()
    page.wait_for_url(re.compile(r"/soirees/inscription/[^/]+/$"))
    assert "liste d'attente" in page.locator("h1").inner_text()
    page.shots("waiting")
    second = page.url.rstrip("/").rsplit("/", 1)[1]

    with db_access():
        statuses = dict(
            EveningRegistration.objects.filter(reference__in=[first, second]).values_list("reference", "status")
        )
    assert statuses == {first: EveningRegistration.Status.CONFIRMED, second: EveningRegistration.Status.WAITING}
