"""Every e-mail the portal sends, in every language, byte for byte as recorded.

Each kind of notification (and each variant a kind has: a booking or a request without a
slot, the worker or the service mailbox, cancelled by the family or by the service, confirmed
or on the waiting list) is rendered in the five languages with fixed data: fixed ids and
references, a fixed clock (so the calendar files come out the same) and fixed settings.
Subject, plain text, HTML, headers and attachments are compared with `golden/emails.json`.

The links' tokens are random (forms.links): each one is first read back, and must name the
message's own request or registration for the link's purpose, then replaced by `[lien]` with
forms.link_paths, the rule that keeps tokens out of the logs. So a link the log rule does not
know leaves a random token in the message, which then differs from the recorded one.

When a message is changed on purpose, regenerate the file and review its diff:

    UPDATE_GOLDEN=1 python -m pytest tests/forms/test_email_golden.py

(the test then writes the file and fails, so that an update never passes silently).
"""

import json
import os
import re
from dataclasses import dataclass, field
from datetime import UTC, date, datetime, timedelta
from pathlib import Path
from unittest import mock

import pytest
from django.conf import settings as django_settings
from django.utils import timezone

from forms import links
from forms.link_paths import redact_tokens
from forms.models import AppointmentRequest, EveningRegistration, Notification, Referral
from forms.notifications.rendering import build_message
from services.schedule import PARIS
from tests.factories import make_evening, make_evening_index, make_site, make_worker, translate_page

pytestmark = pytest.mark.django_db

GOLDEN = Path(__file__).parent / "golden" / "emails.json"
LANGUAGES = [code for code, _name in django_settings.LANGUAGES]
# The clock while messages are built: it goes into the links' expiry and the .ics DTSTAMP.
NOW = datetime(2030, 3, 1, 9, 15, tzinfo=UTC)
SLOT_START = datetime(2030, 3, 12, 9, 30, tzinfo=PARIS)
SLOT_END = datetime(2030, 3, 12, 10, 0, tzinfo=PARIS)
EVENING_DAY = date(2030, 3, 14)
WORKER_EMAIL = "c.leroy@ccas.example.fr"
SERVICE_MAILBOX = "service-social-scolaire@ccas.example.fr"
FAMILY_EMAIL = "famille@example.org"

Kind = Notification.Kind
Status = AppointmentRequest.Status


@dataclass
class Case:
    name: str
    kind: str
    # AppointmentRequest fields (for a request) or EveningRegistration fields (for an evening).
    fields: dict = field(default_factory=dict)
    worker: bool = True
    recipient: str = FAMILY_EMAIL
    # Referral fields, for a request a professional referred.
    referral: dict | None = None


REFERRED = {
    "source": AppointmentRequest.Source.PARTNER,
    "mode": "phone",
    "slot_start": None,
    "slot_end": None,
    "place": "",
}
PARTNER_REFERRAL = {
    "referrer_name": "Nadia Perrin",
    "referrer_role": Referral.Role.SOCIAL_CENTRE,
    "organisation": "Centre social des Tilleuls",
    "referrer_email": "n.perrin@centre-tilleuls.example.fr",
    "context": "Contexte confidentiel",
    "parent_agreement_at": NOW,
}

