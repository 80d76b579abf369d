"""The professionals' referral form (DESIGN.md rules 7 and 8): one page, in French.

Built from the booking's own pieces, so that both forms ask the same way: the school choice of
the booking (SchoolForm, "I don't know" included), its details fields, the honeypot, the
idempotency key and the consent-gated reCAPTCHA of its last step (ConfirmForm), the channel
rule (forms.notifications.channels) and the phone rule (forms.phone). Every message names the
field and says how to fix it."""

from __future__ import annotations

import copy

from django import forms
from django.core.exceptions import ValidationError
from django.utils.translation import gettext_lazy as _

from forms.antispam import HoneypotForm
from forms.booking.forms import ConfirmForm, DetailsForm, SchoolForm, no_markup, tidy
from forms.models import AppointmentRequest, Referral
from forms.notifications.channels import NotifyByField, clean_choice, suggested_choice
from forms.phone import validated_e164

DANGER_YES, DANGER_NO = "yes", "no"
# Roles whose school is the child's school; the others name their structure.
SCHOOL_ROLES = {Referral.Role.TEACHER, Referral.Role.DIRECTOR}


def _too_long():
    return _("Écrivez au plus %(limit_value)d caractères (vous en avez écrit %(show_value)d).")


def _details_field(name, **changes):
    """A field of the booking's details form, with the referral's own label and help text."""
    field = copy.deepcopy(DetailsForm.base_fields[name])
    for attribute, value in changes.items():
        if attribute == "error_messages":
            field.error_messages.update(value)
        else:
            setattr(field, attribute, value)
    return field


