"""Referrals by professionals (issue 14, DESIGN.md rules 1, 7 and 8): the public form, its
routing through the booking's own create path, the family's copy, the referrer's
acknowledgement and the family's "don't contact me" link.

Nothing of ours is mocked; Google's reCAPTCHA check is (the outside world)."""

from __future__ import annotations

import uuid
from datetime import timedelta
from unittest import mock

import pytest
from django.core import mail, signing
from django.utils import timezone, translation
from django_recaptcha.client import RecaptchaResponse

from forms.links import REFERRAL_SALT, make_referral_token, read_short_token, referral_path, short_link_target
from forms.models import AppointmentRequest, BookingSettings, Notification, Referral, RequestEvent
from forms.notifications.delivery import deliver_due
from forms.notifications.rendering import render_notification
from forms.records import operations
from services.schedule import today
from tests.factories import (
    AppointmentRequestFactory,
    SchoolPageFactory,
    make_absence,
    make_worker,
    permanence,
    translate_page,
)
from tests.helpers import parse

pytestmark = [pytest.mark.django_db, pytest.mark.usefixtures("fresh_cache")]

Kind = Notification.Kind
Source = AppointmentRequest.Source
Routing = AppointmentRequest.Routing
URL = "/orienter-une-famille/"
CONTEXT = "Fatigue marquée en classe depuis la rentrée, absences répétées le lundi"
GOOGLE = "django_recaptcha.fields.client.submit"


@pytest.fixture
def leroy(db):
    return make_worker("Mme Claire Leroy", email="leroy@ccas.example.fr")


@pytest.fixture
def martin(db):
    return make_worker("M. Paul Martin", email="martin@ccas.example.fr")


@pytest.fixture
def school(leroy):
    return SchoolPageFactory(title="École Jules-Ferry", referent=leroy, permanences=[permanence(weekday=2)])


def referral(school, **changes):
    data = {
        "danger": "no",
        "referrer_name": "Sophie Durand",
        "referrer_role": "teacher",
        "organisation": "",
        "referrer_email": "sophie.durand@ac-versailles.fr",
        "referrer_phone": "",
        "parent_name": "Amina Benali",
        "phone": "06 12 34 56 78",
        "email": "amina@example.org",
        "notify_by": "both",
        "language": "ar",
        "school": str(school.pk) if school is not None else "unknown",
        "child_first_name": "Yanis",
        "child_class": "CE1",
        "reason": "family",
        "context": CONTEXT,
        "parent_agreement": "on",
        "website": "",
        "submission_key": str(uuid.uuid4()),
    }
    data.update(changes)
    return data


def send(client, data):
    return client.post(URL, data)


def the_request():
    return AppointmentRequest.objects.select_related("referral", "assigned_worker").get()


# The form


def test_the_form_opens_with_the_119_and_the_information_preoccupante_procedure(client, school):
    page = parse(client.get(URL))

    main = page.select_one("main") or page
    text = main.get_text(" ", strip=True)
    assert text.index("119") < text.index("Votre nom et prénom")
    assert "information préoccupante" in text
    assert page.select_one('a[href="tel:119"]') is not None


def test_a_school_page_link_preselects_the_school(client, school):
    page = parse(client.get(f"{URL}?ecole={school.pk}"))

    assert page.select_one("#id_school option[selected]")["value"] == str(school.pk)


def test_the_school_choice_is_the_bookings_with_i_dont_know(client, school):
    options = [option["value"] for option in parse(client.get(URL)).select("#id_school option")]

    assert options == ["", str(school.pk), "unknown"]


def test_a_child_in_danger_answer_stops_the_form_and_shows_whom_to_alert(client, school):
    response = send(client, referral(school, danger="yes", parent_agreement=""))

    assert response.status_code == 200
    text = parse(response).get_text(" ", strip=True)
    assert "n'a pas été envoyée" in text
    assert "119" in text and "information préoccupante" in text
    assert AppointmentRequest.objects.count() == 0
    assert Notification.objects.count() == 0


def test_the_parents_agreement_declaration_is_mandatory_and_nothing_typed_is_lost(client, school):
    response = send(client, referral(school, parent_agreement=""))

    assert response.status_code == 400
    page = parse(response)
    assert "sans l'accord du parent" in page.select_one(".error-summary").get_text()
    assert page.select_one("#id_parent_name")["value"] == "Amina Benali"
    assert page.select_one("#id_context").get_text().strip() == CONTEXT
    assert AppointmentRequest.objects.count() == 0


