"""The directory in the admin (snippets), and what deleting or unpublishing does: a row that
families' requests or registrations point at is never deleted (the rule: core.deletion), the
admin says why and offers to unpublish; a page in French is unpublished and deleted with its
translations."""

from django.conf import settings
from django.contrib import messages
from django.core.exceptions import PermissionDenied
from django.db.models import ProtectedError
from django.shortcuts import get_object_or_404, redirect
from django.template.response import TemplateResponse
from django.urls import path, reverse
from django.utils import translation
from django.utils.text import format_lazy
from django.utils.translation import gettext_lazy as _
from wagtail import hooks
from wagtail.admin.admin_url_finder import AdminURLFinder
from wagtail.admin.ui.tables import Column
from wagtail.admin.widgets import Button
from wagtail.models import Page
from wagtail.snippets.models import register_snippet
from wagtail.snippets.views.snippets import CreateView, DeleteView, IndexView, SnippetViewSet, SnippetViewSetGroup

from core.deletion import blockers, page_blockers, pages_deleted_with
from core.languages import text_direction
from services.models import ClosurePeriod, SchoolNotice, SchoolPage, SocialCentre, SocialWorker, WorkerAbsence
from services.poster import INVITATION, PosterError, make_poster
from services.records import ROUTING_PERMISSION


def what_blocks(found) -> str:
    return ", ".join(str(blocker.label) for blocker in found)


def cannot_delete(request, obj, found, unpublish_url=None, edit_url=None):
    """The admin page that says why `obj` stays, and what to do instead (never a 500)."""
    back_url = request.META.get("HTTP_REFERER") or reverse("wagtailadmin_home")
    return TemplateResponse(
        request,
        "services/admin/cannot_delete.html",
        {
            "page_title": _("Suppression impossible"),
            "header_icon": "warning",
            "name": str(obj),
            "what": what_blocks(found),
            "unpublish_url": unpublish_url,
            "edit_url": edit_url,
            "back_url": back_url,
        },
        status=409,
    )


@hooks.register("before_delete_page")
def refuse_to_delete_a_page_families_point_at(request, page):
    found = blockers(page)
    if not found:
        return None
    unpublish_url = None
    if page.live and page.permissions_for_user(request.user).can_unpublish():
        unpublish_url = reverse("wagtailadmin_pages:unpublish", args=[page.pk])
    return cannot_delete(request, page.get_admin_display_title(), found, unpublish_url=unpublish_url)


@hooks.register("before_delete_snippet")
def refuse_to_delete_a_snippet_families_point_at(request, instances):
    for instance in instances:
        found = blockers(instance)
        if found:
            edit_url = AdminURLFinder(request.user).get_edit_url(instance)
            return cannot_delete(request, instance, found, edit_url=edit_url)
    return None


@hooks.register("before_bulk_action")
def refuse_to_bulk_delete_pages_families_point_at(request, action_type, objects, action):
    if action_type != "delete" or not objects or not isinstance(objects[0], Page):
        return None
    found = page_blockers([p for page in objects for p in pages_deleted_with(page)])
    if not found:
        return None
    messages.error(
        request,
        format_lazy(
            "{} {}",
            _("Ces pages ne peuvent pas être supprimées : il y a %(what)s rattachées.") % {"what": what_blocks(found)},
            _("Dépubliez-les à la place."),
        ),
    )
    return redirect(request.META.get("HTTP_REFERER") or reverse("wagtailadmin_explore_root"))


@hooks.register("construct_translated_pages_to_cascade_actions")
def translations_follow_their_source(pages, action):
    """Unpublishing or deleting a page in French does the same to its translations (Wagtail's
    confirmation then says how many)."""
    if action not in ("unpublish", "delete"):
        return None
    cascade = {}
    for page in pages:
        if page.locale.language_code != settings.LANGUAGE_CODE:
            continue
        translations = Page.objects.translation_of(page, inclusive=False)
        if action == "unpublish":
            translations = translations.filter(alias_of__isnull=True, live=True)
        cascade[page] = translations
    return cascade


