"""The forms of the booking flow, one per step. Every message is a French gettext msgid that
names the field and says how to fix it; nothing here touches the database except to list
the schools."""

from __future__ import annotations

import uuid
from itertools import groupby

from django import forms
from django.conf import settings
from django.core.exceptions import ValidationError
from django.utils.translation import gettext_lazy as _

from core.generation import cached_facts
from core.languages import current_language
from core.pages import in_source_language, public, published_source
from forms.antispam import CONSENT_NO, CONSENT_YES, CaptchaConsentField, HoneypotForm, captcha_field
from forms.models import AppointmentRequest
from forms.notifications.channels import NotifyByField, clean_choice, suggested_choice
from forms.phone import validated_e164
from forms.rendering import PublicForm
from forms.widgets import LanguageSelect, SchoolSelect
from services.models import SchoolPage
from services.schedule import PARIS
from services.text import normalize

UNKNOWN_SCHOOL = "unknown"
MARKUP_CHARACTERS = "<>"

Mode = AppointmentRequest.Mode


def no_markup(value):
    if any(character in value for character in MARKUP_CHARACTERS):
        raise ValidationError(_("N'utilisez pas les caractères < et >."), code="markup")


def tidy(value: str) -> str:
    """One line: inner runs of spaces collapsed."""
    return " ".join(value.split())


def school_options(language: str | None = None) -> tuple[list[tuple[str, str]], frozenset[str]]:
    """Live schools as (source school id, title in `language`), in alphabetical order, and the
    ids whose title is shown in French (not translated yet, or translated to the same words):
    their options are marked `lang="fr"` on a page of another language.

    Two queries whatever the number of schools."""
    language = language or current_language()
    sources = list(in_source_language(public(SchoolPage.objects.live())).values_list("pk", "translation_key", "title"))
    titles = {}
    if language != settings.LANGUAGE_CODE:
        titles = dict(
            public(SchoolPage.objects.live())
            .filter(locale__language_code=language, translation_key__in=[key for _pk, key, _t in sources])
            .values_list("translation_key", "title")
        )
    choices = [(str(pk), titles.get(key, title)) for pk, key, title in sources]
    choices.sort(key=lambda choice: (normalize(choice[1]), choice[1]))
    french = frozenset()
    if language != settings.LANGUAGE_CODE:
        french = frozenset(str(pk) for pk, key, title in sources if titles.get(key, title) == title)
    return choices, french


def school_choices(language: str | None = None) -> list[tuple[str, str]]:
    """The schools a family can choose from (school_options without the language marks)."""
    return school_options(language)[0]


def school_by_id(value) -> SchoolPage | None:
    """The live French school a published school page of any language stands for, with its
    referent, or None when unknown or unpublished. Every booking step asks: kept under the cache
    generation (core.generation.cached_facts), one query when it is not there."""
    try:
        pk = int(str(value))
    except (TypeError, ValueError):
        return None
    if not 0 < pk < 2**63:
        return None
    return cached_facts(f"school:{pk}", lambda: published_source(SchoolPage, pk, related=("referent",)))


class SchoolForm(PublicForm):
    school = forms.ChoiceField(
        label=_("L'école de votre enfant"),
        widget=SchoolSelect,
        help_text=_("Si vous ne savez pas, choisissez « Je ne sais pas » : le service vous répondra."),
        error_messages={
            "required": _("Choisissez l'école de votre enfant, ou « Je ne sais pas »."),
            "invalid_choice": _("Choisissez une école dans la liste, ou « Je ne sais pas »."),
        },
    )

    def __init__(self, *args, language=None, **kwargs):
        super().__init__(*args, **kwargs)
        choices, french = school_options(language)
        self.fields["school"].choices = [
            ("", _("Choisissez une école")),
            *choices,
            (UNKNOWN_SCHOOL, _("Je ne sais pas")),
        ]
        self.fields["school"].widget.french_values = french

    def clean_school(self):
        value = self.cleaned_data["school"]
        if value == UNKNOWN_SCHOOL:
            return None
        school = school_by_id(value)
        if school is None:
            raise ValidationError(self.fields["school"].error_messages["invalid_choice"], code="invalid_choice")
        return school


class ModeForm(PublicForm):
    mode = forms.ChoiceField(
        label=_("Comment souhaitez-vous rencontrer le travailleur social ?"),
        widget=forms.RadioSelect,
        error_messages={
            "required": _("Choisissez comment vous souhaitez être reçu."),
            "invalid_choice": _("Choisissez une des possibilités proposées."),
        },
    )

    def __init__(self, *args, offer_school: bool, **kwargs):
        super().__init__(*args, **kwargs)
        choices = [(value, label) for value, label in Mode.choices if offer_school or value != Mode.SCHOOL]
        self.fields["mode"].choices = choices


class SlotChoiceField(forms.ChoiceField):
    anchor_first_option = True


