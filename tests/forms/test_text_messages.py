"""Text messages through the outbox: channels, delivery, limits, reports, short links, retention.

The SMS backend is the in-memory one (`sms_outbox`) or the fake Brevo server on a local port
(`fake_sms_provider`); nothing of ours is mocked."""

from datetime import datetime, time, timedelta

import pytest
from bs4 import BeautifulSoup
from django.core import mail
from django.db import transaction
from django.test import override_settings
from django.urls import reverse
from django.utils import timezone

from forms.booking.forms import DetailsForm
from forms.links import LINK_MAX_AGE, short_link
from forms.models import (
    AppointmentRequest,
    BookingSettings,
    EveningRegistration,
    Notification,
    NotifyBy,
    RequestEvent,
    ShortLink,
)
from forms.notifications.channels import family_recipients
from forms.notifications.delivery import OVER_BUDGET, deliver_due
from forms.notifications.queueing import (
    queue_evening,
    queue_new_request,
    queue_no_show,
    queue_reminders,
    queue_request_cancelled,
    queue_request_scheduled,
)
from forms.notifications.sms.text import segments
from forms.records import operations
from forms.records.retention import purge_personal_data
from services.schedule import PARIS
from tests.factories import (
    AppointmentRequestFactory,
    EveningRegistrationFactory,
    make_evening,
    make_evening_index,
    make_site,
    translate_page,
)
from tests.helpers import login_staff

pytestmark = pytest.mark.django_db

Kind = Notification.Kind
Channel = Notification.Channel
State = Notification.State
MOBILE = "+33612345678"
LANDLINE = "+33145678901"
CHILD = "Yasmine"
# The motive ("Difficultés familiales"), the message, the worker's job and name.
MOTIVE_WORDS = ("harcel", "Difficult", "familiales", "social", "Leroy")
WEBHOOK = "/sms/rapports/"


def parse_html(html):
    return BeautifulSoup(html, "html.parser")


def in_days(days, hour=9, minute=30):
    day = timezone.localtime(timezone.now(), PARIS).date() + timedelta(days=days)
    return datetime.combine(day, time(hour, minute), tzinfo=PARIS)


@pytest.fixture
def worker(world):
    """Mme Claire Leroy, with her account (world.worker) and the other roles' (tests/forms/workers_side.py)."""
    world.leroy.email = "c.leroy@ccas.example.fr"
    world.leroy.save()
    return world.leroy


def booked(worker, days=5, notify_by=NotifyBy.SMS, language="fr", **fields):
    """A booked appointment, saved and queued as the booking does, in one transaction."""
    start = in_days(days)
    values = {
        "assigned_worker": worker,
        "mode": AppointmentRequest.Mode.SCHOOL,
        "place": "Bureau du rez-de-chaussée",
        "slot_start": start,
        "slot_end": start + timedelta(minutes=30),
        "reason": AppointmentRequest.Reason.FAMILY,
        "child_first_name": CHILD,
        "message": "Mon fils est harcelé à la cantine",
        "phone": MOBILE,
        "email": "famille@example.org",
        "notify_by": notify_by,
        "language": language,
    }
    values.update(fields)
    with transaction.atomic():
        request = AppointmentRequestFactory(**values)
        queue_new_request(request)
    deliver_due()  # what the delivery task does once the transaction has committed
    return request


def texts_to(outbox, number=MOBILE):
    return [message for message in outbox if message.to == number]


# Which channels