def test_the_declaration_is_stored_with_its_time(client, school):
    before = timezone.now()
    send(client, referral(school))

    agreed = the_request().referral.parent_agreement_at
    assert before <= agreed <= timezone.now()


def test_the_context_is_length_limited_with_a_clear_message(client, school):
    response = send(client, referral(school, context="x" * (Referral.CONTEXT_MAX_LENGTH + 1)))

    assert response.status_code == 400
    assert "Écrivez au plus 600 caractères (vous en avez écrit 601)" in parse(response).get_text()
    assert AppointmentRequest.objects.count() == 0


def test_the_context_field_warns_against_medical_and_judicial_details(client, school):
    hint = parse(client.get(URL)).select_one("#id_context_helptext").get_text()

    assert "médical ou judiciaire" in hint


def test_a_partner_must_name_their_structure(client, school):
    response = send(client, referral(school, referrer_role="pmi", organisation=""))

    assert response.status_code == 400
    assert "Indiquez le nom de votre structure." in parse(response).get_text()


def test_every_field_error_is_a_translated_french_message(client, school):
    data = referral(school, referrer_email="pas-une-adresse", phone="12", reason="")
    data["school"] = "999999"
    response = send(client, data)

    summary = parse(response).select_one(".error-summary").get_text(" ", strip=True)
    assert "Indiquez une adresse e-mail valide" in summary
    assert "Choisissez une école dans la liste" in summary
    assert "Choisissez le motif de l'orientation." in summary


def test_a_double_click_creates_one_request(client, school):
    data = referral(school)

    first, second = send(client, data), send(client, data)

    assert AppointmentRequest.objects.count() == 1
    assert first["Location"] == second["Location"]


def test_a_filled_honeypot_stores_nothing(client, school):
    response = send(client, referral(school, website="http://spam.example"))

    assert response.status_code == 400
    assert AppointmentRequest.objects.count() == 0


def test_referrals_have_their_own_submission_counter(client, school, settings):
    settings.SUBMISSION_RATES = {**settings.SUBMISSION_RATES, "referral": "1/h"}

    assert send(client, referral(school)).status_code == 302
    refused = send(client, referral(school, phone="06 12 34 56 79"))

    assert refused.status_code == 429
    assert "Trop d'envois depuis cette connexion" in parse(refused).get_text()
    assert parse(refused).select_one("#id_parent_name")["value"] == "Amina Benali"
    assert AppointmentRequest.objects.count() == 1


def test_recaptcha_is_shown_only_after_consent_then_checked(client, school, settings):
    settings.RECAPTCHA_ENABLED = True
    settings.RECAPTCHA_PUBLIC_KEY = "public-key-for-tests"
    settings.RECAPTCHA_PRIVATE_KEY = "private-key-for-tests"
    page = client.get(URL).content.decode()
    assert "recaptcha/api.js" not in page
    data = referral(school, captcha_consent="yes")

    shown = send(client, data)
    assert shown.status_code == 200
    assert "recaptcha/api.js" in shown.content.decode()
    assert AppointmentRequest.objects.count() == 0

    with mock.patch(GOOGLE, return_value=RecaptchaResponse(is_valid=True)):
        done = send(client, {**data, "captcha_shown": "1", "g-recaptcha-response": "token"})
    assert done.status_code == 302
    assert the_request().captcha == AppointmentRequest.Captcha.PASSED


def test_declining_recaptcha_still_sends_the_referral(client, school, settings):
    settings.RECAPTCHA_ENABLED = True
    settings.RECAPTCHA_PUBLIC_KEY = "public-key-for-tests"
    settings.RECAPTCHA_PRIVATE_KEY = "private-key-for-tests"

    assert send(client, referral(school, captcha_consent="no")).status_code == 302
    assert the_request().captcha == AppointmentRequest.Captcha.DECLINED


def test_the_acknowledgement_page_shows_the_reference_and_no_status(client, school):
    page = client.get(send(client, referral(school))["Location"])

    text = parse(page).get_text(" ", strip=True)
    assert the_request().reference in text
    assert "Mme Claire Leroy" not in text
    assert "Nouvelle" not in text


