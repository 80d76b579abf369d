"""What an e-mail says: a notification row turned into subject, plain text, HTML and attachments.

Each kind of message has one template, `forms/email/messages/<kind>.txt` (the kind is
`Notification.Kind`), holding its subject and its own sentences in two blocks, `subject` and
`intro`, written with `{% translate %}` / `{% blocktranslate %}`: change a message's wording
there. Its frame, shared by the kinds that say the same details, is a pair of layouts,
`forms/email/<layout>.txt` and `.html` (LAYOUTS below): the details of the appointment or
evening, the links, the emergency numbers at the bottom of a family's e-mail.

Everything is rendered in the row's language, with dates in Europe/Paris.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from datetime import datetime

from django.conf import settings
from django.core.mail import EmailMultiAlternatives
from django.template import Context
from django.template.loader import get_template, render_to_string
from django.template.loader_tags import BlockNode
from django.urls import NoReverseMatch, reverse
from django.utils import translation
from django.utils.dateformat import format as format_date
from django.utils.translation import gettext_lazy as _

from core.languages import text_direction
from forms.duplicates import other_appointments
from forms.links import absolute_url, cancel_url, evening_cancel_url, referral_url, short_url
from forms.models import AppointmentRequest, EveningRegistration, Notification, Referral, RequestEvent
from forms.notifications.sms.text import FOLDED_LANGUAGES, render_sms, short_when
from services import ics
from services.schedule import PARIS

Kind = Notification.Kind

FAMILY_KINDS = {
    Kind.PARENT_CONFIRMATION,
    Kind.PARENT_CANCELLED,
    Kind.PARENT_CANCELLED_BY_FAMILY,
    Kind.PARENT_NO_SHOW,
    Kind.PARENT_SCHEDULED,
    Kind.PARENT_REMINDER,
    Kind.PARENT_REFERRED,
    Kind.EVENING_CONFIRMATION,
    Kind.EVENING_PROMOTED,
}
# The frame of each kind: forms/email/<layout>.txt and .html.
LAYOUTS = {
    Kind.WORKER_NEW: "worker",
    Kind.WORKER_CANCELLED: "worker",
    Kind.WORKER_MOVED: "worker",
    Kind.WORKER_BOOKED: "worker",
    Kind.PARENT_CONFIRMATION: "appointment",
    Kind.PARENT_SCHEDULED: "appointment",
    Kind.PARENT_REMINDER: "appointment",
    Kind.PARENT_CANCELLED: "appointment_cancelled",
    Kind.PARENT_CANCELLED_BY_FAMILY: "appointment_cancelled",
    Kind.PARENT_NO_SHOW: "appointment_cancelled",
    Kind.EVENING_CONFIRMATION: "evening",
    Kind.EVENING_PROMOTED: "evening",
    Kind.PARENT_REFERRED: "referral",
    Kind.REFERRER_ACKNOWLEDGEMENT: "acknowledgement",
}


@dataclass
class Rendered:
    subject: str
    text: str
    html: str
    language: str
    attachments: list[tuple[str, bytes, str]] = field(default_factory=list)


def admin_request_url(request: AppointmentRequest) -> str:
    """The link a worker follows from an e-mail to the request in the admin queue."""
    try:
        path = reverse("forms_admin:detail", args=[request.pk])
    except NoReverseMatch:  # the queue's admin views are not installed: the path they take
        path = f"/admin/demandes/{request.pk}/"
    return settings.WAGTAILADMIN_BASE_URL.rstrip("/") + path


def local_when(start: datetime | None, end: datetime | None) -> dict:
    """Date and times in Europe/Paris, with day and month names in the active language."""
    if start is None:
        return {}
    start = start.astimezone(PARIS)
    when = {"date": format_date(start, "l j F Y"), "start_time": format_date(start, "H:i")}
    if end is not None:
        when["end_time"] = format_date(end.astimezone(PARIS), "H:i")
    return when


# Calendar files (call inside the family's language)


def appointment_calendar_file(appointment: AppointmentRequest) -> bytes:
    """The .ics of a booked appointment (which must have a slot). Its SEQUENCE counts the moves
    on the timeline (by the family or a worker): same UID, higher SEQUENCE, the event updates."""
    if appointment.slot_start is None:
        raise ValueError("an appointment without a slot has no calendar event")
    worker = appointment.assigned_worker if appointment.assigned_worker_id else None
    calendar = ics.appointment_calendar(
        reference=appointment.reference,
        start=appointment.slot_start,
        end=appointment.slot_end,
        location=appointment.place or appointment.get_mode_display(),
        mode=appointment.get_mode_display(),
        worker_name=worker.public_name if worker else "",
        sequence=appointment.events.filter(kind=RequestEvent.Kind.RESCHEDULED).count(),
    )
    return ics.to_bytes(calendar)


def registration_calendar_file(registration: EveningRegistration, evening) -> bytes:
    """The .ics of a confirmed registration; `evening` is the page in the family's language
    (the registration holds the source page)."""
    calendar = ics.registration_calendar(
        reference=registration.reference,
        title=evening.title,
        start=evening.starts_at,
        end=evening.ends_at,
        place=evening.place,
        address=evening.address,
    )
    return ics.to_bytes(calendar)


# The context of each kind: (context for the templates, attachments)


def _worker_context(notification: Notification):
    request = notification.request
    context = {
        "reference": request.reference,
        "to_service_mailbox": notification.recipient == settings.SERVICE_MAILBOX,
        "by_service": request.status == AppointmentRequest.Status.CANCELLED_SERVICE,
        "refused_contact": request.is_referral and request.referral.refused_at is not None,
        "admin_url": admin_request_url(request),
    }
    return context, []


# Who referred the family, as the family is told: a role and a school or structure, never
# the referrer's name nor what they wrote (Referral.context).
REFERRER_WORDS = {
    Referral.Role.TEACHER: _("l'équipe enseignante"),
    Referral.Role.DIRECTOR: _("la direction de l'école"),
    Referral.Role.SOCIAL_CENTRE: _("le centre social"),
    Referral.Role.PMI: _("la PMI"),
    Referral.Role.PARTNER: _("un partenaire du service"),
}


def referrer_words(request: AppointmentRequest) -> dict:
    """{"who": the referrer's role, "where": the school (in the active language) or the
    structure as typed}; call inside the family's language."""
    referral = request.referral
    where = ""
    if referral.referrer_role in (Referral.Role.TEACHER, Referral.Role.DIRECTOR) and request.school_id:
        where = request.school.localized.title
    where = where or referral.organisation
    return {
        "who": str(REFERRER_WORDS.get(referral.referrer_role, REFERRER_WORDS[Referral.Role.PARTNER])),
        "where": where,
    }


