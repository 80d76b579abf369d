"""Deliver the notification outbox now: run from cron every few minutes, or by hand after an
outage of the mail server (`--all` does not wait for each row's next attempt)."""

from django.core.management.base import BaseCommand

from forms.notifications.delivery import deliver_due


class Command(BaseCommand):
    help = "Send pending notifications that are due (with --all: every pending one)."

    def add_arguments(self, parser):
        parser.add_argument(
            "--all",
            action="store_true",
            dest="ignore_schedule",
            help="Ignore the retry backoff (after an outage).",
        )
        parser.add_argument("--limit", type=int, default=1000, help="At most this many e-mails (default 1000).")

    def handle(self, *args, ignore_schedule=False, limit=1000, **options):
        report = deliver_due(limit=limit, ignore_schedule=ignore_schedule)
        summary = ", ".join(
            f"{name.replace('_', ' ')} {count}" for name, count in report.as_dict().items() if name != "stopped_early"
        )
        if report.stopped_early:
            summary += " (mail server unreachable: the rest waits for the next run)"
        self.stdout.write(summary)
