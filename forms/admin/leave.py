"""Going on leave in one step: a worker declares her own absence, the manager and the assistants
anyone's (forms.records.permissions.absence_workers). The first step asks who, which days, who
replaces her; the second lists her appointments to come and her open requests of the period,
with what would happen to each if moved to the replacement or to the service queue; one button
records the absence (services.records.WorkerAbsence) and moves them.

Moving is forms.records.operations.reassign, request by request: the slot rules (the database
holds a worker's time), the absence rule and the messages on assignment (the worker who receives
a request; the family whose appointment changes hands) are the operation's. What it refuses
stays where it is, with the reason. The second step is that same work run in a transaction that
is rolled back, so the preview and the action cannot disagree. No JavaScript needed."""

from __future__ import annotations

from datetime import datetime, time, timedelta

from django import forms
from django.contrib import messages
from django.core.exceptions import ValidationError
from django.db import transaction
from django.db.models import Q
from django.shortcuts import redirect
from django.template.response import TemplateResponse
from django.urls import reverse
from django.utils import timezone
from django.utils.translation import gettext_lazy as _
from django.utils.translation import ngettext
from django.views import View

from forms.admin.common import forbidden, local
from forms.models import AppointmentRequest
from forms.records import operations
from forms.records.audit import What, record_access
from forms.records.permissions import absence_workers, visible_requests
from services.models import SocialWorker, WorkerAbsence
from services.schedule import PARIS

REPLACEMENT, SERVICE, LEAVE = "replacement", "service", "leave"
MOVES = [
    (REPLACEMENT, _("Les confier à la personne qui remplace")),
    (SERVICE, _("Les mettre dans la file du service")),
    (LEAVE, _("Les laisser dans sa file")),
]


def _period(absence) -> str:
    return f"{absence.first_day:%d/%m/%Y} – {absence.last_day:%d/%m/%Y}"


class LeaveForm(forms.Form):
    worker = forms.ModelChoiceField(label=_("Travailleur social absent"), queryset=SocialWorker.objects.none())
    first_day = forms.DateField(
        label=_("Premier jour"), widget=forms.DateInput(attrs={"type": "date"}, format="%Y-%m-%d")
    )
    last_day = forms.DateField(
        label=_("Dernier jour"), widget=forms.DateInput(attrs={"type": "date"}, format="%Y-%m-%d")
    )
    replacement = forms.ModelChoiceField(
        label=_("Remplaçant·e"),
        queryset=SocialWorker.objects.none(),
        required=False,
        empty_label=_("Pas de remplaçant·e"),
        help_text=_("Reçoit pendant l'absence les nouvelles demandes des écoles de la personne absente."),
    )
    note = forms.CharField(
        label=_("Note interne"),
        max_length=2000,
        required=False,
        widget=forms.Textarea(attrs={"rows": 2}),
        help_text=_("Jamais publiée."),
    )

    def __init__(self, *args, workers=None, **kwargs):
        super().__init__(*args, **kwargs)
        active = SocialWorker.active_by_name()
        self.fields["worker"].queryset = active if workers is None else active.filter(pk__in=[w.pk for w in workers])
        if workers is not None:
            self.fields["worker"].empty_label = None
        self.fields["replacement"].queryset = active

    def clean(self):
        cleaned = super().clean()
        worker, replacement = cleaned.get("worker"), cleaned.get("replacement")
        first_day, last_day = cleaned.get("first_day"), cleaned.get("last_day")
        if not (worker and first_day and last_day):
            return cleaned
        if last_day < first_day:
            self.add_error("last_day", _("Le dernier jour doit être après le premier jour."))
            return cleaned
        in_period = Q(first_day__lte=last_day, last_day__gte=first_day)
        already = WorkerAbsence.objects.filter(in_period, worker=worker).first()
        if already is not None:
            raise ValidationError(
                _("%(worker)s a déjà une absence sur ces jours (%(period)s).")
                % {"worker": worker, "period": _period(already)}
            )
        if replacement is not None:
            if replacement == worker:
                self.add_error("replacement", _("Une personne ne peut pas se remplacer elle-même."))
                return cleaned
            away = WorkerAbsence.objects.filter(in_period, worker=replacement).first()
            if away is not None:
                self.add_error(
                    "replacement",
                    _("%(worker)s est absent·e pendant cette période (%(period)s) : choisissez une autre personne.")
                    % {"worker": replacement, "period": _period(away)},
                )
        return cleaned


class MoveForm(forms.Form):
    move = forms.ChoiceField(
        label=_("Les rendez-vous et demandes ci-dessus"), choices=MOVES, widget=forms.RadioSelect, initial=LEAVE
    )


def concerned(user, worker, first_day, last_day):
    """The worker's appointments to come in the period, then her open requests without an
    appointment: those the user may see (visible_requests), oldest first."""
    start = datetime.combine(first_day, time.min, tzinfo=PARIS)
    end = datetime.combine(last_day + timedelta(days=1), time.min, tzinfo=PARIS)
    mine = visible_requests(user).filter(
        assigned_worker=worker, status__in=AppointmentRequest.ACTIVE_STATUSES, anonymised_at__isnull=True
    )
    appointments = mine.filter(slot_start__gte=max(start, timezone.now()), slot_start__lt=end).order_by("slot_start")
    waiting = mine.filter(slot_start__isnull=True).order_by("created_at")
    return list(appointments.select_related("assigned_worker")) + list(waiting.select_related("assigned_worker"))


