"""The registration form of a thematic evening, rendered by the public form renderer
(forms.rendering) like the booking steps."""

from __future__ import annotations

from django import forms
from django.conf import settings
from django.core.exceptions import ValidationError
from django.utils.translation import gettext_lazy as _

from core.languages import current_language
from forms.antispam import HoneypotForm
from forms.evenings import registrations as evenings
from forms.notifications.channels import NotifyByField, clean_choice
from forms.phone import validated_e164
from forms.rendering import PublicForm
from forms.widgets import LanguageSelect
from services.models import ThematicEveningPage

SESSION_KEY = "evening_registrations"
SESSION_MAX = 20
MAX_ADULTS = MAX_CHILDREN = 10
FORM_EXPIRED = _("Le formulaire a expiré : vérifiez vos réponses et envoyez-le à nouveau.")


class EveningRegistrationForm(HoneypotForm, PublicForm):
    name = forms.CharField(
        label=_("Nom et prénom"),
        max_length=120,
        error_messages={"required": _("Indiquez votre nom.")},
        widget=forms.TextInput(attrs={"autocomplete": "name"}),
    )
    adults = forms.IntegerField(
        label=_("Adultes"),
        min_value=1,
        max_value=MAX_ADULTS,
        initial=1,
        error_messages={
            "required": _("Indiquez le nombre d'adultes."),
            "invalid": _("Indiquez un nombre, par exemple 2."),
            "min_value": _("Au moins un adulte doit venir."),
            "max_value": _("%(limit_value)s adultes au plus par inscription."),
        },
        widget=forms.NumberInput(attrs={"inputmode": "numeric"}),
    )
    children = forms.IntegerField(
        label=_("Enfants"),
        min_value=0,
        max_value=MAX_CHILDREN,
        initial=0,
        error_messages={
            "required": _("Indiquez le nombre d'enfants (0 si aucun)."),
            "invalid": _("Indiquez un nombre, par exemple 2."),
            "min_value": _("Indiquez 0 si aucun enfant ne vient."),
            "max_value": _("%(limit_value)s enfants au plus par inscription."),
        },
        widget=forms.NumberInput(attrs={"inputmode": "numeric"}),
    )
    phone = forms.CharField(
        label=_("Téléphone"),
        required=False,
        max_length=30,
        help_text=_("Par exemple 06 12 34 56 78."),
        widget=forms.TextInput(attrs={"type": "tel", "autocomplete": "tel", "dir": "ltr"}),
    )
    email = forms.EmailField(
        label=_("E-mail"),
        required=False,
        max_length=254,
        help_text=_("Par exemple nom@exemple.fr."),
        error_messages={"invalid": _("Indiquez une adresse e-mail valide, par exemple nom@exemple.fr.")},
        widget=forms.EmailInput(attrs={"autocomplete": "email", "dir": "ltr"}),
    )
    notify_by = NotifyByField(label=_("Comment voulez-vous recevoir la confirmation ?"))
    language = forms.ChoiceField(
        label=_("Langue des messages"),
        choices=settings.LANGUAGES,
        help_text=_("La langue dans laquelle nous vous écrivons."),
        error_messages={"invalid_choice": _("Choisissez une langue dans la liste.")},
        widget=LanguageSelect,
    )
    # Said in words a family understands: the key is in the page, not something they typed.
    submission_key = forms.UUIDField(
        widget=forms.HiddenInput,
        error_messages={
            "required": FORM_EXPIRED,
            "invalid": FORM_EXPIRED,
        },
    )

    def __init__(self, *args, evening: ThematicEveningPage, **kwargs):
        super().__init__(*args, **kwargs)
        self.evening = evening
        self.key_refused = False
        self.fields["language"].initial = current_language()

    def clean_name(self):
        name = " ".join(self.cleaned_data["name"].split())
        if "<" in name or ">" in name:
            raise ValidationError(_("Le nom ne peut pas contenir les caractères < et >."), code="markup")
        return name

    def clean_phone(self):
        value = self.cleaned_data["phone"].strip()
        return validated_e164(value) if value else ""

    def clean(self):
        data = super().clean()
        if "phone" not in self.errors and "email" not in self.errors:
            if not data.get("phone") and not data.get("email"):
                self.add_error(
                    "phone",
                    ValidationError(
                        _("Indiquez un numéro de téléphone ou une adresse e-mail : au moins l'un des deux."),
                        code="no_contact",
                    ),
                )
        if "phone" not in self.errors and "email" not in self.errors:
            clean_choice(self, data)
        adults, children = data.get("adults"), data.get("children")
        if adults is not None and children is not None and adults + children > self.evening.capacity:
            self.add_error(
                "adults",
                ValidationError(
                    _(
                        "Cette soirée compte %(capacity)s places en tout : pour un groupe plus nombreux, "
                        "appelez le service."
                    ),
                    code="oversized",
                    params={"capacity": self.evening.capacity},
                ),
            )
        return data

    def refuse(self, refusal: evenings.RegistrationRefused):
        """Show a refusal of the rule (a race with an editor, a reused key) as a form error."""
        messages = {
            evenings.RegistrationRefused.OVERSIZED: _(
                "Il n'y a pas assez de places à cette soirée pour votre groupe : appelez le service."
            ),
            evenings.RegistrationRefused.KEY_REUSED: FORM_EXPIRED,
        }
        self.key_refused = refusal.code == refusal.KEY_REUSED
        self.add_error(None, messages.get(refusal.code, messages[refusal.KEY_REUSED]))
