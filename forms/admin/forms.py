"""The small forms behind the actions of a request page (each one a POST with CSRF)."""

from __future__ import annotations

from datetime import datetime, timedelta
from itertools import groupby

from django import forms
from django.utils import formats, timezone
from django.utils.translation import gettext_lazy as _

from forms.admin.common import local
from forms.models import AppointmentRequest
from services.models import SocialWorker
from services.schedule import PARIS

DURATIONS = [(15, "15 min"), (30, "30 min"), (45, "45 min"), (60, "1 h"), (90, "1 h 30")]


OTHER_TIME = "other"


class AppointmentForm(forms.Form):
    """When the appointment is: one of the assigned worker's free slots (`free_slots`, pairs of
    school and slot from forms.booking.slots.worker_free_slots), or another time typed in
    (date, time, duration, how and where, in Paris time), which the database checks against
    her other appointments. Without a chosen slot, the typed time is meant."""

    slot = forms.ChoiceField(
        label=_("Créneau libre"),
        required=False,
        widget=forms.RadioSelect,
        error_messages={"invalid_choice": _("Ce créneau n'est plus libre : choisissez-en un autre.")},
    )
    day = forms.DateField(
        label=_("Date"), required=False, widget=forms.DateInput(attrs={"type": "date"}, format="%Y-%m-%d")
    )
    time = forms.TimeField(
        label=_("Heure"), required=False, widget=forms.TimeInput(attrs={"type": "time"}, format="%H:%M")
    )
    duration = forms.TypedChoiceField(label=_("Durée"), choices=DURATIONS, coerce=int, initial=30, required=False)
    mode = forms.ChoiceField(
        label=_("Modalité"), choices=AppointmentRequest.Mode.choices, required=False, widget=forms.RadioSelect
    )
    place = forms.CharField(
        label=_("Lieu"),
        max_length=200,
        required=False,
        help_text=_("L'adresse du domicile, le bureau du CCAS ou l'école : la famille le lit dans son message."),
    )

    OTHER_FIELDS = ("day", "time", "duration", "mode", "place")

    def __init__(self, *args, free_slots=(), **kwargs):
        super().__init__(*args, **kwargs)
        self.free_slots = list(free_slots)
        self.fields["slot"].choices = [(slot.key, slot.key) for _school, slot in self.free_slots] + [
            (OTHER_TIME, _("Un autre moment"))
        ]

    def slot_days(self):
        """The free slots grouped by day, for one fieldset per day: [{"label", "slots": [...]}]."""
        chosen = self["slot"].value() or ""
        days = []
        for day, pairs in groupby(self.free_slots, key=lambda pair: timezone.localtime(pair[1].start, PARIS).date()):
            slots = [
                {
                    "key": slot.key,
                    "id": f"{self['slot'].auto_id}_{slot.key}",
                    "label": f"{local(slot.start, 'H:i')}–{local(slot.end, 'H:i')}",
                    "school": school.title,
                    "checked": chosen == slot.key,
                }
                for school, slot in pairs
            ]
            days.append({"label": formats.date_format(day, "l j F Y"), "slots": slots})
        return days

    def other_fields(self):
        return [self[name] for name in self.OTHER_FIELDS]

    def clean(self):
        cleaned = super().clean()
        choice = cleaned.get("slot") or ""
        if "slot" in self.errors or (choice and choice != OTHER_TIME):
            cleaned["slot_key"] = choice
            return cleaned
        for name in ("day", "time", "duration", "place"):
            if cleaned.get(name) in (None, "") and name not in self.errors:
                self.add_error(name, self.fields[name].error_messages["required"])
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
        self.fields["worker"].queryset = SocialWorker.active_by_name()


class NoteForm(forms.Form):
    text = forms.CharField(
        label=_("Note interne"),
        max_length=2000,
        widget=forms.Textarea(attrs={"rows": 3}),
        help_text=_("Jamais montrée ni envoyée à la famille."),
    )


class RequestIdsField(forms.TypedMultipleChoiceField):
    """Request ids ticked in a listing: any whole number is well formed (the view keeps only
    those the user may see)."""

    def valid_value(self, value):
        return str(value).isdigit() and len(str(value)) < 20


class BulkActionForm(forms.Form):
    """The queue's actions on the requests ticked in its rows (forms.admin.bulk): acknowledge
    them, or move them to a worker's queue or the service's, with the reason the timeline keeps."""

    ACKNOWLEDGE, REASSIGN = "acknowledge", "reassign"

    selected = RequestIdsField(coerce=int, required=True, widget=forms.MultipleHiddenInput)
    action = forms.ChoiceField(
        label=_("Action"),
        choices=[(ACKNOWLEDGE, _("Accuser réception")), (REASSIGN, _("Réaffecter"))],
        widget=forms.RadioSelect,
    )
    worker = forms.ModelChoiceField(
        label=_("Nouvelle file (pour réaffecter)"),
        queryset=SocialWorker.objects.none(),
        required=False,
        empty_label=_("File du service (non affectée)"),
    )
    reason = forms.CharField(
        label=_("Raison de la réaffectation"),
        max_length=500,
        required=False,
        widget=forms.Textarea(attrs={"rows": 2}),
        help_text=_("Obligatoire pour réaffecter ; gardée dans l'historique de chaque demande."),
    )

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["worker"].queryset = SocialWorker.active_by_name()
        self.fields["selected"].error_messages["required"] = _("Cochez au moins une demande.")

    def clean_selected(self):
        # Any number the browser sent: only those the user may see are acted on (forms.admin.bulk).
        return [pk for pk in self.cleaned_data["selected"] if 0 < pk < 2**63][:500]

    def clean(self):
        cleaned = super().clean()
        if cleaned.get("action") == self.REASSIGN and not (cleaned.get("reason") or "").strip():
            self.add_error("reason", _("Donnez la raison de la réaffectation."))
        return cleaned