def test_another_browser_cannot_open_the_acknowledgement_page(client, school):
    location = send(client, referral(school))["Location"]
    client.cookies.clear()

    assert client.get(location).status_code == 404


# Routing: the parent's rule, through the same create path


@pytest.mark.parametrize(
    "role, source",
    [("teacher", Source.TEACHER), ("director", Source.DIRECTOR), ("pmi", Source.PARTNER), ("partner", Source.PARTNER)],
)
def test_the_source_is_the_referrers_role(client, school, role, source):
    send(client, referral(school, referrer_role=role, organisation="PMI du centre"))

    assert the_request().source == source


def test_a_referral_goes_to_the_school_referent(client, school, leroy):
    send(client, referral(school))

    request = the_request()
    assert (request.assigned_worker, request.routed_as) == (leroy, Routing.REFERENT)
    assert request.slot_start is None
    assert request.events.get(kind=RequestEvent.Kind.ROUTED).data["why"] == "referent"


def test_a_referral_for_an_absent_referent_goes_to_the_replacement(client, school, leroy, martin):
    make_absence(leroy, today(), today() + timedelta(days=3), replacement=martin)

    send(client, referral(school))

    assert (the_request().assigned_worker, the_request().routed_as) == (martin, Routing.REPLACEMENT)


def test_a_referral_for_an_absent_referent_without_replacement_goes_to_the_service_queue(client, school, leroy):
    make_absence(leroy, today(), today())

    send(client, referral(school))

    assert (the_request().assigned_worker, the_request().routed_as) == (None, Routing.SERVICE)


def test_a_referral_for_an_unknown_school_goes_to_the_service_queue(client, school):
    send(client, referral(None))

    request = the_request()
    assert (request.school, request.assigned_worker, request.routed_as) == (None, None, Routing.SERVICE)


def test_a_referral_from_the_arabic_school_page_routes_like_the_french_one(client, school, leroy):
    arabic = translate_page(school, "ar", title="مدرسة جول فيري")
    page = parse(client.get(f"/ar{URL}?ecole={arabic.pk}"))
    chosen = page.select_one("#id_school option[selected]")
    assert (chosen["value"], chosen.get_text()) == (str(school.pk), "مدرسة جول فيري")

    client.post(f"/ar{URL}", referral(school))

    request = the_request()
    assert request.school.pk == school.pk
    assert (request.assigned_worker, request.routed_as) == (leroy, Routing.REFERENT)


# Trusted domains


@pytest.mark.parametrize(
    "address, verified",
    [
        ("sophie.durand@ac-versailles.fr", True),
        ("direction@ecole.ac-versailles.fr", True),
        ("sophie.durand@gmail.com", False),
        ("sophie@notac-versailles.fr", False),
    ],
)
def test_an_address_outside_the_trusted_domains_arrives_flagged_unverified(client, school, address, verified):
    rules = BookingSettings.load()
    rules.trusted_email_domains = "ac-versailles.fr\n@mairie-exemple.fr\n"
    rules.save()

    send(client, referral(school, referrer_email=address))

    assert the_request().referral.referrer_verified is verified


# Messages


def messages_of(kind):
    return Notification.objects.filter(kind=kind).order_by("channel")


def test_the_referral_queues_the_family_copy_the_referrers_acknowledgement_and_the_workers_notice(client, school):
    send(client, referral(school))

    kinds = sorted(Notification.objects.values_list("kind", "channel", "recipient", "language"))
    assert kinds == [
        (Kind.PARENT_REFERRED, "email", "amina@example.org", "ar"),
        (Kind.PARENT_REFERRED, "sms", "+33612345678", "ar"),
        (Kind.REFERRER_ACKNOWLEDGEMENT, "email", "sophie.durand@ac-versailles.fr", "fr"),
        (Kind.WORKER_NEW, "email", "leroy@ccas.example.fr", "fr"),
    ]