CASES = [
    Case("worker_new", Kind.WORKER_NEW, recipient=WORKER_EMAIL),
    Case("worker_new_service_queue", Kind.WORKER_NEW, worker=False, recipient=SERVICE_MAILBOX),
    Case(
        "worker_cancelled_by_family", Kind.WORKER_CANCELLED, {"status": Status.CANCELLED_FAMILY}, recipient=WORKER_EMAIL
    ),
    Case(
        "worker_cancelled_by_service",
        Kind.WORKER_CANCELLED,
        {"status": Status.CANCELLED_SERVICE},
        recipient=WORKER_EMAIL,
    ),
    Case("booking_confirmation", Kind.PARENT_CONFIRMATION),
    Case(
        "booking_confirmation_by_phone_from_the_service_queue",
        Kind.PARENT_CONFIRMATION,
        {"mode": AppointmentRequest.Mode.PHONE, "place": "", "routed_as": AppointmentRequest.Routing.SERVICE},
        worker=False,
    ),
    Case("request_received", Kind.PARENT_CONFIRMATION, {"slot_start": None, "slot_end": None, "place": ""}),
    Case("scheduled", Kind.PARENT_SCHEDULED, {"status": Status.SCHEDULED}),
    Case("reminder", Kind.PARENT_REMINDER, {"status": Status.SCHEDULED}),
    Case("reminder_of_a_closed_request", Kind.PARENT_REMINDER, {"status": Status.DONE}),
    Case("cancelled_by_service", Kind.PARENT_CANCELLED, {"status": Status.CANCELLED_SERVICE}),
    Case("evening_confirmed", Kind.EVENING_CONFIRMATION, {"status": EveningRegistration.Status.CONFIRMED}),
    Case("evening_waiting_list", Kind.EVENING_CONFIRMATION, {"status": EveningRegistration.Status.WAITING}),
    Case("evening_promoted", Kind.EVENING_PROMOTED, {"status": EveningRegistration.Status.CONFIRMED}),
    # Added with text messages (at the end: a case's index makes its ids and references).
    Case("cancelled_by_the_family", Kind.PARENT_CANCELLED_BY_FAMILY, {"status": Status.CANCELLED_FAMILY}),
    Case("no_show", Kind.PARENT_NO_SHOW, {"status": Status.NO_SHOW}),
    # Added with the appointment page.
    Case("worker_moved", Kind.WORKER_MOVED, recipient=WORKER_EMAIL),
    # Added with the hand-over of a moved appointment.
    Case("worker_handed_over", Kind.WORKER_HANDED_OVER, recipient=WORKER_EMAIL),
    # Added with referrals by professionals.
    Case("referred_by_a_partner", Kind.PARENT_REFERRED, REFERRED, referral=PARTNER_REFERRAL),
    Case(
        "referrer_acknowledgement",
        Kind.REFERRER_ACKNOWLEDGEMENT,
        REFERRED,
        referral=PARTNER_REFERRAL,
        recipient=PARTNER_REFERRAL["referrer_email"],
    ),
    Case(
        "worker_contact_refused",
        Kind.WORKER_CANCELLED,
        {**REFERRED, "status": Status.CANCELLED_FAMILY},
        referral={**PARTNER_REFERRAL, "refused_at": NOW},
        recipient=WORKER_EMAIL,
    ),
    Case("worker_booked", Kind.WORKER_BOOKED, referral=PARTNER_REFERRAL, recipient=WORKER_EMAIL),
]
EVENING_KINDS = {Kind.EVENING_CONFIRMATION, Kind.EVENING_PROMOTED}


@pytest.fixture
def fixed_settings(settings):
    settings.WAGTAILADMIN_BASE_URL = "https://portail.example.fr"
    settings.SERVICE_MAILBOX = SERVICE_MAILBOX
    settings.DEFAULT_FROM_EMAIL = "Service social scolaire <ne-pas-repondre@ccas.example.fr>"
    settings.SECRET_KEY = "golden-emails-key-0123456789-abcdefghijklmnopqrstuvwxyz"
    return settings


@pytest.fixture
def worker():
    return make_worker("Mme Leroy", email=WORKER_EMAIL)


@pytest.fixture
def evening():
    """An evening in French with its translations: each family reads the page of its language."""
    make_site()
    source = make_evening(
        make_evening_index(publish=True),
        "Les écrans en famille",
        day=EVENING_DAY,
        start="18:30",
        end="20:30",
        place="Salle polyvalente de l'école Jules-Ferry",
        address="12 rue des Écoles, 75000 Paris",
        publish=True,
    )
    translations = {
        # Characters that HTML escapes and plain text must not: "&" and "'".
        "en": ("Screens & the family: parents' night", "Multi-purpose hall, Jules-Ferry school"),
        "ar": ("الشاشات في العائلة", "القاعة متعددة الاستخدامات"),
        "pt": ("Os ecrãs em família", "Sala polivalente da escola Jules-Ferry"),
        "tr": ("Ailede ekranlar", "Jules-Ferry okulu çok amaçlı salonu"),
    }
    for language, (title, place) in translations.items():
        translate_page(source, language, title=title, place=place)
    return source


def appointment_for(case: Case, worker, number: int) -> AppointmentRequest:
    values = {
        "pk": 7100 + number,
        "reference": f"R{number:02d}-KMN"[:7],
        "routed_as": AppointmentRequest.Routing.REFERENT if case.worker else AppointmentRequest.Routing.SERVICE,
        "mode": AppointmentRequest.Mode.SCHOOL,
        "reason": AppointmentRequest.Reason.FAMILY,
        "parent_name": "Fatima Benali",
        "phone": "0612345678",
        "email": FAMILY_EMAIL,
        "consent_at": NOW,
        "captcha": AppointmentRequest.Captcha.NOT_CONFIGURED,
        "place": "Bureau du rez-de-chaussée",
        # One day after another: a worker holds one active appointment per slot, and the
        # messages then name every day of the week.
        "slot_start": SLOT_START + timedelta(days=number),
        "slot_end": SLOT_END + timedelta(days=number),
        "assigned_worker": worker if case.worker else None,
    }
    values.update(case.fields)
    request = AppointmentRequest.objects.create(**values)
    if case.referral is not None:
        Referral.objects.create(request=request, **case.referral)
    return request


def registration_for(case: Case, evening, number: int) -> EveningRegistration:
    return EveningRegistration.objects.create(
        pk=7100 + number,
        reference=f"E{number:02d}-KMN"[:7],
        evening=evening,
        name="Ali Kaya",
        adults=2,
        children=3,
        email=FAMILY_EMAIL,
        **case.fields,
    )


