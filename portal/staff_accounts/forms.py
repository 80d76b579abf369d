"""The form of a new staff account: a name, an e-mail, one group of the service. Nothing else
is read from the POST (no password, no superuser or staff flag, no other group)."""

from django import forms
from django.contrib.auth import get_user_model
from django.utils.translation import gettext_lazy as _

from portal.staff_accounts import SERVICE_GROUPS


class NewAccountForm(forms.Form):
    first_name = forms.CharField(
        label=_("Prénom"), max_length=150, widget=forms.TextInput(attrs={"autocomplete": "off"})
    )
    last_name = forms.CharField(label=_("Nom"), max_length=150, widget=forms.TextInput(attrs={"autocomplete": "off"}))
    email = forms.EmailField(
        label=_("E-mail professionnel"),
        max_length=150,
        help_text=_("Il sert d'identifiant ; le lien pour choisir le mot de passe y est envoyé."),
        widget=forms.EmailInput(attrs={"autocomplete": "off"}),
    )
    group = forms.ChoiceField(
        label=_("Rôle"),
        choices=[(name, name) for name in SERVICE_GROUPS],
        widget=forms.RadioSelect,
        error_messages={"invalid_choice": _("Choisissez un des groupes du service.")},
    )

    def clean_email(self):
        email = self.cleaned_data["email"].strip().lower()
        users = get_user_model().objects
        if users.filter(email__iexact=email).exists() or users.filter(username__iexact=email).exists():
            raise forms.ValidationError(_("Un compte existe déjà avec cette adresse."))
        return email