@pytest.mark.parametrize(
    ("notify_by", "phone", "email", "expected"),
    [
        (NotifyBy.SMS, MOBILE, "a@example.org", [Channel.SMS]),
        (NotifyBy.EMAIL, MOBILE, "a@example.org", [Channel.EMAIL]),
        (NotifyBy.BOTH, MOBILE, "a@example.org", [Channel.SMS, Channel.EMAIL]),
        (NotifyBy.BOTH, MOBILE, "", [Channel.SMS]),
        # A landline never gets a text message; the e-mail goes instead when there is one.
        (NotifyBy.SMS, LANDLINE, "a@example.org", [Channel.EMAIL]),
        (NotifyBy.SMS, LANDLINE, "", []),
        # Stored in national form by an older version: still reached.
        (NotifyBy.SMS, "06 12 34 56 78", "", [Channel.SMS]),
    ],
)
def test_the_family_is_told_by_the_channels_it_chose_and_can_be_reached_by(notify_by, phone, email, expected):
    row = AppointmentRequest(notify_by=notify_by, phone=phone, email=email)
    assert [channel for channel, _recipient in family_recipients(row)] == expected


def details(**overrides):
    data = {
        "reason": AppointmentRequest.Reason.SCHOOLING,
        "requester": AppointmentRequest.Requester.PARENT,
        "parent_name": "Amina Haddad",
        "phone": "06 12 34 56 78",
        "email": "",
        "notify_by": NotifyBy.SMS,
        "language": "ar",
        "consent": "on",
    }
    data.update(overrides)
    return DetailsForm(data)


def test_the_contact_step_accepts_a_mobile_number_alone_for_text_messages():
    form = details()
    assert form.is_valid(), form.errors
    assert form.cleaned_data["notify_by"] == NotifyBy.SMS
    assert form.cleaned_data["phone"] == MOBILE


def test_a_landline_with_text_messages_chosen_is_refused_next_to_the_choice_and_keeps_what_was_typed():
    form = details(phone="01 45 67 89 01", email="amina@example.org")
    assert not form.is_valid()
    assert list(form.errors) == ["notify_by"]
    assert "portable" in form.errors["notify_by"][0]
    html = str(form["phone"]) + str(form["email"])
    assert "01 45 67 89 01" in html and "amina@example.org" in html


def test_e_mail_chosen_without_an_address_asks_for_the_address():
    for choice in (NotifyBy.EMAIL, NotifyBy.BOTH):
        form = details(notify_by=choice)
        assert not form.is_valid()
        assert "adresse e-mail" in form.errors["email"][0]


def test_the_error_is_translated_in_the_family_language():
    from django.utils import translation

    with translation.override("ar"):
        form = details(phone="01 45 67 89 01")
        assert not form.is_valid()
        assert "محمول" in str(form.errors["notify_by"][0])


def test_text_messages_are_preselected_for_a_mobile_and_e_mail_for_a_landline():
    assert DetailsForm().initial["notify_by"] == NotifyBy.SMS
    assert DetailsForm(initial={"phone": MOBILE}).initial["notify_by"] == NotifyBy.SMS
    assert DetailsForm(initial={"phone": LANDLINE}).initial["notify_by"] == NotifyBy.EMAIL
    checked = parse_html(str(DetailsForm()["notify_by"])).select("input[checked]")
    assert [radio["value"] for radio in checked] == [NotifyBy.SMS]


def test_a_long_message_is_refused_with_its_length_not_cut():
    form = details(message="a" * 5001)
    assert not form.is_valid()
    assert "5000" in form.errors["message"][0] and "5001" in form.errors["message"][0]
    assert "maxlength" not in str(form["message"])
    assert details(message="a" * 5000).is_valid()


# Every kind, through the outbox


def test_a_mobile_only_family_gets_its_confirmation_by_text_message_in_its_language(worker, sms_outbox):
    request = booked(worker, language="ar", email="")
    [text] = texts_to(sms_outbox)
    assert text.text.startswith("CCAS de Villebelle")
    assert "RDV" not in text.text and "موعد" in text.text  # Arabic, not French
    assert text.text.count("http://testserver/r/") == 1
    assert request.reference in text.text
    assert not any(word in text.text for word in (CHILD, *MOTIVE_WORDS))
    assert segments(text.text) <= 3
    row = Notification.objects.get(request=request, kind=Kind.PARENT_CONFIRMATION)
    assert (row.channel, row.state, row.recipient) == (Channel.SMS, State.SENT, MOBILE)
    assert row.provider_id.startswith("locmem-") and row.segments == segments(text.text)
    assert row.delivery == Notification.Delivery.SENT
    assert mail.outbox and all(MOBILE not in m.body for m in mail.outbox)  # only the worker's e-mail


