"""The worker's page for her private calendar feed (forms.feeds): create or reset its address,
choose whether titles carry the family's name and reason, or stop it. Only for a user linked
to a worker, about her own feed. The new address is shown once, in the answer to the POST
(never in a URL, so never in a log or a Referer)."""

from __future__ import annotations

from django.contrib import messages
from django.shortcuts import redirect
from django.template.response import TemplateResponse
from django.utils.translation import gettext_lazy as _
from django.views.generic import View
from wagtail.admin.views.generic import WagtailAdminTemplateMixin

from forms.admin.common import forbidden
from forms.feeds import feed_urls, reset_feed, revoke_feed
from forms.models import CalendarFeed
from forms.records.permissions import can_work_requests, worker_of


class CalendarFeedView(WagtailAdminTemplateMixin, View):
    template_name = "forms/admin/calendar_feed.html"
    header_icon = "calendar-alt"
    page_title = _("Mon agenda dans mon téléphone")

    def get_breadcrumbs_items(self):
        return self.breadcrumbs_items + [{"url": "", "label": self.get_page_title()}]

    def dispatch(self, request, *args, **kwargs):
        # A worker's own page: never for an account that works no request (a communication
        # account linked to a worker's record gets nothing, as everywhere in the queue).
        self.worker = worker_of(request.user) if can_work_requests(request.user) else None
        if self.worker is None:
            return forbidden(request)
        return super().dispatch(request, *args, **kwargs)

    def render(self, **extra):
        feed = CalendarFeed.objects.filter(worker=self.worker).first()
        context = self.get_context_data(feed=feed, worker=self.worker, **extra)
        return TemplateResponse(self.request, self.template_name, context)

    def get(self, request):
        return self.render()

    def post(self, request):
        action = request.POST.get("action")
        show_details = request.POST.get("show_details") == "on"
        if action == "reset":
            token = reset_feed(self.worker, show_details=show_details)
            response = self.render(urls=feed_urls(token))
            response["Referrer-Policy"] = "no-referrer"
            response["Cache-Control"] = "no-store"
            return response
        if action == "details":
            CalendarFeed.objects.filter(worker=self.worker).update(show_details=show_details)
            messages.success(request, _("Préférence enregistrée."))
        elif action == "revoke":
            revoke_feed(self.worker)
            messages.success(request, _("L'adresse de votre agenda ne fonctionne plus."))
        return redirect("forms_admin:calendar_feed")
