from django.apps import AppConfig


class ServicesConfig(AppConfig):
    verbose_name = "Service social scolaire"
    name = "services"