@pytest.mark.parametrize("language", ["fr", "en", "ar", "pt", "tr"])
def test_every_kind_of_family_message_goes_by_text_message_without_the_motive_or_the_child(
    worker, sms_outbox, language, settings
):
    """Confirmation, scheduled, reminder, cancelled by the service, cancellation recorded,
    no-show, and the evening's confirmation, waiting list and promotion."""
    limit = 2 if language in {"fr", "en", "pt"} else 3
    request = booked(worker, days=6, language=language)
    with transaction.atomic():
        queue_request_scheduled(request)
        # The daily command makes the day's scheduled reminder due now.
        assert [r.kind for r in queue_reminders(day=request.slot_start.astimezone(PARIS).date())] == [
            Kind.PARENT_REMINDER
        ]
    deliver_due()
    for by_family in (False, True):
        other = booked(worker, days=7 if by_family else 8, language=language, phone="+33699887766")
        with transaction.atomic():
            other.status = AppointmentRequest.Status.CANCELLED_FAMILY if by_family else "cancelled_service"
            other.save()
            queue_request_cancelled(other, by_family=by_family)
    missed = booked(worker, days=9, language=language, phone="+33699887755")
    with transaction.atomic():
        missed.status = AppointmentRequest.Status.NO_SHOW
        missed.save()
        queue_no_show(missed)
    make_site()
    evening = make_evening(make_evening_index(publish=True), "Les écrans en famille", day=in_days(10).date())
    if language != "fr":
        translate_page(evening, language, title="Ekranlar" if language == "tr" else "Screens")
    for status, kind in (("confirmed", Kind.EVENING_CONFIRMATION), ("waiting", Kind.EVENING_CONFIRMATION)):
        registration = EveningRegistrationFactory(
            evening=evening, phone="+33677665544", email="", notify_by=NotifyBy.SMS, language=language, status=status
        )
        with transaction.atomic():
            queue_evening(registration, kind)
    with transaction.atomic():
        queue_evening(registration, Kind.EVENING_PROMOTED)
    deliver_due()

    sent = Notification.objects.filter(channel=Channel.SMS, state=State.SENT)
    assert set(sent.values_list("kind", flat=True)) == {
        Kind.PARENT_CONFIRMATION,
        Kind.PARENT_SCHEDULED,
        Kind.PARENT_REMINDER,
        Kind.PARENT_CANCELLED,
        Kind.PARENT_CANCELLED_BY_FAMILY,
        Kind.PARENT_NO_SHOW,
        Kind.EVENING_CONFIRMATION,
        Kind.EVENING_PROMOTED,
    }
    assert len(sms_outbox) == sent.count()
    for message in sms_outbox:
        assert message.text.startswith(settings.SMS_SERVICE_NAME), message.text
        assert not any(word in message.text for word in (CHILD, *MOTIVE_WORDS)), message.text
        assert "assistante sociale" not in message.text.lower()
        assert segments(message.text) <= limit, (language, message.text)
        assert message.text.count("http://testserver/") == 1, message.text


# Outbox: retries, permanent errors, pointless messages


def test_a_provider_that_is_down_loses_nothing_and_blocks_no_e_mail(worker, fake_sms_provider):
    fake_sms_provider.always(503)
    request = booked(worker, notify_by=NotifyBy.BOTH)
    confirmation = Notification.objects.get(request=request, kind=Kind.PARENT_CONFIRMATION, channel=Channel.SMS)
    assert confirmation.state == State.PENDING and confirmation.attempts == 1
    assert confirmation.next_attempt_at > timezone.now()
    assert {m.to[0] for m in mail.outbox} == {"c.leroy@ccas.example.fr", "famille@example.org"}
    fake_sms_provider.reset()
    report = deliver_due(ignore_schedule=True)
    confirmation.refresh_from_db()
    assert report.sent >= 1 and confirmation.state == State.SENT
    assert confirmation.provider_id in fake_sms_provider.accepted