@pytest.mark.parametrize("language", ["fr", "en", "ar", "pt", "tr"])
def test_the_familys_copy_in_each_language_and_channel_names_the_role_and_school_never_the_context(
    client, school, sms_outbox, language
):
    translate_page(school, "ar", title="مدرسة جول فيري")
    send(client, referral(school, language=language))

    deliver_due()

    email = next(message for message in mail.outbox if message.to == ["amina@example.org"])
    sms = next(message for message in sms_outbox if message.to == "+33612345678")
    for text in (email.subject, email.body, email.alternatives[0][0], sms.text):
        assert "Fatigue" not in text and "absences" not in text
        assert "Sophie" not in text and "Durand" not in text
        assert "Yanis" not in text
    assert email.extra_headers["Content-Language"] == language
    school_title = "مدرسة جول فيري" if language == "ar" else "École Jules-Ferry"
    assert school_title in email.body
    assert school_title in sms.text
    assert f"/{language}/orientation/" in email.body if language != "fr" else "/orientation/" in email.body
    assert "/creneau/" in email.body


def test_the_familys_text_message_never_says_social_worker_nor_the_motive(client, school, sms_outbox):
    send(client, referral(school, language="fr"))

    deliver_due()

    text = sms_outbox[0].text if sms_outbox[0].to == "+33612345678" else sms_outbox[1].text
    assert "social" not in text.lower()
    assert "Difficult" not in text and "famil" not in text.lower()
    assert "l'équipe enseignante (École Jules-Ferry)" in text
    assert "/r/" in text


def test_the_familys_text_message_link_opens_its_referral_page(client, school):
    send(client, referral(school))
    request = the_request()
    notification = messages_of(Kind.PARENT_REFERRED).get(channel="sms")

    from forms.notifications.rendering import sms_text

    token = sms_text(notification).rsplit("/r/", 1)[1]
    target = short_link_target(read_short_token(token))

    assert target.startswith("/ar/orientation/")
    page = client.get(target)
    assert page.status_code == 200
    assert request.reference in page.content.decode()


def test_the_workers_notice_carries_the_reference_and_link_only(client, school):
    send(client, referral(school))
    request = the_request()

    deliver_due()

    notice = next(message for message in mail.outbox if message.to == ["leroy@ccas.example.fr"])
    for secret in ("Amina", "Benali", "Sophie", "Fatigue", "Yanis", "06 12", "+3361", "Jules-Ferry"):
        assert secret not in notice.body
    assert request.reference in notice.body
    assert f"/admin/demandes/{request.pk}/" in notice.body


def ack_texts(request):
    notification = Notification.objects.get(request=request, kind=Kind.REFERRER_ACKNOWLEDGEMENT)
    rendered = render_notification(notification)
    return [rendered.subject, rendered.text, rendered.html]


STATUS_WORDS = ("Nouvelle", "Prise en compte", "Rendez-vous fixé", "honoré", "Annulée", "Absent", "statut", "Leroy")


def test_the_referrers_acknowledgement_carries_the_reference_and_no_status_ever(client, school, leroy):
    send(client, referral(school))
    request = the_request()
    opened = ack_texts(request)

    operations.acknowledge(request, None)
    request.refresh_from_db()
    operations.cancel(request, None, reason="Famille déjà suivie")
    request.refresh_from_db()
    closed = ack_texts(request)

    assert opened == closed
    for text in opened:
        assert request.reference in text
        for word in (*STATUS_WORDS, "Amina", "Fatigue", "Yanis"):
            assert word not in text
    deliver_due()
    ack = next(message for message in mail.outbox if message.to == ["sophie.durand@ac-versailles.fr"])
    assert request.reference in ack.body
    assert not any(word in ack.body for word in STATUS_WORDS)


# The family's page: refuse contact


def family_url(request):
    return referral_path(request)


def test_the_familys_page_names_the_referrer_and_offers_booking_and_refusal(client, school):
    send(client, referral(school, language="fr"))
    request = the_request()

    path = family_url(request)
    page = parse(client.get(path))

    text = page.get_text(" ", strip=True)
    assert "L'équipe enseignante (École Jules-Ferry)" in text
    assert "Fatigue" not in text and "Sophie" not in text
    assert page.select_one(f'a[href="{path}creneau/"]') is not None
    assert page.select_one('form[method="post"] button') is not None


def test_the_familys_pages_send_no_referrer_and_take_posts_with_origin_null(client, school):
    """Pages behind a family link keep the link out of every Referer header; browsers then post
    their forms with `Origin: null`, which the token in the URL authorises (as the cancel page)."""
    from django.test import Client

    send(client, referral(school, language="fr"))
    request = the_request()
    path = family_url(request)
    for page in (client.get(path), client.get(f"{path}creneau/")):
        assert page["Referrer-Policy"] == "no-referrer"
        assert page["X-Robots-Tag"] == "noindex, nofollow"
    response = Client(enforce_csrf_checks=True).post(path, HTTP_ORIGIN="null", secure=True)
    assert response.status_code == 200
    assert response["Referrer-Policy"] == "no-referrer"
    request.refresh_from_db()
    assert request.referral.refused_at is not None