def booking_url_for(request: AppointmentRequest, language: str) -> str:
    """The booking's first step for the request's school (or the school choice), in `language`."""
    url = booking_start_url(language)
    return f"{url}?ecole={request.school_id}" if request.school_id else url


def _referral_context(notification: Notification):
    request = notification.request
    context = {
        "reference": request.reference,
        **referrer_words(request),
        "referral_url": referral_url(request) if request.is_active else "",
        # With a school, the family books into this very request (forms.referrals.booking).
        "booking_url": referral_url(request, slots=True)
        if request.is_active and request.school_id
        else booking_url_for(request, notification.language),
    }
    return context, []


def _acknowledgement_context(notification: Notification):
    """The referrer's acknowledgement: the reference and nothing else, ever (professional
    secrecy: no status, no outcome, no worker)."""
    return {"reference": notification.request.reference}, []


def _appointment_context(notification: Notification):
    request = notification.request
    worker = request.assigned_worker
    has_slot = request.slot_start is not None
    context = {
        "reference": request.reference,
        "has_slot": has_slot,
        "when": local_when(request.slot_start, request.slot_end),
        "place": request.place,
        "mode": request.get_mode_display(),
        "worker_name": worker.public_name if worker else "",
        "cancel_url": cancel_url(request) if request.is_active else "",
        **_other_appointment(notification, short=False),
    }
    attachments = [("rendez-vous.ics", appointment_calendar_file(request), "text/calendar")] if has_slot else []
    return context, attachments