class FamiliesToTellColumn(Column):
    """A link, on a notice that cancels a permanence day, to the page where the manager tells the
    families booked that day (forms.admin: the requests stay on the workers' side)."""

    def get_value(self, instance):
        if not instance.cancelled_day:
            return ""
        return reverse("forms_admin:cancelled_day", args=[instance.pk])

    def get_cell_context_data(self, instance, parent_context):
        context = super().get_cell_context_data(instance, parent_context)
        context["url"] = self.get_value(instance)
        return context

    cell_template_name = "services/admin/families_to_tell_cell.html"


families_to_tell = FamiliesToTellColumn("families", label=_("Familles réservées"))


class SocialWorkerDeleteView(DeleteView):
    """The before_delete_snippet hook refuses a worker families' requests point at; a request
    created between the confirmation and the click still meets the database's PROTECT."""

    def form_valid(self, form):
        try:
            return super().form_valid(form)
        except ProtectedError:
            return cannot_delete(self.request, self.object, blockers(self.object), edit_url=self.get_success_url())


class SocialWorkerIndexView(IndexView):
    """A worker's activity is the service's to see and change (services.records.ROUTING_PERMISSION):
    without the permission, the listing neither shows nor filters nor exports it."""

    def setup(self, request, *args, **kwargs):
        super().setup(request, *args, **kwargs)
        if not request.user.has_perm(ROUTING_PERMISSION):
            for name in ("list_display", "list_filter", "list_export"):
                setattr(
                    self, name, [field for field in getattr(self, name) if field not in SocialWorker.ROUTING_FIELDS]
                )


class SocialWorkerViewSet(SnippetViewSet):
    model = SocialWorker
    index_view_class = SocialWorkerIndexView
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


class WorkerAbsenceCreateView(CreateView):
    """A new absence is declared on the workers' side (forms.admin.leave), which lists the
    appointments and requests of the period and moves them in the same step: an absence added
    here would leave them with nobody to see them. Who may add one is still checked here first."""

    def get(self, request, *args, **kwargs):
        return redirect("forms_admin:leave")

    def post(self, request, *args, **kwargs):
        return redirect("forms_admin:leave")


class WorkerAbsenceViewSet(SnippetViewSet):
    model = WorkerAbsence
    add_view_class = WorkerAbsenceCreateView
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


class SchoolNoticeViewSet(SnippetViewSet):
    model = SchoolNotice
    icon = "warning"
    menu_label = _("Notes des écoles")
    list_display = ["text", "school", "first_day", "last_day", "cancelled_day", families_to_tell]
    list_filter = ["first_day", "cancelled_day"]
    ordering = ["-first_day"]


class DirectoryGroup(SnippetViewSetGroup):
    menu_label = _("Service social scolaire")
    menu_icon = "group"
    menu_order = 200
    items = (SocialWorkerViewSet, SocialCentreViewSet, SchoolNoticeViewSet, WorkerAbsenceViewSet, ClosurePeriodViewSet)


register_snippet(DirectoryGroup)


def school_poster(request, pk):
    """The school's printable poster (services.poster), for whoever may edit the school page."""
    school = get_object_or_404(SchoolPage, pk=pk)
    if not school.permissions_for_user(request.user).can_edit():
        raise PermissionDenied
    back_url = reverse("wagtailadmin_pages:edit", args=[pk])
    try:
        site = school.get_site()
        poster = make_poster(school, site.root_url if site else request.build_absolute_uri("/"))
    except PosterError as error:
        messages.error(request, str(error))
        return redirect(back_url)
    invitations = []
    for code, _name in settings.LANGUAGES:
        if code == settings.LANGUAGE_CODE:
            continue
        with translation.override(code):
            invitations.append((code, str(INVITATION), text_direction(code)))
    with translation.override(settings.LANGUAGE_CODE):
        return TemplateResponse(
            request,
            "services/admin/poster.html",
            {
                "poster": poster,
                "invitations": invitations,
                "emergency_numbers": settings.EMERGENCY_NUMBERS,
                "back_url": back_url,
            },
        ).render()


@hooks.register("register_admin_urls")
def register_poster_url():
    return [path("ecoles/<int:pk>/affiche/", school_poster, name="services_school_poster")]


@hooks.register("register_page_header_buttons")
def poster_button(page, user, view_name, next_url=None):
    if isinstance(page.specific_deferred, SchoolPage):
        yield Button(
            _("Affiche à imprimer"),
            reverse("services_school_poster", args=[page.pk]),
            icon_name="doc-full",
            priority=80,
        )