def test_a_permanent_error_is_never_retried_flags_the_request_and_sends_the_e_mail(
    worker, fake_sms_provider, client, world
):
    fake_sms_provider.fail_for(MOBILE, 400)
    request = booked(worker, days=1)  # no reminder: the confirmation is the only text message
    sms = Notification.objects.get(request=request, kind=Kind.PARENT_CONFIRMATION, channel=Channel.SMS)
    assert (sms.state, sms.attempts) == (State.FAILED, 1)
    calls = len(fake_sms_provider.requests)
    deliver_due(ignore_schedule=True)
    assert len(fake_sms_provider.requests) == calls  # never tried again
    fallback = Notification.objects.get(request=request, kind=Kind.PARENT_CONFIRMATION, channel=Channel.EMAIL)
    assert fallback.state == State.SENT
    assert "famille@example.org" in [m.to[0] for m in mail.outbox]
    assert request.events.filter(kind=RequestEvent.Kind.NOTIFY_FAILED, data__gave_up=True).exists()
    assert_flagged_in_the_queue(client, world.worker, request)


def assert_flagged_in_the_queue(client, user, request):
    login_staff(client, user)
    queue = client.get(reverse("forms_admin:index"))
    assert queue.status_code == 200
    assert "Message non distribué : numéro à vérifier" in queue.content.decode()
    page = client.get(reverse("forms_admin:detail", args=[request.pk]))
    assert "Message non distribué : numéro à vérifier" in page.content.decode()


def test_no_reminder_once_the_appointment_has_started_nor_for_a_slot_it_left(worker, sms_outbox):
    request = booked(worker, days=5)
    reminder = Notification.objects.get(request=request, kind=Kind.PARENT_REMINDER)
    assert reminder.next_attempt_at == request.slot_start - timedelta(hours=48)
    assert reminder.state == State.PENDING  # scheduled, not sent with the confirmation
    deliver_due(ignore_schedule=True)  # `send_notifications --all` after an outage: still not early
    reminder.refresh_from_db()
    assert reminder.state == State.PENDING
    # The appointment moved: the old reminder is never sent, the new one is scheduled.
    with transaction.atomic():
        request.slot_start += timedelta(days=1)
        request.slot_end += timedelta(days=1)
        request.save()
        queue_request_scheduled(request)
    deliver_due(now=request.slot_start - timedelta(hours=47))
    reminder.refresh_from_db()
    assert (reminder.state, reminder.last_error) == (State.FAILED, "skipped: appointment moved")
    new = Notification.objects.get(request=request, kind=Kind.PARENT_REMINDER, about_slot=request.slot_start)
    assert new.state == State.SENT
    # Started: pending reminders are dropped.
    late = booked(worker, days=12)
    late_reminder = Notification.objects.get(request=late, kind=Kind.PARENT_REMINDER)
    deliver_due(now=late.slot_start + timedelta(minutes=1))
    late_reminder.refresh_from_db()
    assert (late_reminder.state, late_reminder.last_error) == (State.FAILED, "skipped: appointment started")


def test_the_reminder_delay_is_a_booking_setting(worker, sms_outbox):
    rules = BookingSettings.load()
    rules.reminder_hours = 24
    rules.save()
    request = booked(worker, days=5)
    reminder = Notification.objects.get(request=request, kind=Kind.PARENT_REMINDER)
    assert reminder.next_attempt_at == request.slot_start - timedelta(hours=24)
    rules.reminder_hours = 0
    rules.save()
    assert not Notification.objects.filter(request=booked(worker, days=6), kind=Kind.PARENT_REMINDER).exists()


