"""How fast the delivery worker sends queued text messages (issue 12). Not part of the tests.

    .venv/bin/python bench/sms_delivery.py            # 1,000 messages
    BENCH_MESSAGES=200 .venv/bin/python bench/sms_delivery.py

What it does, all on 127.0.0.1:
1. drops and recreates the PostgreSQL database `portal_bench_sms` and migrates it;
2. starts the fake Brevo server of the tests (tests/fake_sms_provider.py: a real HTTP server
   on a local port, answering as Brevo does) and points the Brevo backend at it;
3. creates BENCH_MESSAGES booked appointments, each with its confirmation queued by text
   message only (the outbox rows of forms.notifications.queueing, one number each, daily
   limits lifted);
4. runs `deliver_due` in batches of 100 (what the worker and cron do) until the outbox is
   empty, and prints messages per second, the statements per message and what the fake
   provider received.
"""

from __future__ import annotations

import os
import subprocess
import sys
import time
from datetime import timedelta
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))
DATABASE = "portal_bench_sms"
COUNT = int(os.environ.get("BENCH_MESSAGES", "1000"))

os.environ.setdefault("DJANGO_SETTINGS_MODULE", "portal.settings.test")
os.environ["DATABASE_URL"] = f"postgres://root@127.0.0.1:5432/{DATABASE}"


def recreate_database():
    for sql in (f"DROP DATABASE IF EXISTS {DATABASE}", f"CREATE DATABASE {DATABASE}"):
        subprocess.run(["psql", "-h", "127.0.0.1", "-U", "root", "-d", "postgres", "-qc", sql], check=True)


def main():
    recreate_database()
    import django

    django.setup()
    from django.conf import settings
    from django.core.management import call_command
    from django.db import connection, transaction
    from django.utils import timezone

    call_command("migrate", verbosity=0)
    from forms.models import AppointmentRequest, BookingSettings, Notification, NotifyBy
    from forms.notifications.delivery import deliver_due
    from forms.notifications.queueing import queue_new_request
    from tests.fake_sms_provider import API_KEY, FakeSmsProvider

    fake = FakeSmsProvider(api_key=API_KEY)
    settings.SMS_BACKEND = "forms.notifications.sms.backends.brevo.SmsBackend"
    settings.SMS_API_URL, settings.SMS_API_KEY, settings.SMS_TIMEOUT = fake.url, API_KEY, 5.0
    from django.test.utils import override_settings

    # Queued only: the benchmark runs the delivery itself (setting_changed resets the backends).
    override_settings(TASKS={"default": {"BACKEND": "django_tasks.backends.dummy.DummyBackend"}}).enable()
    rules = BookingSettings.load()
    rules.sms_daily_budget = rules.sms_per_number_per_day = COUNT * 2
    rules.reminder_hours = 0
    rules.save()

    start = timezone.now() + timedelta(days=3)
    with transaction.atomic():
        for number in range(COUNT):
            request = AppointmentRequest.objects.create(
                routed_as=AppointmentRequest.Routing.SERVICE,
                mode=AppointmentRequest.Mode.SCHOOL,
                slot_start=start + timedelta(minutes=30 * number),
                slot_end=start + timedelta(minutes=30 * number + 30),
                place="Bureau du rez-de-chaussée",
                reason=AppointmentRequest.Reason.SCHOOLING,
                parent_name=f"Famille {number}",
                phone=f"+3361{number:07d}",
                notify_by=NotifyBy.SMS,
                language=("fr", "ar", "en", "pt", "tr")[number % 5],
                consent_at=timezone.now(),
                captcha=AppointmentRequest.Captcha.NOT_CONFIGURED,
            )
            queue_new_request(request, rules=rules)
    Notification.objects.filter(channel=Notification.Channel.EMAIL).delete()  # the service mailbox's
    queued = Notification.objects.filter(state=Notification.State.PENDING).count()

    sent, statements = 0, [0]

    def count(execute, sql, params, many, context):
        statements[0] += 1
        return execute(sql, params, many, context)

    with connection.execute_wrapper(count):
        began = time.perf_counter()
        while True:
            report = deliver_due(limit=100)
            sent += report.sent
            if not (report.sent or report.retrying or report.skipped):
                break
        elapsed = time.perf_counter() - began
    fake.close()
    print(f"text messages queued: {queued}, sent: {sent}, received by the fake provider: {len(fake.accepted)}")
    print(f"delivery: {sent / elapsed:.1f} messages/s ({elapsed:.2f} s in all, {1000 * elapsed / sent:.2f} ms each)")
    print(f"statements per message: {statements[0] / sent:.1f}")
    print(f"load average: {os.getloadavg()[0]:.2f}")


if __name__ == "__main__":
    main()
