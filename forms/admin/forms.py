"""The small forms behind the actions of a request page (each one a POST with CSRF)."""

from __future__ import annotations

from datetime import datetime, timedelta

from django import forms
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from services.models import SocialWorker
from services.schedule import PARIS

DURATIONS = [(15, "15 min"), (30, "30 min"), (45, "45 min"), (60, "1 h"), (90, "1 h 30")]


class AppointmentForm(forms.Form):
    """Date, time and place of an appointment, in Paris time."""

    day = forms.DateField(label=_("Date"), widget=forms.DateInput(attrs={"type": "date"}, format="%Y-%m-%d"))
    time = forms.TimeField(label=_("Heure"), widget=forms.TimeInput(attrs={"type": "time"}, format="%H:%M"))
    duration = forms.TypedChoiceField(label=_("Durée"), choices=DURATIONS, coerce=int, initial=30)
    place = forms.CharField(label=_("Lieu"), max_length=200)

    def clean(self):
        cleaned = super().clean()
        day, at, duration = cleaned.get("day"), cleaned.get("time"), cleaned.get("duration")
        if day and at and duration:
            start = datetime.combine(day, at, tzinfo=PARIS)
            if start <= timezone.now():
                raise forms.ValidationError(_("Choisissez une date et une heure à venir."))
            cleaned["start"] = start
            cleaned["end"] = start + timedelta(minutes=duration)
        return cleaned


class CancelForm(forms.Form):
    reason = forms.CharField(
        label=_("Motif de l'annulation"),
        max_length=500,
        widget=forms.Textarea(attrs={"rows": 2}),
        help_text=_("Gardé dans l'historique interne ; la famille reçoit seulement l'annonce de l'annulation."),
    )


class ReassignForm(forms.Form):
    worker = forms.ModelChoiceField(
        label=_("Nouvelle file"),
        queryset=SocialWorker.objects.none(),
        required=False,
        empty_label=_("File du service (non affectée)"),
    )
    reason = forms.CharField(
        label=_("Raison de la réaffectation"),
        max_length=500,
        widget=forms.Textarea(attrs={"rows": 2}),
    )

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["worker"].queryset = SocialWorker.objects.filter(active=True).order_by("public_name")


class NoteForm(forms.Form):
    text = forms.CharField(
        label=_("Note interne"),
        max_length=2000,
        widget=forms.Textarea(attrs={"rows": 3}),
        help_text=_("Jamais montrée ni envoyée à la famille."),
    )
