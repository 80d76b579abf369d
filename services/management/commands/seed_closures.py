from django.conf import settings
from django.core.management.base import BaseCommand

from services.closures import seed_school_holidays
from services.schedule import today


class Command(BaseCommand):
    help = "Create the school holidays of the town's zone as closure periods (existing ones are kept)."

    def add_arguments(self, parser):
        parser.add_argument("--zone", choices=["A", "B", "C"], default=settings.SCHOOL_HOLIDAY_ZONE)
        parser.add_argument("--years", type=int, nargs="*", help="default: this year and the next")

    def handle(self, *args, zone, years, **options):
        years = years or [today().year, today().year + 1]
        created = seed_school_holidays(years, zone)
        self.stdout.write(self.style.SUCCESS(f"{created} closure period(s) created for zone {zone}, {years}."))
