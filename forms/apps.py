from django.apps import AppConfig


class FormsConfig(AppConfig):
    name = "forms"
    verbose_name = "Demandes des familles"

    def ready(self):
        from wagtail.signals import page_published

        from forms.evenings.signals import promote_after_publish

        page_published.connect(promote_after_publish, dispatch_uid="forms-promote-after-publish")
