"""How a family is told: by text message, by e-mail, or both (the one rule, used by the forms
that ask and by the outbox that sends).

Text messages are the channel, e-mail the extra: the families this service exists for often
have a phone and no e-mail address they read. A text message can only reach a mobile number
(forms.phone.is_mobile: French 06/07, foreign mobiles in international form); a landline
never gets one, and the form says so.

- `choice_errors()` checks what a form received: SMS chosen with a landline, or e-mail chosen
  without an address, is an error on the field to fix (nothing else is lost).
- `suggested_choice()` is what the form preselects: SMS for a mobile number (or before any
  number is known), e-mail otherwise.
- `family_recipients()` is where the outbox sends a family's message: one (channel,
  recipient) per chosen channel that can be reached; when the chosen SMS cannot be (a
  landline entered before this rule existed, a number since blanked), the e-mail goes
  instead if there is one.
"""

from __future__ import annotations

from django import forms
from django.utils.translation import gettext_lazy as _

from forms.models import Notification, NotifyBy
from forms.phone import is_mobile, to_e164

SMS, EMAIL = Notification.Channel.SMS, Notification.Channel.EMAIL

NOT_A_MOBILE = _(
    "Ce numéro n'est pas un numéro de portable : il ne peut pas recevoir de SMS. "
    "Choisissez « Par e-mail » ou indiquez un numéro de portable."
)
EMAIL_NEEDED = _("Indiquez votre adresse e-mail pour être prévenu·e par e-mail, ou choisissez « Par SMS ».")
PHONE_NEEDED = _("Indiquez un numéro de portable pour être prévenu·e par SMS, ou choisissez « Par e-mail ».")


MOBILE_ONLY = _("Les SMS ne partent que vers un numéro de portable.")


class NotifyByField(forms.ChoiceField):
    """The "how to be told" question of a public form: radio buttons, text message preselected.
    Not required: a form posted without it gets `unanswered_choice()` (see `clean_choice()`)."""

    def __init__(self, *, label, **kwargs):
        kwargs.setdefault("help_text", MOBILE_ONLY)
        super().__init__(
            label=label,
            choices=NotifyBy.choices,
            initial=NotifyBy.SMS,
            required=False,
            widget=forms.RadioSelect,
            error_messages={"invalid_choice": _("Choisissez une des possibilités proposées.")},
            **kwargs,
        )


def clean_choice(form: forms.Form, cleaned: dict) -> None:
    """In a form's clean(): the choice as the family will be told (`cleaned["notify_by"]`),
    and an error on the field to fix when it cannot be carried out (choice_errors())."""
    if "notify_by" not in cleaned:
        return
    phone, email = cleaned.get("phone"), cleaned.get("email")
    choice = cleaned["notify_by"] or unanswered_choice(phone, email)
    for name, message in choice_errors(choice, phone, email).items():
        if name not in form.errors:
            form.add_error(name, message)
    if "notify_by" in cleaned:  # add_error() drops a field in error from cleaned_data
        cleaned["notify_by"] = effective_choice(choice, phone, email)


def wants_sms(notify_by: str) -> bool:
    return notify_by in (NotifyBy.SMS, NotifyBy.BOTH)


def wants_email(notify_by: str) -> bool:
    return notify_by in (NotifyBy.EMAIL, NotifyBy.BOTH)


def suggested_choice(phone: str | None) -> str:
    """SMS when the number is a mobile (or not known yet), e-mail for a landline."""
    if not phone or is_mobile(to_e164(phone) or ""):
        return NotifyBy.SMS
    return NotifyBy.EMAIL


def unanswered_choice(phone: str | None, email: str | None) -> str:
    """The choice of a form posted without one (an old page, a client without the radio
    buttons): e-mail when an address was given, as before text messages; else SMS."""
    return NotifyBy.EMAIL if email else NotifyBy.SMS


def effective_choice(notify_by: str, phone: str | None, email: str | None) -> str:
    """What the family will be told by: its choice, or e-mail when it left an optional phone
    empty and gave an address (the text-message choice was only preselected)."""
    if wants_sms(notify_by) and phone == "" and email:
        return NotifyBy.EMAIL
    return notify_by


def choice_errors(notify_by: str, phone: str | None, email: str | None) -> dict[str, str]:
    """{field name: message} for a choice that cannot be carried out; {} when it can.

    `phone` is the cleaned number (E.164), "" when the form left it empty (an optional
    field), or None when the phone field itself is invalid: its own error is then enough."""
    errors = {}
    if wants_sms(notify_by) and phone == "":
        if not email:
            errors["phone"] = PHONE_NEEDED
        # else: an optional phone left empty with an address given: told by e-mail, see
        # effective_choice(); no error for a preselected choice the family never made.
    elif wants_sms(notify_by) and phone and not is_mobile(to_e164(phone) or ""):
        errors["notify_by"] = NOT_A_MOBILE
    if wants_email(notify_by) and not email:
        errors["email"] = EMAIL_NEEDED
    return errors


def family_recipients(row) -> list[tuple[str, str]]:
    """[(channel, recipient)] for a family's message about `row` (an AppointmentRequest or an
    EveningRegistration: `notify_by`, `phone`, `email`)."""
    recipients = []
    phone = to_e164(row.phone) if row.phone else None
    if wants_sms(row.notify_by) and phone and is_mobile(phone):
        recipients.append((SMS, phone))
    if row.email and (wants_email(row.notify_by) or not recipients):
        recipients.append((EMAIL, row.email))
    return recipients
