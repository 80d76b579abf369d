"""The queue's bulk actions: acknowledge, or reassign with a reason, the requests ticked in
its rows (a plain POST form with CSRF, no JavaScript needed).

Each request goes through the same single-request operation as its own page
(forms.records.operations: the messages on assignment, the refusal of an absent worker's day,
the timeline and the Wagtail log), in its own transaction, and only when the request page
would offer that action (forms.admin.request.available_actions). Requests are loaded only
through visible_requests(): a ticked id outside the user's queue is acted on nowhere, counted
as not found, and the attempt is recorded (forms.records.audit: REFUSED) as on the request
page. The user lands back on the queue with one summary and each refusal with its reason."""

from __future__ import annotations

from django.contrib import messages
from django.shortcuts import redirect
from django.urls import reverse
from django.utils.http import url_has_allowed_host_and_scheme
from django.utils.translation import gettext_lazy as _
from django.utils.translation import ngettext
from django.views import View

from forms.admin.common import WorkRequestsRequiredMixin
from forms.admin.forms import BulkActionForm
from forms.admin.request import available_actions
from forms.models import AppointmentRequest
from forms.records import operations
from forms.records.audit import What, record_access
from forms.records.permissions import visible_requests

NOT_OFFERED = {
    BulkActionForm.ACKNOWLEDGE: _("elle n'est pas nouvelle"),
    BulkActionForm.REASSIGN: _("elle n'est plus en cours"),
}


def queue_url(http_request) -> str:
    """Where to land: the queue with the filters it was seen with, never another site."""
    index = reverse("forms_admin:index")
    target = http_request.POST.get("next", "")
    safe = url_has_allowed_host_and_scheme(target, allowed_hosts={http_request.get_host()}, require_https=False)
    return target if safe and target.startswith(index) else index


class BulkActionView(WorkRequestsRequiredMixin, View):
    http_method_names = ["post"]

    def post(self, request):
        back = queue_url(request)
        form = BulkActionForm(request.POST)
        if not form.is_valid():
            for errors in form.errors.values():
                for error in errors:
                    messages.error(request, error)
            return redirect(back)
        action, wanted = form.cleaned_data["action"], form.cleaned_data["selected"]
        found = list(
            visible_requests(request.user).filter(pk__in=wanted).select_related("assigned_worker").order_by("pk")
        )
        unseen = set(wanted) - {req.pk for req in found}
        for pk in sorted(AppointmentRequest.objects.filter(pk__in=unseen).values_list("pk", flat=True)):
            record_access(request, What.REFUSED, request=pk, path=request.path[:200])
        done, refused = [], []
        for req in found:
            if action not in available_actions(req):
                refused.append((req, NOT_OFFERED[action]))
                continue
            try:
                if action == BulkActionForm.ACKNOWLEDGE:
                    operations.acknowledge(req, request.user)
                else:
                    operations.reassign(req, request.user, form.cleaned_data["worker"], form.cleaned_data["reason"])
            except operations.OperationError as error:
                refused.append((req, str(error)))
            else:
                done.append(req)
        self.summarise(request, action, done, refused, len(unseen))
        return redirect(back)

    def summarise(self, request, action, done, refused, unseen):
        if done:
            if action == BulkActionForm.ACKNOWLEDGE:
                text = ngettext(
                    "%(count)d demande est prise en compte.", "%(count)d demandes sont prises en compte.", len(done)
                )
            else:
                text = ngettext("%(count)d demande est réaffectée.", "%(count)d demandes sont réaffectées.", len(done))
            messages.success(request, text % {"count": len(done)})
        for req, reason in refused:
            messages.error(request, _("%(reference)s non traitée : %(reason)s") % {"reference": req, "reason": reason})
        if unseen:
            text = ngettext(
                "%(count)d demande cochée est introuvable dans vos files.",
                "%(count)d demandes cochées sont introuvables dans vos files.",
                unseen,
            )
            messages.error(request, text % {"count": unseen})
