from django.apps import AppConfig


class PortalConfig(AppConfig):
    name = "portal"
    verbose_name = "Portail"

    def ready(self):
        from portal import signal_handlers
        from portal.two_factor import checks  # noqa: F401  (registers the system check)

        signal_handlers.connect()
