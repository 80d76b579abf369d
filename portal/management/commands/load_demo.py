from django.conf import settings
from django.contrib.auth import get_user_model
from django.core.management.base import BaseCommand

from forms.demo import load as load_forms
from home.demo.load import load as load_home
from services.demo import load as load_services

DEMO_ADMIN = ("admin", "demo-admin-ccas")


class Command(BaseCommand):
    help = "Build the demo portal (pages in five languages, schools, workers, requests). Idempotent."

    def handle(self, *args, **options):
        def log(message):
            self.stdout.write(f"  {message}")

        def warn(message):
            self.stderr.write(self.style.WARNING(f"  {message}"))

        # No transaction around the whole load: wagtail-localize publishes translations
        # on commit from a revision that holds the parent's tree counters, so a parent and its
        # children translated in one transaction leaves the parent without children.
        load_home(log=log, warn=warn, extra_loaders=[load_services, load_forms])
        self.stdout.write(self.style.SUCCESS("Demo content is in place."))
        if settings.DEBUG:
            self.ensure_admin()

    def ensure_admin(self):
        username, password = DEMO_ADMIN
        User = get_user_model()
        if not User.objects.filter(username=username).exists():
            User.objects.create_superuser(username, "admin@ccas-villebelle.example.fr", password)
        self.stdout.write(
            self.style.SUCCESS(
                f"Wagtail admin (development only): {settings.WAGTAILADMIN_BASE_URL.rstrip('/')}/admin/  "
                f"user: {username}  password: {password}"
            )
        )
        if settings.STAFF_TWO_FACTOR_REQUIRED:
            self.stdout.write("Staff accounts give a one-time code from an authenticator app after the password.")
        else:
            self.stdout.write(
                "No one-time code asked: two-factor authentication is off in development only "
                "(STAFF_TWO_FACTOR_REQUIRED in portal/settings/dev.py); every other setting requires it."
            )