def test_refusing_contact_closes_the_request_and_tells_the_worker_by_reference_only(client, school):
    send(client, referral(school, language="fr"))
    request = the_request()
    Notification.objects.all().delete()

    response = client.post(family_url(request))

    assert response.status_code == 200
    assert "le service ne vous contactera pas" in response.content.decode()
    request.refresh_from_db()
    assert request.status == AppointmentRequest.Status.CANCELLED_FAMILY
    assert request.closed_at is not None
    assert request.referral.refused_at is not None
    assert request.events.filter(kind=RequestEvent.Kind.REFUSED_CONTACT).exists()
    deliver_due()
    (notice,) = mail.outbox
    assert notice.to == ["leroy@ccas.example.fr"]
    assert "ne souhaite pas être contactée" in notice.body
    assert request.reference in notice.body
    assert "Amina" not in notice.body and "Fatigue" not in notice.body


def test_the_refusal_link_used_twice_closes_once_and_says_so(client, school):
    send(client, referral(school, language="fr"))
    request = the_request()
    client.post(family_url(request))
    Notification.objects.all().delete()

    again = client.post(family_url(request))

    assert again.status_code == 410
    assert "déjà indiqué ne pas souhaiter être contacté" in again.content.decode()
    assert Notification.objects.count() == 0
    assert request.events.filter(kind=RequestEvent.Kind.REFUSED_CONTACT).count() == 1
    assert client.get(family_url(request)).status_code == 410


@pytest.mark.parametrize(
    "tamper",
    [
        lambda token: token[:-1] + ("A" if token[-1] != "A" else "B"),
        lambda token: token[:12],
        lambda token: "",
    ],
)
def test_a_tampered_refusal_link_changes_nothing(client, school, tamper):
    send(client, referral(school, language="fr"))
    request = the_request()
    token = tamper(make_referral_token(request))

    response = client.post(f"/orientation/{token}/") if token else client.post("/orientation/x/")

    assert response.status_code == 400
    assert "n'est pas complet ou a été modifié" in response.content.decode()
    request.refresh_from_db()
    assert request.is_active


def test_a_cancel_token_does_not_open_the_refusal_page(client, school):
    from forms.links import make_cancel_token

    send(client, referral(school, language="fr"))

    assert client.post(f"/orientation/{make_cancel_token(the_request())}/").status_code == 400
    assert the_request().is_active


def test_a_parents_own_request_has_no_refusal_page(client, school):
    request = AppointmentRequestFactory(school=school)
    legacy = signing.TimestampSigner(salt=REFERRAL_SALT).sign(f"{request.pk}.{request.reference}")

    for token in (make_referral_token(request), legacy):
        assert client.get(f"/orientation/{token}/").status_code == 400


def test_an_expired_refusal_link_is_refused_clearly(client, school, settings):
    send(client, referral(school, language="fr"))
    request = the_request()
    token = make_referral_token(request, now=timezone.now() - timedelta(days=91))

    response = client.post(f"/orientation/{token}/")

    assert response.status_code == 410
    assert the_request().is_active


def test_a_worker_closing_the_request_first_makes_the_refusal_say_it_is_closed(client, school):
    send(client, referral(school, language="fr"))
    request = the_request()
    operations.cancel(request, None, reason="Famille déjà suivie")

    response = client.post(family_url(request))

    assert response.status_code == 410
    assert "est close" in response.content.decode()


@pytest.mark.parametrize("language", ["fr", "en", "ar", "pt", "tr"])
def test_the_familys_text_message_fits_the_text_message_limits_at_the_longest_demo_school(client, language):
    from forms.notifications.rendering import sms_text
    from forms.notifications.sms.text import segments
    from services.demo import SCHOOLS
    from tests.sms_limits import MAX_SEGMENTS, SOCIAL_WORK_WORDS

    longest = max((school[1] for school in SCHOOLS), key=len)
    send(client, referral(SchoolPageFactory(title=longest), language=language))

    text = sms_text(messages_of(Kind.PARENT_REFERRED).get(channel="sms"))

    assert longest in text
    assert segments(text) <= MAX_SEGMENTS[language], (segments(text), text)
    assert not [word for word in SOCIAL_WORK_WORDS if word in text.lower()]
    with translation.override(language):
        assert str(AppointmentRequest.Reason.FAMILY.label) not in text


