from django.apps import AppConfig


class ServicesConfig(AppConfig):
    verbose_name = "Service social scolaire"
    name = "services"

    def ready(self):
        from wagtail.signals import page_published

        from services.sync import synchronise_on_publish

        page_published.connect(synchronise_on_publish, dispatch_uid="services-synchronise-translations")
