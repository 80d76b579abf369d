"""How long the queue's search (forms.search) takes over many requests (issue 15). Not part of
the tests.

    .venv/bin/python bench/queue_search.py             # 20,000 requests
    BENCH_REQUESTS=5000 .venv/bin/python bench/queue_search.py

Drops and recreates the PostgreSQL database `portal_bench_search`, migrates it, creates
BENCH_REQUESTS requests with varied names, numbers and e-mail addresses (bulk, with their
search text as save() writes it), then times `search_requests` over the whole table for a
name, an accented name, an Arabic name, a phone number typed with spaces, a reference and a
word that matches nothing: the median and worst of 20 runs of each, with the count of rows.
"""

from __future__ import annotations

import os
import random
import statistics
import subprocess
import sys
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))
DATABASE = "portal_bench_search"
COUNT = int(os.environ.get("BENCH_REQUESTS", "20000"))
RUNS = 20

os.environ.setdefault("DJANGO_SETTINGS_MODULE", "portal.settings.test")
os.environ["DATABASE_URL"] = f"postgres://root@127.0.0.1:5432/{DATABASE}"

FIRST = ["Amina", "Fatima", "Jean", "Marie", "Şükrü", "Ayşe", "João", "Ana", "فاطمة", "محمد", "Élodie", "Karim"]
LAST = ["Benali", "Martin", "Öztürk", "Silva", "Dupont", "Bénard", "الزهراء", "Nguyen", "Traoré", "Lefèvre"]


def recreate_database():
    for sql in (f"DROP DATABASE IF EXISTS {DATABASE}", f"CREATE DATABASE {DATABASE}"):
        subprocess.run(["psql", "-h", "127.0.0.1", "-U", "root", "-d", "postgres", "-qc", sql], check=True)


def main():
    recreate_database()
    import django

    django.setup()
    from django.core.management import call_command
    from django.utils import timezone

    call_command("migrate", verbosity=0)
    from forms.models import AppointmentRequest
    from forms.search import search_requests

    rng = random.Random(7)
    rows = []
    for number in range(COUNT):
        first, last = rng.choice(FIRST), rng.choice(LAST)
        row = AppointmentRequest(
            routed_as="service",
            mode="phone",
            reason="schooling",
            parent_name=f"{first} {last}",
            phone=f"+336{number:08d}",
            email=f"famille{number}@example.org",
            child_first_name=rng.choice(FIRST),
            consent_at=timezone.now(),
            captcha="off",
        )
        row.refresh_search_text()
        rows.append(row)
    AppointmentRequest.objects.bulk_create(rows, batch_size=1000)
    reference = rows[COUNT // 2].reference
    queries = {
        "name": "benali",
        "accented name": "Öztürk",
        "two words": "amina benali",
        "Arabic name": "فاطمة",
        # +336 and 8 digits, typed as a family says it: "06 00 01 00 00"
        "phone with spaces": "06 " + " ".join(f"{COUNT // 2:08d}"[k : k + 2] for k in range(0, 8, 2)),
        "reference": reference.replace("-", " ").lower(),
        "no match": "zzzzzz",
    }
    queryset = AppointmentRequest.objects.all()
    print(f"{COUNT} requests, PostgreSQL, {RUNS} runs each")
    print(f"{'query':<20}{'rows':>8}{'median ms':>12}{'worst ms':>10}")
    for label, query in queries.items():
        timings = []
        for _ in range(RUNS):
            started = time.perf_counter()
            found = len(search_requests(queryset, query).order_by("-created_at")[:50].values_list("pk", flat=True))
            timings.append((time.perf_counter() - started) * 1000)
        total = search_requests(queryset, query).count()
        print(f"{label:<20}{total:>8}{statistics.median(timings):>12.1f}{max(timings):>10.1f}  (page of {found})")


if __name__ == "__main__":
    main()
