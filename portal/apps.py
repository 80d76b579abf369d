from django.apps import AppConfig


class PortalConfig(AppConfig):
    name = "portal"
    verbose_name = "Portail"

    def ready(self):
        from django.db.models.signals import post_delete, post_save
        from wagtail.signals import page_published, page_unpublished

        from portal.cache import invalidate

        page_published.connect(invalidate, dispatch_uid="page-cache-published")
        page_unpublished.connect(invalidate, dispatch_uid="page-cache-unpublished")
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
        ):
            post_save.connect(invalidate, sender=label, dispatch_uid=f"page-cache-save-{label}")
            post_delete.connect(invalidate, sender=label, dispatch_uid=f"page-cache-delete-{label}")
