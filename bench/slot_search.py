"""Slot search for one school over the booking horizon with 10,000 appointments in the database.

    DATABASE_URL=postgres://root@127.0.0.1:5432/portal_bench .venv/bin/python bench/slot_search.py

Builds its own data in the database named by DATABASE_URL (migrating it first), prints the
median and 95th percentile of `free_slots()` and its query count. Target: < 20 ms."""

import os
import random
import statistics
import sys
import time
from datetime import timedelta
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent.parent))
os.environ.setdefault("DJANGO_SETTINGS_MODULE", "portal.settings.test")

import django  # noqa: E402

django.setup()

from django.core.management import call_command  # noqa: E402
from django.db import connection  # noqa: E402
from django.test.utils import CaptureQueriesContext  # noqa: E402
from django.utils import timezone  # noqa: E402

APPOINTMENTS = int(os.environ.get("BENCH_APPOINTMENTS", "10000"))
RUNS = int(os.environ.get("BENCH_RUNS", "200"))


def build():
    from forms.models import AppointmentRequest
    from services.models import SchoolPage, SocialWorker

    call_command("migrate", verbosity=0)
    if not SchoolPage.objects.exists():
        call_command("load_demo", verbosity=0, stdout=open(os.devnull, "w"), stderr=open(os.devnull, "w"))
    existing = AppointmentRequest.objects.count()
    workers = list(SocialWorker.objects.all())
    schools = list(SchoolPage.objects.filter(locale__language_code="fr"))
    rows = []
    now = timezone.now()
    for i in range(existing, APPOINTMENTS):
        # Spread over two years of past and future half-hours so the table looks real.
        start = now + timedelta(minutes=30 * random.randint(-35_000, 35_000))
        rows.append(
            AppointmentRequest(
                school=random.choice(schools),
                assigned_worker=random.choice(workers),
                routed_as="referent",
                mode="school",
                slot_start=start,
                slot_end=start + timedelta(minutes=30),
                reason="schooling",
                parent_name=f"Parent {i}",
                phone="+33612345678",
                consent_at=now,
                captcha="off",
                status=random.choice(["done", "cancelled_family", "scheduled", "new"]),
            )
        )
    AppointmentRequest.objects.bulk_create(rows, batch_size=1000, ignore_conflicts=True)
    return SchoolPage.objects.filter(locale__language_code="fr").order_by("pk").first()


def main():
    from forms.booking.slots import free_slots
    from forms.models import AppointmentRequest
    from services.models import SchoolPage

    school = build()
    print(f"appointments in the database: {AppointmentRequest.objects.count()}")
    print(f"database: {connection.vendor}")
    timings = []
    for _ in range(RUNS):
        fresh = SchoolPage.objects.get(pk=school.pk)  # no cached relations between runs
        started = time.perf_counter()
        slots = free_slots(fresh)
        timings.append((time.perf_counter() - started) * 1000)
    with CaptureQueriesContext(connection) as queries:
        free_slots(SchoolPage.objects.get(pk=school.pk))
    timings.sort()
    print(f"slots found: {len(slots)} over the horizon for {school.title}")
    print(
        f"free_slots(): median {statistics.median(timings):.2f} ms, p95 {timings[int(len(timings) * 0.95)]:.2f} ms,"
        f" max {timings[-1]:.2f} ms over {RUNS} runs; {len(queries)} queries"
    )
    print("target: < 20 ms")


if __name__ == "__main__":
    main()