class SlotForm(PublicForm):
    """Radio buttons grouped by day (rendered by the template, one fieldset per day)."""

    slot = SlotChoiceField(
        label=_("Créneau"),
        error_messages={
            "required": _("Choisissez un créneau."),
            "invalid_choice": _("Ce créneau n'est pas disponible : choisissez-en un dans la liste."),
        },
    )

    def __init__(self, *args, slots, places=None, **kwargs):
        super().__init__(*args, **kwargs)
        self.slots = list(slots)
        self.places = places or {}
        self.fields["slot"].choices = [(slot.key, slot.key) for slot in self.slots]

    def place(self, slot):
        return self.places.get(slot.permanence_id) or slot.place

    def days(self):
        """[(day, place shared by the day's slots or "", [(index, slot, checked, own place)])].

        The index gives stable ids (id_slot_0 is the next free slot); a place common to the
        whole day is said once, in the day's legend."""
        chosen = self["slot"].value()
        days = []
        indexed = list(enumerate(self.slots))
        for day, items in groupby(indexed, key=lambda item: item[1].start.astimezone(PARIS).date()):
            items = list(items)
            places = {self.place(slot) for _index, slot in items}
            shared = places.pop() if len(places) == 1 else ""
            days.append(
                (
                    day,
                    shared,
                    [(i, slot, slot.key == chosen, "" if shared else self.place(slot)) for i, slot in items],
                )
            )
        return days

    def chosen_slot(self):
        key = self.cleaned_data["slot"]
        return next(slot for slot in self.slots if slot.key == key)


class AvailabilityForm(PublicForm):
    availabilities = forms.CharField(
        label=_("Vos disponibilités"),
        help_text=_("Par exemple : le lundi après 17 h, le mercredi matin. Le travailleur social vous recontacte."),
        max_length=1000,
        widget=forms.Textarea(attrs={"rows": 4}),
        validators=[no_markup],
        error_messages={
            "required": _("Indiquez quand vous êtes disponible."),
            "max_length": _("Écrivez au plus %(limit_value)d caractères (vous en avez écrit %(show_value)d)."),
        },
    )

    def clean_availabilities(self):
        return self.cleaned_data["availabilities"].strip()


def _too_long():
    return _("Écrivez au plus %(limit_value)d caractères (vous en avez écrit %(show_value)d).")


class DetailsForm(HoneypotForm, PublicForm):
    reason = forms.ChoiceField(
        label=_("Motif de la demande"),
        choices=[("", _("Choisissez un motif")), *AppointmentRequest.Reason.choices],
        error_messages={
            "required": _("Choisissez le motif de votre demande."),
            "invalid_choice": _("Choisissez un motif dans la liste."),
        },
    )
    requester = forms.ChoiceField(
        label=_("Qui fait la demande ?"),
        choices=AppointmentRequest.Requester.choices,
        initial=AppointmentRequest.Requester.PARENT,
        widget=forms.RadioSelect,
        error_messages={
            "required": _("Indiquez qui fait la demande."),
            "invalid_choice": _("Choisissez une des possibilités proposées."),
        },
    )
    parent_name = forms.CharField(
        label=_("Votre nom et prénom"),
        max_length=120,
        validators=[no_markup],
        widget=forms.TextInput(attrs={"autocomplete": "name"}),
        error_messages={"required": _("Indiquez votre nom."), "max_length": _too_long()},
    )
    phone = forms.CharField(
        label=_("Votre numéro de téléphone"),
        help_text=_("Par exemple 06 12 34 56 78, ou avec l'indicatif du pays : +90 532 123 45 67."),
        max_length=30,
        widget=forms.TextInput(attrs={"type": "tel", "autocomplete": "tel", "dir": "ltr", "inputmode": "tel"}),
        error_messages={
            "required": _("Indiquez votre numéro de téléphone : le travailleur social vous appelle."),
            "max_length": _("Indiquez un numéro de téléphone valide, par exemple 06 12 34 56 78."),
        },
    )
    notify_by = NotifyByField(label=_("Comment voulez-vous recevoir la confirmation et le rappel ?"))
    email = forms.EmailField(
        label=_("Votre adresse e-mail (facultatif)"),
        help_text=_("Pour recevoir la confirmation et le lien d'annulation."),
        required=False,
        max_length=254,
        widget=forms.EmailInput(attrs={"autocomplete": "email", "dir": "ltr"}),
        error_messages={
            "invalid": _("Indiquez une adresse e-mail valide, par exemple nom@exemple.fr, ou laissez vide."),
            "max_length": _("Indiquez une adresse e-mail valide, par exemple nom@exemple.fr, ou laissez vide."),
        },
    )
    language = forms.ChoiceField(
        label=_("Langue pour vous écrire et vous parler"),
        choices=settings.LANGUAGES,
        widget=LanguageSelect,
        error_messages={
            "required": _("Choisissez une langue dans la liste."),
            "invalid_choice": _("Choisissez une langue dans la liste."),
        },
    )
    interpreter_needed = forms.BooleanField(
        label=_("J'ai besoin d'un interprète pendant le rendez-vous"), required=False
    )
    child_first_name = forms.CharField(
        label=_("Prénom de l'enfant (facultatif)"),
        max_length=60,
        required=False,
        validators=[no_markup],
        widget=forms.TextInput(attrs={"autocomplete": "off"}),
        error_messages={"max_length": _too_long()},
    )
    child_class = forms.CharField(
        label=_("Classe de l'enfant (facultatif)"),
        help_text=_("Par exemple CP, CE2, moyenne section."),
        max_length=30,
        required=False,
        validators=[no_markup],
        widget=forms.TextInput(attrs={"autocomplete": "off"}),
        error_messages={"max_length": _too_long()},
    )
    message = forms.CharField(
        label=_("Votre message (facultatif)"),
        help_text=_("Ce que vous souhaitez dire avant le rendez-vous. 5000 caractères au plus."),
        max_length=5000,
        required=False,
        validators=[no_markup],
        widget=forms.Textarea(attrs={"rows": 5}),
        error_messages={"max_length": _too_long()},
    )
    consent = forms.BooleanField(
        label=_("J'accepte que le service social scolaire utilise ces informations pour traiter ma demande"),
        error_messages={"required": _("Cochez la case pour accepter l'utilisation de vos informations.")},
    )

    field_order = [
        "reason",
        "requester",
        "parent_name",
        "phone",
        "email",
        "notify_by",
        "language",
        "interpreter_needed",
        "child_first_name",
        "child_class",
        "message",
        "consent",
        "website",
    ]

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["language"].initial = current_language()
        # No silent cut by the browser: past the limit, the family gets a clear error instead,
        # and static/js/counter.js shows a live count from these attributes.
        message = self.fields["message"]
        message.widget.attrs.pop("maxlength", None)
        message.widget.attrs.update(
            {"data-limit": str(message.max_length), "data-count-template": _("%(count)s / %(limit)s caractères")}
        )
        if not self.is_bound and not self.initial.get("notify_by"):
            self.initial["notify_by"] = suggested_choice(self.initial.get("phone"))

    def clean(self):
        cleaned = super().clean()
        clean_choice(self, cleaned)
        return cleaned

    def clean_parent_name(self):
        return tidy(self.cleaned_data["parent_name"])

    def clean_child_first_name(self):
        return tidy(self.cleaned_data["child_first_name"])

    def clean_child_class(self):
        return tidy(self.cleaned_data["child_class"])

    def clean_message(self):
        return self.cleaned_data["message"].strip()

    def clean_phone(self):
        return validated_e164(self.cleaned_data["phone"])

    def stored(self) -> dict:
        """What the session keeps (JSON): the cleaned values, without consent and honeypot."""
        return {name: value for name, value in self.cleaned_data.items() if name not in {"consent", "website"}}


