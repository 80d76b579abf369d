from django.core.management.base import BaseCommand

from forms.records.retention import expired_requests, purge_personal_data, retention_cutoff
from forms.records.staff_logins import purge_staff_login_logs


class Command(BaseCommand):
    help = (
        "Anonymise the appointment requests closed for longer than the retention period "
        "(BookingSettings.retention_months, 24 months by default), and delete staff login records "
        "older than STAFF_LOGIN_LOG_DAYS. Run it daily."
    )

    def add_arguments(self, parser):
        parser.add_argument("--dry-run", action="store_true", help="Only count the requests that would be anonymised.")
        parser.add_argument("--months", type=int, help="Override the retention period for this run.")

    def handle(self, *args, dry_run=False, months=None, **options):
        cutoff = retention_cutoff(months=months)
        if dry_run:
            count = expired_requests(months=months).count()
            self.stdout.write(f"{count} request(s) closed before {cutoff:%Y-%m-%d} would be anonymised (dry run).")
            return
        count = purge_personal_data(months=months)
        self.stdout.write(self.style.SUCCESS(f"{count} request(s) closed before {cutoff:%Y-%m-%d} anonymised."))
        logins = purge_staff_login_logs()
        self.stdout.write(self.style.SUCCESS(f"{logins} staff login record(s) deleted."))