def booking_start_url(language: str) -> str:
    """The absolute address of the booking's first step in `language`: "book again"."""
    with translation.override(language):
        return absolute_url(reverse("booking_start"))


def _other_appointment(notification: Notification, short: bool) -> dict:
    """In the family's confirmation only: its other active appointment at the same school, if
    any (forms.duplicates: a probable duplicate), with its own link, so that it can cancel one.
    The message goes to the family's own phone or address, never to the visitor's screen."""
    if notification.kind != Kind.PARENT_CONFIRMATION:
        return {}
    other = other_appointments(notification.request).first()
    if other is None:
        return {}
    if short:
        return {
            "other_when": short_when(other.slot_start, language=notification.language),
            "other_link": short_url(other),
        }
    return {"other_when": local_when(other.slot_start, other.slot_end), "other_url": cancel_url(other)}


def _cancelled_context(notification: Notification):
    request = notification.request
    context = {
        "reference": request.reference,
        "when": local_when(request.slot_start, request.slot_end),
        "booking_url": booking_start_url(notification.language),
    }
    return context, []


def _evening_context(notification: Notification):
    registration = notification.registration
    # The registration holds the source page; the family reads the page of their language.
    evening = registration.evening.localized
    attachments = []
    if registration.status == EveningRegistration.Status.CONFIRMED:
        attachments.append(("soiree.ics", registration_calendar_file(registration, evening), "text/calendar"))
    context = {
        "reference": registration.reference,
        "waiting": registration.status == EveningRegistration.Status.WAITING,
        "title": evening.title,
        "when": local_when(evening.starts_at, evening.ends_at),
        "place": evening.place,
        "address": evening.address,
        "seats": registration.seats,
        "cancel_url": evening_cancel_url(registration),
        "attached": bool(attachments),
    }
    return context, attachments


CONTEXTS = {
    Kind.WORKER_NEW: _worker_context,
    Kind.WORKER_CANCELLED: _worker_context,
    Kind.WORKER_MOVED: _worker_context,
    Kind.WORKER_BOOKED: _worker_context,
    Kind.PARENT_CONFIRMATION: _appointment_context,
    Kind.PARENT_SCHEDULED: _appointment_context,
    Kind.PARENT_REMINDER: _appointment_context,
    Kind.PARENT_CANCELLED: _cancelled_context,
    Kind.PARENT_CANCELLED_BY_FAMILY: _cancelled_context,
    Kind.PARENT_NO_SHOW: _cancelled_context,
    Kind.EVENING_CONFIRMATION: _evening_context,
    Kind.EVENING_PROMOTED: _evening_context,
    Kind.PARENT_REFERRED: _referral_context,
    Kind.REFERRER_ACKNOWLEDGEMENT: _acknowledgement_context,
}


# Templates


def message_texts(kind: str, context: dict) -> dict[str, str]:
    """The blocks of `forms/email/messages/<kind>.txt` (subject, intro), rendered in the
    active language, stripped of the template's own line breaks.

    Rendered without autoescaping, as plain strings: the HTML layout escapes them where it
    shows them, the text layout does not."""
    template = get_template(f"forms/email/messages/{kind}.txt").template
    blocks = template.nodelist.get_nodes_by_type(BlockNode)
    rendering = Context(context, autoescape=False)
    with rendering.render_context.push_state(template), rendering.bind_template(template):
        # str.strip() of a SafeString returns a plain str: escaped by the HTML layout.
        return {block.name: block.render(rendering).strip() for block in blocks}