class ConfirmForm(PublicForm):
    """The last step: the idempotency key and, with reCAPTCHA keys, the consent question; the
    Google widget itself only once the family said yes (`show_captcha`)."""

    submission_key = forms.UUIDField(
        widget=forms.HiddenInput,
        error_messages={
            "required": _("Le formulaire a expiré. Vérifiez le récapitulatif puis envoyez à nouveau."),
            "invalid": _("Le formulaire a expiré. Vérifiez le récapitulatif puis envoyez à nouveau."),
        },
    )

    def __init__(self, *args, expected_key: str, captcha: bool, show_captcha: bool, nonce=None, **kwargs):
        super().__init__(*args, **kwargs)
        self.expected_key = expected_key
        self.initial.setdefault("submission_key", expected_key)
        if captcha:
            self.fields["captcha_consent"] = CaptchaConsentField()
            if show_captcha and self._consent_value() != CONSENT_NO:
                self.fields["captcha"] = captcha_field()
                # Read only here: asking the request for its nonce puts it in the CSP header.
                self.fields["captcha"].widget.nonce = str(nonce) if nonce is not None else ""

    def _consent_value(self):
        if self.is_bound:
            return self.data.get(self.add_prefix("captcha_consent"))
        return self.initial.get("captcha_consent")

    def clean_submission_key(self):
        key = self.cleaned_data["submission_key"]
        if str(key) != str(self.expected_key):
            raise ValidationError(self.fields["submission_key"].error_messages["invalid"], code="tampered")
        return key

    @property
    def consent(self) -> str | None:
        """yes / no / None (no reCAPTCHA configured)."""
        if "captcha_consent" not in self.fields:
            return None
        return self.cleaned_data.get("captcha_consent")

    @property
    def awaiting_widget(self) -> bool:
        """The family said yes but has not seen Google's checkbox yet."""
        return self.consent == CONSENT_YES and "captcha" not in self.fields

    def captcha_outcome(self) -> str:
        Captcha = AppointmentRequest.Captcha
        if self.consent is None:
            return Captcha.NOT_CONFIGURED
        return Captcha.PASSED if self.consent == CONSENT_YES else Captcha.DECLINED


def new_submission_key() -> str:
    return str(uuid.uuid4())
