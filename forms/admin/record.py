"""Recording a request taken at the permanence, by phone, by e-mail or at the CCAS desk
(issue 14): the same fields and rules as the family's form, stored by the same create path
(forms.booking.create.create_request), so the queue and the statistics hold the service's
whole activity.

Who may record into which queue is forms.records.permissions (can_record_requests,
recording_queues): a worker into their own queue, the manager and the assistants into any,
by the routing rule or directly; communication staff get a 403. The appointment is optional:
a free slot of the school's permanence (the booking's slot search, with the school chosen
first: no JavaScript needed), or another time the worker fixed. The family is told by its
channel when a phone or an e-mail is given."""

from __future__ import annotations

import uuid
from datetime import datetime, timedelta

from django import forms
from django.conf import settings
from django.contrib import messages
from django.shortcuts import redirect
from django.urls import reverse
from django.utils import timezone
from django.utils.translation import gettext_lazy as _
from django.views.generic import TemplateView
from wagtail.admin.views.generic import WagtailAdminTemplateMixin

from forms.admin.common import forbidden
from forms.admin.forms import DURATIONS
from forms.booking.create import SlotTaken, SlotUnavailable, create_request
from forms.booking.forms import UNKNOWN_SCHOOL, school_by_id, school_choices
from forms.booking.routing import route_request
from forms.booking.slots import booking_rules, free_slots
from forms.models import AppointmentRequest, NotifyBy
from forms.notifications.channels import clean_choice
from forms.phone import validated_e164
from forms.records.permissions import can_record_requests, recording_queues
from services.models import SocialWorker
from services.schedule import PARIS

ROUTING = "routing"
NO_APPOINTMENT, PERMANENCE_SLOT, OTHER_TIME = "none", "slot", "other"
Source = AppointmentRequest.Source
# The family's side of the form, drawn in this order between the queue and the appointment.
DETAIL_FIELDS = [
    "requester",
    "parent_name",
    "phone",
    "email",
    "notify_by",
    "language",
    "interpreter_needed",
    "child_first_name",
    "child_class",
    "reason",
    "mode",
    "message",
]


