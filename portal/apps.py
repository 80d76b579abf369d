from django.apps import AppConfig


class PortalConfig(AppConfig):
    name = "portal"
    verbose_name = "Portail"

    def ready(self):
        from django.db.models.signals import post_delete, post_save
        from wagtail.signals import page_published, page_unpublished, post_page_move

        from portal.cache import invalidate

        page_published.connect(invalidate, dispatch_uid="page-cache-published")
        page_unpublished.connect(invalidate, dispatch_uid="page-cache-unpublished")
        # Moving a page changes the routes (and the menus) of its whole subtree; deleting a live
        # page sends page_unpublished.
        post_page_move.connect(invalidate, dispatch_uid="page-cache-moved")
        # What public pages show besides page content: the directory and the site settings.
        for label in (
            "services.SocialWorker",
            "services.SocialCentre",
            "services.Permanence",
            "services.WorkerAbsence",
            "services.ClosurePeriod",
            "home.CCASSettings",
            "forms.BookingSettings",
            "wagtailcore.Locale",
            "wagtailcore.Site",
            # A page made private leaves the menus and the shared cache at once.
            "wagtailcore.PageViewRestriction",
        ):
            post_save.connect(invalidate, sender=label, dispatch_uid=f"page-cache-save-{label}")
            post_delete.connect(invalidate, sender=label, dispatch_uid=f"page-cache-delete-{label}")
