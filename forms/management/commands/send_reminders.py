"""Queue and send the day-before reminders: run once a day from cron (e.g. at 10:00).

Running it twice, or two runs overlapping, sends one reminder per appointment."""

from datetime import date

from django.core.management.base import BaseCommand, CommandError

from forms.notifications.delivery import deliver_due
from forms.notifications.queueing import queue_reminders


class Command(BaseCommand):
    help = "Remind families of their appointment tomorrow (Europe/Paris), once per appointment."

    def add_arguments(self, parser):
        parser.add_argument(
            "--date",
            dest="day",
            help="Remind of the appointments of this day (YYYY-MM-DD) instead of tomorrow.",
        )

    def handle(self, *args, day=None, **options):
        if day:
            try:
                day = date.fromisoformat(day)
            except ValueError as error:
                raise CommandError(f"--date: expected YYYY-MM-DD, got {day!r}") from error
        queued = queue_reminders(day=day)
        report = deliver_due(limit=len(queued) + 1000)
        self.stdout.write(f"queued {len(queued)} reminders; sent {report.sent}, retrying {report.retrying}")