# Sources of the family's own requests


@pytest.mark.parametrize("requester, source", [("parent", Source.PARENT), ("family", Source.RELATIVE)])
def test_a_familys_own_request_records_parent_or_relative_as_its_source(school, requester, source):
    from forms.booking.create import create_request

    request = create_request(
        school=school,
        mode="phone",
        slot=None,
        data={"reason": "schooling", "requester": requester, "parent_name": "A", "phone": "+33612345678"},
        language="fr",
        captcha="off",
        submission_key=uuid.uuid4(),
    )

    assert request.source == source
    assert request.is_referral is False


def test_retention_blanks_the_referrer_and_the_context(client, school):
    from forms.records.retention import anonymise

    send(client, referral(school))
    request = the_request()
    operations.cancel(request, None, reason="Famille déjà suivie")

    anonymise([request.pk])

    kept = Referral.objects.get(request=request)
    assert (kept.referrer_name, kept.referrer_email, kept.referrer_phone, kept.context) == ("", "", "", "")
    assert kept.referrer_role == "teacher" and kept.parent_agreement_at is not None
    assert not Notification.objects.filter(request=request).exclude(recipient="").exists()


# The family books a slot itself, into the referral's own request


def test_the_family_books_a_free_slot_into_the_referrals_own_request(client, school, leroy):
    from forms.booking.slots import free_slots

    send(client, referral(school, language="fr"))
    request = the_request()
    Notification.objects.all().delete()
    page = parse(client.get(f"{family_url(request)}creneau/"))
    key = page.select_one('input[name="slot"]')["value"]

    response = client.post(f"{family_url(request)}creneau/", {"slot": key})

    request.refresh_from_db()
    assert response.status_code == 302 and "/annuler/" in response["Location"]
    assert request.slot_start is not None and request.mode == "school"
    assert (request.assigned_worker, AppointmentRequest.objects.count()) == (leroy, 1)
    assert key not in [slot.key for slot in free_slots(school)]
    kinds = sorted(Notification.objects.values_list("kind", "channel"))
    assert (Kind.WORKER_BOOKED, "email") in kinds
    assert (Kind.PARENT_SCHEDULED, "sms") in kinds
    assert request.events.filter(kind=RequestEvent.Kind.SCHEDULED, data__by="family").count() == 1


def test_a_second_click_on_book_changes_nothing(client, school):
    send(client, referral(school, language="fr"))
    request = the_request()
    key = parse(client.get(f"{family_url(request)}creneau/")).select_one('input[name="slot"]')["value"]
    client.post(f"{family_url(request)}creneau/", {"slot": key})
    booked = AppointmentRequest.objects.get().slot_start
    count = Notification.objects.count()

    again = client.post(f"{family_url(request)}creneau/", {"slot": key})

    assert again.status_code == 302
    assert AppointmentRequest.objects.get().slot_start == booked
    assert Notification.objects.count() == count


def test_a_slot_taken_meanwhile_is_refused_clearly_with_the_next_ones(client, school, leroy):
    send(client, referral(school, language="fr"))
    request = the_request()
    key = parse(client.get(f"{family_url(request)}creneau/")).select_one('input[name="slot"]')["value"]
    from forms.booking.slots import parse_slot_key

    start = parse_slot_key(key)
    AppointmentRequestFactory(school=school, assigned_worker=leroy, slot_start=start, mode="school")

    response = client.post(f"{family_url(request)}creneau/", {"slot": key})

    assert response.status_code in (400, 409)
    assert "Ce créneau" in response.content.decode()
    request.refresh_from_db()
    assert request.slot_start is None


def test_without_a_school_the_family_is_sent_to_the_booking(client, school):
    send(client, referral(None, language="fr"))
    request = the_request()

    page = parse(client.get(family_url(request)))

    assert page.select_one('a.button[href$="/rendez-vous/"]') is not None
    assert client.get(f"{family_url(request)}creneau/").status_code == 302