def render_message(kind: str, context: dict, *, for_family: bool) -> tuple[str, str, str]:
    """(subject, plain text, HTML) of a kind of message, in the active language."""
    texts = message_texts(kind, context)
    context = {
        **context,
        **texts,
        "language": translation.get_language(),
        "direction": text_direction(),
        "for_family": for_family,
        "emergency_numbers": settings.EMERGENCY_NUMBERS,
    }
    layout = LAYOUTS[kind]
    text = render_to_string(f"forms/email/{layout}.txt", context)
    html = render_to_string(f"forms/email/{layout}.html", context)
    return texts["subject"], text, html


def render_notification(notification: Notification) -> Rendered:
    """A row's message in the row's language."""
    with translation.override(notification.language):
        context, attachments = CONTEXTS[notification.kind](notification)
        subject, text, html = render_message(notification.kind, context, for_family=notification.kind in FAMILY_KINDS)
        return Rendered(subject, text, html, translation.get_language(), attachments)


def build_message(notification: Notification) -> EmailMultiAlternatives:
    """The e-mail for a row, in the row's language: plain text, HTML, attachments."""
    rendered = render_notification(notification)
    message = EmailMultiAlternatives(
        subject=rendered.subject,
        body=rendered.text,
        from_email=settings.DEFAULT_FROM_EMAIL,
        to=[notification.recipient],
        headers={"Content-Language": rendered.language, "Auto-Submitted": "auto-generated"},
    )
    message.attach_alternative(rendered.html, "text/html")
    for filename, content, mimetype in rendered.attachments:
        message.attach(filename, content, mimetype)
    return message


# Text messages: the same facts, shorter (forms/sms/<kind>.txt, forms.notifications.sms.text)

# Kinds whose text message links to "book again" rather than to the appointment page.
BOOK_AGAIN_KINDS = {Kind.PARENT_CANCELLED, Kind.PARENT_CANCELLED_BY_FAMILY, Kind.PARENT_NO_SHOW}


def sms_context(notification: Notification) -> dict:
    """What a text message may say: the service (added by render_sms), the reference, the
    date, time and place, and one short link. Never the motive, the child, the worker or
    the worker's job (DESIGN.md rule 4: a relative may see the phone)."""
    language = notification.language
    if notification.registration_id:
        registration = notification.registration
        evening = registration.evening.localized
        return {
            "reference": registration.reference,
            "waiting": registration.status == EveningRegistration.Status.WAITING,
            "title": evening.title,
            "when": short_when(evening.starts_at, language=language),
            "place": evening.place,
            "link": short_url(registration),
        }
    request = notification.request
    context = {
        "reference": request.reference,
        "has_slot": request.slot_start is not None,
        "when": short_when(request.slot_start, language=language),
        "place": _sms_place(request),
    }
    if notification.kind == Kind.PARENT_REFERRED:
        context.update(referrer_words(request))
    if notification.kind in BOOK_AGAIN_KINDS:
        context["link"] = booking_start_url(language)
    else:
        context["link"] = short_url(request)
    context.update(_other_appointment(notification, short=True))
    if "other_link" in context and language not in FOLDED_LANGUAGES:
        context["place"] = ""  # a second link in Unicode: the place stays on the page, 3 segments at most
    return context


def _sms_place(request: AppointmentRequest) -> str:
    """Where, in a text message: the school's name in the family's language (call inside it).
    The room and the address, which would take a whole segment, are on the page behind the
    link; a home visit's place (the family's address) is never in a text."""
    if request.mode != AppointmentRequest.Mode.SCHOOL or request.school_id is None:
        return ""
    return request.school.localized.title


def sms_text(notification: Notification) -> str:
    """The text message of a family's row, in the row's language."""
    with translation.override(notification.language):
        return render_sms(notification.kind, sms_context(notification), notification.language)
