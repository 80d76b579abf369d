from django.apps import AppConfig


class FormsConfig(AppConfig):
    verbose_name = "Demandes des familles"
    name = "forms"