# A family link in a message, and what its token must read back to.
FAMILY_LINK = re.compile(r"/(?P<page>soirees/annuler|annuler|orientation)/(?P<token>[^/\s\"<]+)/")
READERS = {
    "annuler": links.read_cancel_token,
    "soirees/annuler": links.read_evening_cancel_token,
    "orientation": links.read_referral_token,
}


def checked_and_redacted(text: str, thing, read: list) -> str:
    """The text with its links' tokens replaced by [lien], once each has been read back to
    `thing` (the message's request or registration); `read` collects the tokens read."""
    for match in FAMILY_LINK.finditer(text):
        assert READERS[match["page"]](match["token"], now=NOW) == thing, match[0]
        read.append(match["token"])
    return redact_tokens(text)


def rendered(message, thing, read: list) -> dict:
    [(html, mimetype)] = message.alternatives
    assert mimetype == "text/html"
    return {
        "subject": message.subject,
        "from": message.from_email,
        "to": message.to,
        "headers": message.extra_headers,
        "text": checked_and_redacted(message.body, thing, read),
        "html": checked_and_redacted(html, thing, read),
        "attachments": [
            {"filename": name, "mimetype": mime, "content": content.decode() if isinstance(content, bytes) else content}
            for name, content, mime in message.attachments
        ],
    }


def render_all(worker, evening, read: list | None = None) -> dict:
    messages = {}
    read = [] if read is None else read
    for number, case in enumerate(CASES, start=1):
        if case.kind in EVENING_KINDS:
            subject = {"registration": registration_for(case, evening, number)}
        else:
            subject = {"request": appointment_for(case, worker, number)}
        for language in LANGUAGES:
            for thing in subject.values():
                # What a family chose on the form: the language of its links, too.
                thing.language = language
            notification = Notification(kind=case.kind, recipient=case.recipient, language=language, **subject)
            with (
                mock.patch("time.time", return_value=NOW.timestamp()),
                mock.patch.object(timezone, "now", return_value=NOW),
            ):
                message = build_message(notification)
            messages[f"{case.name}/{language}"] = rendered(
                message, notification.request or notification.registration, read
            )
    return messages


def test_the_cases_cover_every_kind_of_notification():
    assert {case.kind for case in CASES} == set(Kind.values)
    assert len({case.name for case in CASES}) == len(CASES)


def test_every_message_in_every_language_is_rendered_as_recorded(fixed_settings, worker, evening):
    read = []
    messages = render_all(worker, evening, read)
    # A token per link and message: cancel links (5 cases), evening links (3), the referred family's page.
    assert len(set(read)) == 9 * len(LANGUAGES)
    if os.environ.get("UPDATE_GOLDEN"):
        GOLDEN.parent.mkdir(exist_ok=True)
        GOLDEN.write_text(json.dumps(messages, ensure_ascii=False, indent=1, sort_keys=True) + "\n", encoding="utf-8")
        pytest.fail(f"UPDATE_GOLDEN: {GOLDEN.name} rewritten with {len(messages)} messages; review its diff")
    golden = json.loads(GOLDEN.read_text(encoding="utf-8"))
    assert sorted(messages) == sorted(golden), "a message was added or removed: regenerate with UPDATE_GOLDEN=1"
    for key in sorted(golden):
        for part in golden[key]:
            assert messages[key][part] == golden[key][part], f"{key}: {part} differs from {GOLDEN.name}"


def test_the_recorded_messages_are_in_their_languages():
    """The golden file itself is not a blank: each language is really there."""
    golden = json.loads(GOLDEN.read_text(encoding="utf-8"))
    assert golden["booking_confirmation/fr"]["subject"] == "Votre rendez-vous R05-KMN est réservé"
    assert golden["booking_confirmation/fr"]["headers"]["Content-Language"] == "fr"
    for language in LANGUAGES:
        message = golden[f"booking_confirmation/{language}"]
        assert message["headers"]["Content-Language"] == language
        assert f'lang="{language}"' in message["html"]
        assert "R05-KMN" in message["subject"]
    assert golden["booking_confirmation/en"]["subject"] != golden["booking_confirmation/fr"]["subject"]
    assert 'dir="rtl"' in golden["booking_confirmation/ar"]["html"]
    assert "https://portail.example.fr/ar/annuler/" in golden["booking_confirmation/ar"]["text"]
    assert "Screens & the family: parents' night" in golden["evening_confirmed/en"]["subject"]
    assert "Screens &amp; the family: parents&#x27; night" in golden["evening_confirmed/en"]["html"]
    assert [a["filename"] for a in golden["evening_confirmed/tr"]["attachments"]] == ["soiree.ics"]
    assert golden["evening_waiting_list/tr"]["attachments"] == []