def test_no_confirmation_of_a_cancelled_appointment(worker, sms_outbox, fake_sms_provider):
    fake_sms_provider.always(503)
    request = booked(worker)
    operations.cancel(request, None, "Fermeture exceptionnelle")
    fake_sms_provider.reset()
    deliver_due(ignore_schedule=True)
    confirmation = Notification.objects.get(request=request, kind=Kind.PARENT_CONFIRMATION, channel=Channel.SMS)
    assert confirmation.last_error == "skipped: request closed"
    kinds = [Notification.objects.get(provider_id=pid).kind for pid in fake_sms_provider.accepted]
    assert kinds == [Kind.PARENT_CANCELLED]


def test_a_no_show_sends_we_missed_you_once_and_can_be_turned_off(worker, sms_outbox):
    request = booked(worker, days=3)
    operations.mark_no_show(request, None)
    deliver_due()
    assert Notification.objects.filter(request=request, kind=Kind.PARENT_NO_SHOW, state=State.SENT).count() == 1
    assert "/rendez-vous/" in texts_to(sms_outbox)[-1].text
    rules = BookingSettings.load()
    rules.no_show_message = False
    rules.save()
    other = booked(worker, days=4, phone="+33611223344")
    operations.mark_no_show(other, None)
    assert not Notification.objects.filter(request=other, kind=Kind.PARENT_NO_SHOW).exists()


# Limits


def test_at_most_n_text_messages_a_day_to_one_number(worker, sms_outbox):
    rules = BookingSettings.load()
    rules.sms_per_number_per_day = 2
    rules.save()
    for days in (3, 4, 5):
        booked(worker, days=days, email="")
    assert len(texts_to(sms_outbox)) == 2
    dropped = Notification.objects.get(last_error="skipped: daily limit for this number")
    assert dropped.channel == Channel.SMS and dropped.state == State.FAILED
    # Another number still gets its message.
    booked(worker, days=6, phone="+33699001122", email="")
    assert len(texts_to(sms_outbox, "+33699001122")) == 1


def test_past_the_daily_budget_messages_wait_and_the_manager_is_warned(worker, sms_outbox, client, world):
    rules = BookingSettings.load()
    rules.sms_daily_budget = 1
    rules.save()
    booked(worker, days=3, email="")
    second = booked(worker, days=4, phone="+33699001122", email="")
    assert len(sms_outbox) == 1
    waiting = Notification.objects.get(request=second, kind=Kind.PARENT_CONFIRMATION)
    assert (waiting.state, waiting.last_error, waiting.attempts) == (State.PENDING, OVER_BUDGET, 0)
    assert waiting.next_attempt_at > timezone.now()
    login_staff(client, world.manager)
    dashboard = client.get(reverse("wagtailadmin_home")).content.decode()
    assert "1 SMS attend" in dashboard
    login_staff(client, world.communication)
    assert "SMS attend" not in client.get(reverse("wagtailadmin_home")).content.decode()
    # The manager raises the budget: it goes at the next try.
    rules.sms_daily_budget = 10
    rules.save()
    deliver_due(now=waiting.next_attempt_at)
    waiting.refresh_from_db()
    assert waiting.state == State.SENT and len(sms_outbox) == 2


# Delivery reports


@pytest.fixture
def reported(worker, sms_outbox):
    request = booked(worker)
    return Notification.objects.get(request=request, kind=Kind.PARENT_CONFIRMATION, channel=Channel.SMS)


def post_report(client, body, secret="test-sms-webhook-secret"):
    import json

    url = WEBHOOK + (f"?secret={secret}" if secret else "")
    return client.post(url, json.dumps(body), content_type="application/json")


def test_a_delivery_report_marks_the_message_delivered(client, reported):
    response = post_report(client, {"id": reported.provider_id, "status": "delivered"})
    assert response.status_code == 204
    reported.refresh_from_db()
    assert reported.delivery == Notification.Delivery.DELIVERED and reported.delivery_at is not None
    # A late "sent" never takes it back.
    post_report(client, {"id": reported.provider_id, "status": "sent"})
    reported.refresh_from_db()
    assert reported.delivery == Notification.Delivery.DELIVERED