class RecordRequestForm(forms.Form):
    source = forms.ChoiceField(
        label=_("Demande reçue"),
        choices=[(value, label) for value, label in Source.choices if value in AppointmentRequest.STAFF_SOURCES],
        widget=forms.RadioSelect,
        initial=Source.PERMANENCE,
    )
    school = forms.ChoiceField(label=_("École de l'enfant"))
    queue = forms.ChoiceField(label=_("File"), required=False)
    requester = forms.ChoiceField(
        label=_("Qui fait la demande ?"),
        choices=AppointmentRequest.Requester.choices,
        initial=AppointmentRequest.Requester.PARENT,
        widget=forms.RadioSelect,
    )
    parent_name = forms.CharField(label=_("Nom de la famille"), max_length=120)
    phone = forms.CharField(
        label=_("Téléphone (facultatif)"), max_length=30, required=False, widget=forms.TextInput(attrs={"type": "tel"})
    )
    email = forms.EmailField(label=_("E-mail (facultatif)"), required=False, max_length=254)
    notify_by = forms.ChoiceField(label=_("Prévenir la famille"), choices=NotifyBy.choices, initial=NotifyBy.SMS)
    language = forms.ChoiceField(label=_("Langue de la famille"), choices=settings.LANGUAGES, initial="fr")
    interpreter_needed = forms.BooleanField(label=_("Interprète nécessaire"), required=False)
    child_first_name = forms.CharField(label=_("Prénom de l'enfant (facultatif)"), max_length=60, required=False)
    child_class = forms.CharField(label=_("Classe (facultatif)"), max_length=30, required=False)
    reason = forms.ChoiceField(label=_("Motif"), choices=[("", "---------"), *AppointmentRequest.Reason.choices])
    mode = forms.ChoiceField(label=_("Modalité"), choices=AppointmentRequest.Mode.choices, initial="ccas")
    message = forms.CharField(
        label=_("Ce que la famille a dit (facultatif)"),
        max_length=5000,
        required=False,
        widget=forms.Textarea(attrs={"rows": 3}),
    )
    appointment = forms.ChoiceField(
        label=_("Rendez-vous"),
        choices=[
            (NO_APPOINTMENT, _("Pas encore")),
            (PERMANENCE_SLOT, _("Un créneau libre de la permanence de l'école")),
            (OTHER_TIME, _("Un autre moment")),
        ],
        initial=NO_APPOINTMENT,
        widget=forms.RadioSelect,
    )
    slot = forms.ChoiceField(label=_("Créneau de permanence"), required=False)
    day = forms.DateField(
        label=_("Date"), required=False, widget=forms.DateInput(attrs={"type": "date"}, format="%Y-%m-%d")
    )
    time = forms.TimeField(
        label=_("Heure"), required=False, widget=forms.TimeInput(attrs={"type": "time"}, format="%H:%M")
    )
    duration = forms.TypedChoiceField(label=_("Durée"), choices=DURATIONS, coerce=int, initial=30, required=False)
    place = forms.CharField(label=_("Lieu"), max_length=200, required=False)
    consent = forms.BooleanField(label=_("La famille accepte que le service enregistre ces informations"))
    submission_key = forms.UUIDField(widget=forms.HiddenInput)

    def __init__(self, *args, user, slots=(), **kwargs):
        super().__init__(*args, **kwargs)
        self.initial.setdefault("submission_key", str(uuid.uuid4()))
        self.fields["school"].choices = [
            ("", _("Choisissez une école")),
            *school_choices(settings.LANGUAGE_CODE),
            (UNKNOWN_SCHOOL, _("Ne sait pas")),
        ]
        self.queues = recording_queues(user)
        if self.queues is None:
            workers = SocialWorker.active_by_name()
            self.fields["queue"].choices = [
                (ROUTING, _("Selon la règle d'affectation (référent, remplaçant·e, file du service)")),
                *[(str(worker.pk), worker.public_name) for worker in workers],
            ]
            self.fields["queue"].initial = ROUTING
        else:
            self.fields["queue"].choices = [(str(worker.pk), worker.public_name) for worker in self.queues]
            self.fields["queue"].initial = str(self.queues[0].pk) if self.queues else ""
            self.fields["queue"].disabled = True
        self.slots = list(slots)
        self.fields["slot"].choices = [("", "---------")] + [
            (slot.key, timezone.localtime(slot.start, PARIS).strftime("%d/%m/%Y %H:%M")) for slot in self.slots
        ]

    def clean_school(self):
        value = self.cleaned_data["school"]
        if value == UNKNOWN_SCHOOL:
            return None
        school = school_by_id(value)
        if school is None:
            raise forms.ValidationError(_("Choisissez une école dans la liste."))
        return school

    def clean_phone(self):
        raw = self.cleaned_data["phone"].strip()
        return validated_e164(raw) if raw else ""

    def clean_queue(self):
        if self.queues is not None:
            return self.queues[0] if self.queues else None
        value = self.cleaned_data.get("queue") or ROUTING
        if value == ROUTING:
            return None
        worker = SocialWorker.objects.filter(active=True, pk=value).first() if value.isdigit() else None
        if worker is None:
            raise forms.ValidationError(_("Choisissez une file dans la liste."))
        return worker

    def clean(self):
        cleaned = super().clean()
        if cleaned.get("phone") or cleaned.get("email"):
            clean_choice(self, cleaned)
        choice = cleaned.get("appointment")
        if cleaned.get("mode") == AppointmentRequest.Mode.SCHOOL and choice == NO_APPOINTMENT:
            self.add_error("mode", _("À l'école : choisissez un créneau de permanence ou un autre moment."))
        if choice == PERMANENCE_SLOT:
            if not cleaned.get("school"):
                self.add_error("slot", _("Un créneau de permanence demande une école."))
            elif not cleaned.get("slot"):
                self.add_error("slot", _("Choisissez un créneau de la liste."))
        if choice == OTHER_TIME:
            day, at, duration = cleaned.get("day"), cleaned.get("time"), cleaned.get("duration")
            if not (day and at and duration and cleaned.get("place")):
                self.add_error("day", _("Indiquez la date, l'heure, la durée et le lieu du rendez-vous."))
            else:
                start = datetime.combine(day, at, tzinfo=PARIS)
                if start <= timezone.now():
                    self.add_error("day", _("Choisissez une date et une heure à venir."))
                cleaned["when"] = (start, start + timedelta(minutes=duration), cleaned["place"])
        return cleaned

    def request_data(self) -> dict:
        names = (
            "source",
            "requester",
            "parent_name",
            "phone",
            "email",
            "notify_by",
            "interpreter_needed",
            "child_first_name",
            "child_class",
            "reason",
            "message",
        )
        return {name: self.cleaned_data[name] for name in names}