class ReferralForm(HoneypotForm, SchoolForm, ConfirmForm):
    danger = forms.ChoiceField(
        label=_("L'enfant est-il en danger, ou risque-t-il de l'être ?"),
        help_text=_("Si oui, ce formulaire n'est pas le bon chemin : nous vous indiquons qui alerter."),
        choices=[(DANGER_NO, _("Non")), (DANGER_YES, _("Oui"))],
        widget=forms.RadioSelect,
        error_messages={
            "required": _("Répondez à la question sur le danger pour l'enfant."),
            "invalid_choice": _("Choisissez une des possibilités proposées."),
        },
    )
    referrer_name = forms.CharField(
        label=_("Votre nom et prénom"),
        max_length=120,
        validators=[no_markup],
        widget=forms.TextInput(attrs={"autocomplete": "name"}),
        error_messages={"required": _("Indiquez votre nom."), "max_length": _too_long()},
    )
    referrer_role = forms.ChoiceField(
        label=_("Votre fonction"),
        choices=[("", _("Choisissez votre fonction")), *Referral.Role.choices],
        error_messages={
            "required": _("Choisissez votre fonction dans la liste."),
            "invalid_choice": _("Choisissez votre fonction dans la liste."),
        },
    )
    organisation = forms.CharField(
        label=_("Votre structure (facultatif pour l'équipe de l'école)"),
        help_text=_("Par exemple : Centre social des Tilleuls, PMI du centre-ville."),
        max_length=200,
        required=False,
        validators=[no_markup],
        widget=forms.TextInput(attrs={"autocomplete": "organization"}),
        error_messages={"max_length": _too_long()},
    )
    referrer_email = forms.EmailField(
        label=_("Votre adresse e-mail professionnelle"),
        help_text=_("Vous y recevez l'accusé de réception, avec la référence."),
        max_length=254,
        widget=forms.EmailInput(attrs={"autocomplete": "email", "dir": "ltr"}),
        error_messages={
            "required": _("Indiquez votre adresse e-mail professionnelle."),
            "invalid": _("Indiquez une adresse e-mail valide, par exemple nom@ac-exemple.fr."),
            "max_length": _("Indiquez une adresse e-mail valide, par exemple nom@ac-exemple.fr."),
        },
    )
    referrer_phone = forms.CharField(
        label=_("Votre numéro de téléphone professionnel (facultatif)"),
        max_length=30,
        required=False,
        widget=forms.TextInput(attrs={"type": "tel", "autocomplete": "tel", "dir": "ltr", "inputmode": "tel"}),
        error_messages={"max_length": _("Indiquez un numéro de téléphone valide, par exemple 01 23 45 67 89.")},
    )
    parent_name = _details_field(
        "parent_name",
        label=_("Nom et prénom du parent"),
        error_messages={"required": _("Indiquez le nom du parent.")},
    )
    phone = _details_field(
        "phone",
        label=_("Numéro de téléphone du parent"),
        error_messages={"required": _("Indiquez le numéro du parent : le service l'appelle.")},
    )
    email = _details_field(
        "email",
        label=_("Adresse e-mail du parent (facultatif)"),
        help_text=_("Pour que la famille reçoive aussi le message par e-mail."),
    )
    notify_by = NotifyByField(label=_("Comment la famille veut-elle être prévenue ?"))
    language = _details_field("language", label=_("Langue de la famille"))
    interpreter_needed = _details_field("interpreter_needed", label=_("La famille a besoin d'un interprète"))
    child_first_name = _details_field("child_first_name")
    child_class = _details_field("child_class")
    reason = _details_field(
        "reason",
        label=_("Motif de l'orientation"),
        error_messages={"required": _("Choisissez le motif de l'orientation.")},
    )
    context = forms.CharField(
        label=_("Contexte, en quelques mots (facultatif)"),
        help_text=_(
            "N'écrivez aucun détail médical ou judiciaire, ni rien que la famille ne sache pas : "
            "la famille peut demander à lire ce qui la concerne. %(limit)s caractères au plus."
        )
        % {"limit": Referral.CONTEXT_MAX_LENGTH},
        max_length=Referral.CONTEXT_MAX_LENGTH,
        required=False,
        validators=[no_markup],
        widget=forms.Textarea(attrs={"rows": 4}),
        error_messages={"max_length": _too_long()},
    )
    parent_agreement = forms.BooleanField(
        label=_(
            "Je déclare que le parent a été informé de cette orientation et qu'il accepte d'être contacté "
            "par le service social scolaire"
        ),
        error_messages={
            "required": _(
                "Cochez la déclaration : sans l'accord du parent, le service ne peut pas le contacter. "
                "Parlez-en d'abord avec lui."
            )
        },
    )

    field_order = [
        "danger",
        "referrer_name",
        "referrer_role",
        "organisation",
        "referrer_email",
        "referrer_phone",
        "parent_name",
        "phone",
        "email",
        "notify_by",
        "language",
        "interpreter_needed",
        "school",
        "child_first_name",
        "child_class",
        "reason",
        "context",
        "parent_agreement",
        "website",
    ]

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        school = self.fields["school"]
        school.label = _("L'école de l'enfant")
        school.help_text = _("Si vous ne savez pas, choisissez « Je ne sais pas » : le service s'en charge.")
        school.error_messages = {
            **school.error_messages,
            "required": _("Choisissez l'école de l'enfant, ou « Je ne sais pas »."),
        }
        context = self.fields["context"]
        context.widget.attrs.pop("maxlength", None)
        context.widget.attrs.update(
            {"data-limit": str(context.max_length), "data-count-template": _("%(count)s / %(limit)s caractères")}
        )
        if not self.is_bound and not self.initial.get("notify_by"):
            self.initial["notify_by"] = suggested_choice(None)

    def clean(self):
        cleaned = super().clean()
        clean_choice(self, cleaned)
        role = cleaned.get("referrer_role")
        if role and role not in SCHOOL_ROLES and not cleaned.get("organisation"):
            self.add_error("organisation", _("Indiquez le nom de votre structure."))
        return cleaned

    def clean_referrer_name(self):
        return tidy(self.cleaned_data["referrer_name"])

    def clean_organisation(self):
        return tidy(self.cleaned_data["organisation"])

    def clean_referrer_phone(self):
        raw = self.cleaned_data["referrer_phone"].strip()
        return validated_e164(raw) if raw else ""

    def clean_parent_name(self):
        return tidy(self.cleaned_data["parent_name"])

    def clean_phone(self):
        return validated_e164(self.cleaned_data["phone"])

    def clean_child_first_name(self):
        return tidy(self.cleaned_data["child_first_name"])

    def clean_child_class(self):
        return tidy(self.cleaned_data["child_class"])

    def clean_context(self):
        return self.cleaned_data["context"].strip()

    def clean_danger(self):
        value = self.cleaned_data["danger"]
        if value == DANGER_YES:
            raise ValidationError(_("Un enfant en danger : n'utilisez pas ce formulaire."), code="danger")
        return value

    def request_data(self) -> dict:
        """What goes into the request (forms.booking.create.DETAIL_FIELDS): the family's side."""
        names = ("reason", "parent_name", "phone", "email", "notify_by", "interpreter_needed")
        data = {name: self.cleaned_data[name] for name in names}
        data.update(
            requester=AppointmentRequest.Requester.PARENT,
            child_first_name=self.cleaned_data["child_first_name"],
            child_class=self.cleaned_data["child_class"],
        )
        return data

    def referral_data(self) -> dict:
        """What goes into the Referral row (forms.booking.create.REFERRAL_FIELDS), without the
        verification and the time, which the view adds."""
        names = ("referrer_name", "referrer_role", "organisation", "referrer_email", "referrer_phone", "context")
        return {name: self.cleaned_data[name] for name in names}