def test_a_failed_report_flags_the_request_and_sends_the_e_mail_once(client, reported, world):
    assert post_report(client, {"id": reported.provider_id, "status": "failed", "error": "absent"}).status_code == 204
    assert post_report(client, {"id": reported.provider_id, "status": "failed"}).status_code == 204
    reported.refresh_from_db()
    assert reported.delivery == Notification.Delivery.FAILED
    deliver_due()  # what the delivery task does once the report's transaction has committed
    emails = Notification.objects.filter(request=reported.request, kind=Kind.PARENT_CONFIRMATION, channel=Channel.EMAIL)
    assert emails.count() == 1 and emails.get().state == State.SENT
    assert_flagged_in_the_queue(client, world.worker, reported.request)


def test_a_forged_report_is_refused_and_changes_nothing(client, reported):
    assert post_report(client, {"id": reported.provider_id, "status": "failed"}, secret="wrong").status_code == 403
    assert post_report(client, {"id": reported.provider_id, "status": "failed"}, secret="").status_code == 403
    reported.refresh_from_db()
    assert reported.delivery == Notification.Delivery.SENT


def test_a_report_for_an_unknown_message_or_garbage_is_logged_without_a_500(client, reported, caplog):
    assert post_report(client, {"id": "nobody-knows", "status": "delivered"}).status_code == 204
    assert "unknown message" in caplog.text
    response = client.post(WEBHOOK + "?secret=test-sms-webhook-secret", b"\xff{", content_type="application/json")
    assert response.status_code == 400
    assert client.get(WEBHOOK).status_code == 405


def test_brevo_reports_from_the_fake_provider_reach_the_callback(worker, fake_sms_provider, live_server, settings):
    settings.SMS_CALLBACK_URL = live_server.url + WEBHOOK
    request = booked(worker)
    sms = Notification.objects.get(request=request, kind=Kind.PARENT_CONFIRMATION, channel=Channel.SMS)
    callback = f"{live_server.url}{WEBHOOK}?secret=test-sms-webhook-secret"
    status = fake_sms_provider.report(sms.provider_id, "hard_bounce", callback)
    assert status == 204
    sms.refresh_from_db()
    assert sms.delivery == Notification.Delivery.FAILED


# Short links


def test_the_short_link_opens_the_appointment_page_in_the_family_language(worker, sms_outbox, client):
    request = booked(worker, language="ar")
    link = ShortLink.objects.get(request=request)
    assert len(link.token) >= 16  # 96 random bits
    assert f"/r/{link.token}" in texts_to(sms_outbox)[0].text
    response = client.get(f"/r/{link.token}")
    assert response.status_code == 302 and response["Location"].startswith("/ar/annuler/")
    assert response["Referrer-Policy"] == "no-referrer"
    page = client.get(response["Location"])
    assert page.status_code == 200 and request.reference in page.content.decode()
    # Every message of the request reuses the one link.
    with transaction.atomic():
        queue_request_scheduled(request)
    assert ShortLink.objects.filter(request=request).count() == 1


def test_a_bad_or_expired_short_link_gets_a_clear_page_never_a_500(worker, sms_outbox, client):
    response = client.get("/r/not-a-real-token")
    assert response.status_code == 404 and "Lien non valable" in response.content.decode()
    request = booked(worker, language="tr")
    link = ShortLink.objects.get(request=request)
    ShortLink.objects.filter(pk=link.pk).update(created_at=timezone.now() - LINK_MAX_AGE - timedelta(days=1))
    response = client.get(f"/r/{link.token}")
    assert response.status_code == 410
    assert 'lang="tr"' in response.content.decode()
    assert request.reference not in response.content.decode()
    # An expired link gets a new one in the next message.
    assert short_link(request).token != link.token


# Retention


