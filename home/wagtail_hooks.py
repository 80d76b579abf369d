"""The site-wide banners in the admin (translatable snippets)."""

from django.utils.translation import gettext_lazy as _
from wagtail.snippets.models import register_snippet
from wagtail.snippets.views.snippets import SnippetViewSet

from home.models import SiteNotice


class SiteNoticeViewSet(SnippetViewSet):
    model = SiteNotice
    icon = "warning"
    menu_label = _("Bandeaux d'information")
    menu_order = 210
    add_to_admin_menu = True
    list_display = ["text", "level", "starts_at", "ends_at"]
    list_filter = ["level"]
    ordering = ["-starts_at"]


register_snippet(SiteNoticeViewSet)
