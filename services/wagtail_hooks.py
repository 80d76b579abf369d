from django.contrib import messages
from django.db.models import ProtectedError
from django.shortcuts import redirect
from django.utils.translation import gettext_lazy as _
from wagtail.snippets.models import register_snippet
from wagtail.snippets.views.snippets import DeleteView, SnippetViewSet, SnippetViewSetGroup

from services.models import ClosurePeriod, SocialCentre, SocialWorker, WorkerAbsence


class SocialWorkerDeleteView(DeleteView):
    """A worker who has families' requests is kept (the requests' history needs them)."""

    def form_valid(self, form):
        try:
            return super().form_valid(form)
        except ProtectedError:
            messages.error(
                self.request,
                _(
                    "Ce travailleur social a des demandes de familles : "
                    "décochez « en activité » au lieu de le supprimer."
                ),
            )
            return redirect(self.get_success_url())


class SocialWorkerViewSet(SnippetViewSet):
    model = SocialWorker
    delete_view_class = SocialWorkerDeleteView
    icon = "user"
    menu_label = _("Travailleurs sociaux")
    list_display = ["public_name", "job", "public_phone", "active"]
    list_filter = ["job", "active"]
    list_export = ["public_name", "job", "public_phone", "active"]
    search_fields = ["public_name"]
    ordering = ["public_name"]


class SocialCentreViewSet(SnippetViewSet):
    model = SocialCentre
    icon = "site"
    menu_label = _("Centres sociaux")
    list_display = ["name", "phone", "url"]
    list_export = ["name", "address", "phone", "url"]
    search_fields = ["name"]


class WorkerAbsenceViewSet(SnippetViewSet):
    model = WorkerAbsence
    icon = "date"
    menu_label = _("Absences")
    list_display = ["worker", "first_day", "last_day", "replacement"]
    list_filter = ["worker", "first_day"]
    list_export = ["worker", "first_day", "last_day", "replacement"]
    ordering = ["-first_day"]


class ClosurePeriodViewSet(SnippetViewSet):
    model = ClosurePeriod
    icon = "calendar-alt"
    menu_label = _("Fermetures et vacances")
    list_display = ["name", "kind", "first_day", "last_day"]
    list_filter = ["kind", "first_day"]
    list_export = ["name", "kind", "first_day", "last_day"]
    ordering = ["first_day"]


class DirectoryGroup(SnippetViewSetGroup):
    menu_label = _("Service social scolaire")
    menu_icon = "group"
    menu_order = 200
    items = (SocialWorkerViewSet, SocialCentreViewSet, WorkerAbsenceViewSet, ClosurePeriodViewSet)


register_snippet(DirectoryGroup)