def test_retention_blanks_numbers_and_deletes_short_links_with_the_request(worker, sms_outbox):
    request = booked(worker, days=3)
    AppointmentRequest.objects.filter(pk=request.pk).update(
        status=AppointmentRequest.Status.DONE, closed_at=timezone.now() - timedelta(days=800)
    )
    assert purge_personal_data() >= 1
    assert not ShortLink.objects.filter(request=request).exists()
    assert set(Notification.objects.filter(request=request).values_list("recipient", "provider_id")) == {("", "")}


def test_retention_anonymises_old_evening_registrations_and_their_messages(sms_outbox):
    make_site()
    evening = make_evening(make_evening_index(publish=True), "Soirée ancienne", day=in_days(-800).date())
    registration = EveningRegistrationFactory(evening=evening, phone=MOBILE, notify_by=NotifyBy.SMS)
    Notification.objects.create(
        kind=Kind.EVENING_CONFIRMATION, channel=Channel.SMS, registration=registration, recipient=MOBILE, request=None
    )
    ShortLink.objects.create(registration=registration)
    purge_personal_data()
    registration.refresh_from_db()
    assert (registration.name, registration.phone, registration.email) == ("", "", "")
    assert registration.anonymised_at is not None
    assert Notification.objects.get(registration=registration).recipient == ""
    assert not ShortLink.objects.filter(registration=registration).exists()
    assert EveningRegistration.objects.filter(pk=registration.pk).exists()  # the seats stay counted


@override_settings(SMS_BACKEND="forms.notifications.sms.backends.console.SmsBackend")
def test_make_run_prints_text_messages_on_the_console(worker, capsys):
    booked(worker, email="")
    out = capsys.readouterr().out
    assert "CCAS de Villebelle" in out and "/r/" in out
    assert "12 34 56" not in out  # the number is masked


def test_the_evening_form_tells_by_e_mail_a_family_that_gave_only_an_address(client, world):
    from forms.evenings.forms import EveningRegistrationForm

    make_site()
    evening = make_evening(make_evening_index(publish=True), "Soirée", day=in_days(10).date(), capacity=20)
    base = {"name": "Nadia Ferreira", "adults": 1, "children": 0, "language": "fr", "submission_key": "0" * 32}
    form = EveningRegistrationForm({**base, "email": "nadia@example.org", "notify_by": "sms"}, evening=evening)
    assert form.is_valid(), form.errors
    assert form.cleaned_data["notify_by"] == NotifyBy.EMAIL
    form = EveningRegistrationForm({**base, "phone": "01 45 67 89 01", "notify_by": "sms"}, evening=evening)
    assert not form.is_valid() and "portable" in form.errors["notify_by"][0]
    form = EveningRegistrationForm({**base, "phone": "06 12 34 56 78", "notify_by": "email"}, evening=evening)
    assert not form.is_valid() and "adresse e-mail" in form.errors["email"][0]


@pytest.mark.parametrize("language", ["fr", "ar", "tr"])
def test_a_booking_at_the_longest_demo_school_texts_its_name_within_the_segment_limit(
    client, world, sms_outbox, language
):
    """Found under make run: the stored place (school, room and street address) made an Arabic
    confirmation 4 segments. A text names the school; the room and address are on the page."""
    from services.models import Permanence
    from tests.booking_walk import submit, walk_to

    world.school.title = "École élémentaire Pauline-Kergomard"
    world.school.address = "22 rue Jacques-Prévert"
    world.school.save_revision().publish()
    Permanence.objects.filter(school=world.school).update(place="Bureau à côté de la salle de motricité")
    details = {"phone": "06 11 22 33 44", "email": "", "notify_by": NotifyBy.SMS, "language": language}
    walk_to(client, "recapitulatif", world.school, details=details)
    assert submit(client).status_code == 302
    deliver_due()
    [text] = texts_to(sms_outbox, "+33611223344")
    assert "École élémentaire Pauline-Kergomard" in text.text or language != "fr"
    assert "Jacques-Prévert" not in text.text and "motricit" not in text.text
    assert segments(text.text) <= (2 if language == "fr" else 3), text.text