class _Rollback(Exception):
    pass


def go_on_leave(user, data, move, dry_run=False):
    """Record the absence and move the concerned requests as `move` says: (absence, outcomes),
    each outcome (request, refusal or None). With dry_run, everything is rolled back."""
    worker, replacement = data["worker"], data.get("replacement")
    target = {REPLACEMENT: replacement, SERVICE: None}.get(move)
    outcomes = []
    try:
        with transaction.atomic():
            absence = WorkerAbsence(
                worker=worker,
                first_day=data["first_day"],
                last_day=data["last_day"],
                replacement=replacement,
                note=data.get("note", ""),
            )
            absence.full_clean()
            absence.save()
            reason = _("Absence de %(worker)s du %(period)s") % {"worker": worker, "period": _period(absence)}
            for request in concerned(user, worker, absence.first_day, absence.last_day):
                if move == LEAVE or (move == REPLACEMENT and replacement is None):
                    outcomes.append((request, None))
                    continue
                try:
                    operations.reassign(request, user, target, str(reason))
                except operations.OperationError as error:
                    outcomes.append((request, str(error)))
                else:
                    outcomes.append((request, None))
            if dry_run:
                raise _Rollback
    except _Rollback:
        pass
    return absence, outcomes


class LeaveView(View):
    template_name = "forms/admin/leave.html"

    def dispatch(self, request, *args, **kwargs):
        self.workers = absence_workers(request.user)
        if self.workers == []:
            return forbidden(request)
        return super().dispatch(request, *args, **kwargs)

    def context(self, **extra):
        return {
            "page_title": _("Déclarer une absence"),
            "header_title": _("Déclarer une absence"),
            "header_icon": "date",
            "breadcrumbs_items": [],
            "own": self.workers is not None,
            **extra,
        }

    def get(self, request):
        initial = {"worker": self.workers[0].pk} if self.workers else {}
        form = LeaveForm(workers=self.workers, initial=initial)
        return TemplateResponse(request, self.template_name, self.context(form=form))

    def post(self, request):
        if self.workers is not None and request.POST.get("worker") not in (None, str(self.workers[0].pk)):
            # A worker declares her own absence only: naming a colleague is refused, not corrected.
            return forbidden(request)
        form = LeaveForm(request.POST, workers=self.workers)
        if not form.is_valid():
            return TemplateResponse(request, self.template_name, self.context(form=form), status=400)
        data = form.cleaned_data
        move_form = MoveForm(request.POST) if request.POST.get("step") == "confirm" else None
        if move_form is None:
            return self.preview(request, form)
        if not move_form.is_valid():
            return self.preview(request, form, move_form, status=400)
        move = move_form.cleaned_data["move"]
        if move == REPLACEMENT and data.get("replacement") is None:
            move_form.add_error("move", _("Choisissez d'abord la personne qui remplace."))
            return self.preview(request, form, move_form, status=400)
        absence, outcomes = go_on_leave(request.user, data, move)
        self.report(request, absence, move, outcomes)
        # The queue: every worker may see it, whatever left hers (never a 404 after moving away).
        return redirect(reverse("forms_admin:index"))

    def preview(self, request, form, move_form=None, status=200):
        data = form.cleaned_data
        _absence, to_replacement = go_on_leave(request.user, data, REPLACEMENT, dry_run=True)
        _absence, to_service = go_on_leave(request.user, data, SERVICE, dry_run=True)
        has_replacement = data.get("replacement") is not None
        rows = [
            {
                "request": req,
                "when": local(req.slot_start) if req.slot_start else "",
                "to_replacement": replacement_refusal if has_replacement else None,
                "to_service": service_refusal,
            }
            for (req, replacement_refusal), (_req, service_refusal) in zip(to_replacement, to_service, strict=True)
        ]
        record_access(request, What.QUEUE, view="leave", worker=data["worker"].pk)
        if move_form is None:
            move_form = MoveForm(initial={"move": REPLACEMENT if has_replacement else SERVICE})
        if not has_replacement:
            move_form.fields["move"].choices = [choice for choice in MOVES if choice[0] != REPLACEMENT]
        hidden = [form[name] for name in ("worker", "first_day", "last_day", "replacement", "note")]
        return TemplateResponse(
            request,
            "forms/admin/leave_confirm.html",
            self.context(form=form, hidden=hidden, move_form=move_form, rows=rows, data=data),
            status=status,
        )

    def report(self, request, absence, move, outcomes):
        messages.success(
            request, _("Absence enregistrée : %(absence)s.") % {"absence": f"{absence.worker}, {_period(absence)}"}
        )
        moved = [req for req, refusal in outcomes if refusal is None]
        if move == REPLACEMENT and moved:
            messages.success(
                request,
                ngettext(
                    "%(count)s demande confiée à %(worker)s.",
                    "%(count)s demandes confiées à %(worker)s.",
                    len(moved),
                )
                % {"count": len(moved), "worker": absence.replacement},
            )
        elif move == SERVICE and moved:
            messages.success(
                request,
                ngettext(
                    "%(count)s demande mise dans la file du service.",
                    "%(count)s demandes mises dans la file du service.",
                    len(moved),
                )
                % {"count": len(moved)},
            )
        for req, refusal in outcomes:
            if refusal is not None:
                messages.warning(
                    request,
                    _("%(reference)s reste à %(worker)s : %(reason)s")
                    % {"reference": req.reference, "worker": absence.worker, "reason": refusal},
                )