class RecordRequestView(WagtailAdminTemplateMixin, TemplateView):
    template_name = "forms/admin/record_request.html"
    header_icon = "form"
    page_title = _("Enregistrer une demande")

    def dispatch(self, request, *args, **kwargs):
        if not can_record_requests(request.user):
            return forbidden(request)
        return super().dispatch(request, *args, **kwargs)

    def get_breadcrumbs_items(self):
        return self.breadcrumbs_items + [
            {"url": reverse("forms_admin:index"), "label": _("Demandes des familles")},
            {"url": "", "label": self.get_page_title()},
        ]

    def get_context_data(self, **kwargs):
        context = super().get_context_data(**kwargs)
        context["detail_fields"] = [context["form"][name] for name in DETAIL_FIELDS]
        return context

    def _slots(self, data):
        school = school_by_id((data or {}).get("school") or self.request.GET.get("ecole"))
        return free_slots(school, rules=booking_rules(self.request)) if school is not None else []

    def get(self, request, *args, **kwargs):
        initial = {"school": request.GET["ecole"]} if "ecole" in request.GET else None
        form = RecordRequestForm(initial=initial, user=request.user, slots=self._slots(None))
        return self.render_to_response(self.get_context_data(form=form))

    def post(self, request, *args, **kwargs):
        slots = self._slots(request.POST)
        if "show_slots" in request.POST:
            # Choosing the school first lists its permanence's free slots (no JavaScript):
            # the answers come back as they were, without errors for what is not filled yet.
            form = RecordRequestForm(initial=request.POST.dict(), user=request.user, slots=slots)
            return self.render_to_response(self.get_context_data(form=form, showing_slots=True))
        form = RecordRequestForm(request.POST, user=request.user, slots=slots)
        if not form.is_valid():
            return self.render_to_response(self.get_context_data(form=form), status=400)
        try:
            appointment = self._create(form)
        except SlotTaken:
            form.add_error(None, _("Ce moment est déjà pris dans l'agenda : choisissez-en un autre."))
            return self.render_to_response(self.get_context_data(form=form), status=409)
        except SlotUnavailable:
            form.add_error("slot", _("Ce créneau n'est plus libre : choisissez-en un autre."))
            return self.render_to_response(self.get_context_data(form=form), status=409)
        except WrongQueue as error:
            form.add_error("queue", str(error))
            return self.render_to_response(self.get_context_data(form=form), status=400)
        messages.success(request, _("La demande %(reference)s est enregistrée.") % {"reference": appointment.reference})
        return redirect("forms_admin:detail", appointment.pk)

    def _create(self, form):
        cleaned = form.cleaned_data
        school, worker, choice = cleaned["school"], cleaned["queue"], cleaned["appointment"]
        mode = cleaned["mode"]
        slot = None
        when = cleaned.get("when") if choice == OTHER_TIME else None
        if choice == PERMANENCE_SLOT:
            mode, slot = AppointmentRequest.Mode.SCHOOL, cleaned["slot"]
            # The slot belongs to whoever holds the permanence that day (the routing rule).
            chosen = next((s for s in form.slots if s.key == slot), None)
            if chosen is None:
                raise SlotUnavailable(slot)
            holder = route_request(school, chosen.start.astimezone(PARIS).date()).worker
            if worker is not None and worker != holder:
                raise WrongQueue(_("Ce créneau est tenu par une autre personne : choisissez « Un autre moment »."))
            worker = None
        if when is not None and worker is None:
            worker = route_request(school, when[0].astimezone(PARIS).date()).worker
            if worker is None:
                raise WrongQueue(_("Un rendez-vous à un autre moment demande une file : choisissez une personne."))
        return create_request(
            school=school,
            mode=mode,
            slot=slot,
            data=form.request_data(),
            language=cleaned["language"],
            captcha=AppointmentRequest.Captcha.NOT_CONFIGURED,
            submission_key=cleaned["submission_key"],
            rules=booking_rules(self.request),
            assign_to=worker,
            user=self.request.user,
            when=when,
        )


class WrongQueue(Exception):
    pass
