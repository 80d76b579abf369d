"""HTTP benchmark of the portal under gunicorn + PostgreSQL + Redis, against a stock
`wagtail start` project served the same way (issue 7). Not part of the test suite.

    .venv/bin/python bench/http_bench.py

What it does, all on 127.0.0.1:
1. drops and recreates the PostgreSQL database `portal_bench_http`, migrates, loads the demo,
   collects the static files into a temporary directory;
2. starts gunicorn (5 workers, port 8800) with the production settings (bench/bench_settings.py:
   production plus lifted per-IP booking limits), Redis database 5 for the cache;
3. builds a stock `wagtail start peer` project in a temporary directory (SQLite, DEBUG off)
   and serves it with gunicorn (5 workers, port 8801);
4. loads each page with wrk (BENCH_SECONDS, default 30 s; 16 connections, 2 threads): home,
   school index, school page cached (warm) and uncached (a unique query string per request),
   a static file, the peer's welcome page;
5. measures the booking POST (captcha off) at 16 concurrent clients, the target of the issue,
   in two phases:
   a. preparation, not the target: 8 client threads walk BENCH_BOOKINGS sessions (default 480,
      30 per measured client), each with its own cookie jar, through the real steps (start with
      ?ecole=, mode GET/POST, slot GET/POST, details GET/POST, recap GET: 8 requests) and stop
      on the recap page, keeping its CSRF token and submission_key. Every session gets a
      different slot, so that every final POST can book: the first slot of its school's slot
      page that no other session claimed (a slot is unique per worker and start, two schools
      can share a worker: step 1 also reads each free slot's worker from the database). With
      fewer free slots than BENCH_BOOKINGS (step 1 sets the booking horizon to 20 weeks in the
      benchmark's database: the demo's 6 weeks leave about 220 free slots), as many
      sessions as there are slots are prepared, and the report says so. The walk is timed and
      reported on its own line (walks/s, p50/p95/p99 of a whole walk);
   b. measurement: 16 client threads start together (a barrier) and take the prepared
      sessions from a shared queue until it is empty, each sending only the final POST (form
      data built beforehand: no HTML parsing while measuring) and timing it. Outcomes: booked
      (redirect to /confirmation/), taken (redirect to /creneau/), other (anything else,
      4xx/5xx included; the first 5 are shown).
   Timing the final POST at the end of 16 full walks, as this benchmark first did, measured
   the walk: the server was also serving the 7 other steps of 16 flows, and the client threads
   (GIL, HTML regexes) took a core of a 2-core machine. The measured phase does not depend on
   BENCH_SECONDS. Each run books its sessions' slots in `portal_bench_http`: with the default
   BENCH_BOOKINGS a run books them all, so a run with BENCH_REUSE_DB=1 (which keeps that
   database) needs a smaller BENCH_BOOKINGS before it, or finds no free slot;
6. prints req/s and p50/p95/p99 for each, the ratios to the static file and to the peer, the
   targets (the booking one on the measured POSTs' p95), and the load average; then stops
   both servers and flushes Redis database 5.
"""

from __future__ import annotations

import collections
import json
import os
import re
import secrets
import shutil
import signal
import statistics
import subprocess
import sys
import tempfile
import threading
import time
import urllib.error
import urllib.request
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))

from tests.faults.browser import CSRF_INPUT, Browser, slot_keys, submission_key  # noqa: E402

VENV = ROOT / ".venv" / "bin"
DATABASE = "portal_bench_http"
DATABASE_URL = f"postgres://root@127.0.0.1:5432/{DATABASE}"
REDIS_URL = "redis://127.0.0.1:6379/5"
PORTAL, PEER = "127.0.0.1:8800", "127.0.0.1:8801"
SECONDS = int(os.environ.get("BENCH_SECONDS", "30"))
CONNECTIONS, THREADS, BOOKING_CLIENTS = 16, 2, 16
BOOKINGS = int(os.environ.get("BENCH_BOOKINGS", "480"))  # final POSTs measured (30 per client)
WALK_CLIENTS = 8  # clients walking the sessions to the recap page beforehand
RECAP = "/rendez-vous/recapitulatif/"
WORKERS = 5
HORIZON_WEEKS = 20  # the booking horizon set in the benchmark's database, for enough free slots
LUA = Path(__file__).resolve().parent / "wrk_report.lua"
BOOKING_DETAILS = {
    "reason": "schooling",
    "requester": "parent",
    "parent_name": "Famille Banc d'essai",
    "phone": "06 12 34 56 78",
    "email": "",
    "language": "fr",
    "child_first_name": "",
    "child_class": "",
    "message": "",
    "consent": "on",
    "website": "",
}


def say(message: str) -> None:
    print(f"[{time.strftime('%H:%M:%S')}] {message}", flush=True)


def portal_env(static_root: str) -> dict:
    env = dict(os.environ)
    env.update(
        DJANGO_SETTINGS_MODULE="bench_settings",
        PYTHONPATH=f"{ROOT / 'bench'}:{ROOT}",
        SECRET_KEY=secrets.token_urlsafe(45)[:60],
        ALLOWED_HOSTS="127.0.0.1",
        SECURE_SSL_REDIRECT="false",
        REDIS_URL=REDIS_URL,
        DATABASE_URL=DATABASE_URL,
        STATIC_ROOT=static_root,
    )
    for name in ("RECAPTCHA_PUBLIC_KEY", "RECAPTCHA_PRIVATE_KEY"):
        env.pop(name, None)
    return env


def run(command, **kwargs):
    subprocess.run(command, check=True, stdout=subprocess.DEVNULL, **kwargs)


def psql(sql: str) -> None:
    run(["psql", "-h", "127.0.0.1", "-U", "root", "-d", "postgres", "-qc", sql])


def flush_redis() -> None:
    import redis

    redis.Redis.from_url(REDIS_URL).flushdb()


def prepare_portal(env: dict) -> dict:
    manage = [str(VENV / "python"), str(ROOT / "manage.py")]
    if os.environ.get("BENCH_REUSE_DB"):
        say(f"database {DATABASE}: reused as it is (BENCH_REUSE_DB); collectstatic")
    else:
        say(f"database {DATABASE}: recreate, migrate, load_demo, collectstatic")
        psql(f"DROP DATABASE IF EXISTS {DATABASE} WITH (FORCE)")
        psql(f"CREATE DATABASE {DATABASE}")
        run([*manage, "migrate", "--noinput"], env=env, cwd=ROOT)
        run([*manage, "load_demo"], env=env, cwd=ROOT)
    run([*manage, "collectstatic", "--noinput"], env=env, cwd=ROOT)
    script = (
        "import json\n"
        "from django.templatetags.static import static\n"
        "from django.conf import settings\n"
        "from services.models import SchoolPage, SchoolIndexPage\n"
        "from forms.booking.slots import free_slots\n"
        "from forms.models import BookingSettings\n"
        "fr = settings.LANGUAGE_CODE\n"
        # The demo's 6-week horizon leaves about 220 free slots: too few POSTs for a steady p95.
        f"rules = BookingSettings.load(); rules.horizon_weeks = {HORIZON_WEEKS}; rules.save()\n"
        "schools = list(SchoolPage.objects.live().filter(locale__language_code=fr).order_by('pk'))\n"
        "index = SchoolIndexPage.objects.live().filter(locale__language_code=fr).first()\n"
        "slots = {s.pk: {slot.key: slot.worker_id for slot in free_slots(s)} for s in schools}\n"
        "print('JSON' + json.dumps({'index': index.url, 'school': schools[0].url, "
        "'static': static('css/site.css'), 'slots': {pk: keys for pk, keys in slots.items() if keys}}))\n"
    )
    output = subprocess.run(
        [*manage, "shell", "-c", script], env=env, cwd=ROOT, check=True, capture_output=True, text=True
    ).stdout
    return json.loads(output[output.index("JSON") + 4 :])


def prepare_peer(folder: Path) -> tuple[Path, dict]:
    say("peer: wagtail start peer, migrate on SQLite")
    run([str(VENV / "wagtail"), "start", "peer"], cwd=folder)
    project = folder / "peer"
    (project / "peer" / "settings" / "local.py").write_text(
        f'SECRET_KEY = "{secrets.token_urlsafe(45)[:60]}"\nALLOWED_HOSTS = ["127.0.0.1"]\nDEBUG = False\n'
    )
    env = dict(os.environ, DJANGO_SETTINGS_MODULE="peer.settings.production", PYTHONPATH=str(project))
    env.pop("DATABASE_URL", None)
    run([str(VENV / "python"), "manage.py", "migrate", "--noinput"], cwd=project, env=env)
    # The stock production settings use ManifestStaticFilesStorage: {% static %} needs the manifest.
    run([str(VENV / "python"), "manage.py", "collectstatic", "--noinput"], cwd=project, env=env)
    return project, env


def start_gunicorn(module: str, bind: str, cwd: Path, env: dict, log: Path) -> subprocess.Popen:
    command = [str(VENV / "gunicorn"), module, "-w", str(WORKERS), "--bind", bind, "--log-level", "warning"]
    process = subprocess.Popen(command, cwd=cwd, env=env, stdout=log.open("w"), stderr=subprocess.STDOUT)
    for _ in range(120):
        try:
            urllib.request.urlopen(f"http://{bind}/", timeout=5).read()
            return process
        except urllib.error.HTTPError as error:
            process.terminate()
            process.wait(timeout=30)
            raise RuntimeError(f"gunicorn {module} answered {error.code}: {log.read_text()[-2000:]}") from None
        except Exception:  # noqa: BLE001  not up yet
            if process.poll() is not None:
                raise RuntimeError(f"gunicorn {module} exited: {log.read_text()[-2000:]}") from None
            time.sleep(0.5)
    process.terminate()
    process.wait(timeout=30)
    raise RuntimeError(f"gunicorn {module} did not answer on {bind}: {log.read_text()[-2000:]}")


def wrk(name: str, url: str, unique: bool = False) -> dict:
    command = ["wrk", "-t", str(THREADS), "-c", str(CONNECTIONS), "-d", f"{SECONDS}s", "-s", str(LUA), url]
    if unique:
        command += ["--", "unique"]
    output = subprocess.run(command, check=True, capture_output=True, text=True).stdout
    line = next(line for line in output.splitlines() if line.startswith("RESULT"))
    values = {key: int(value) for key, value in re.findall(r"(\w+)=(\d+)", line)}
    result = {
        "name": name,
        "rps": values["requests"] / (values["duration_us"] / 1e6),
        "p50": values["p50_us"] / 1000,
        "p95": values["p95_us"] / 1000,
        "p99": values["p99_us"] / 1000,
        "errors": values["non2xx"] + values["socket_errors"],
        "requests": values["requests"],
    }
    say(f"{name}: {result['rps']:.0f} req/s, p95 {result['p95']:.1f} ms, errors {result['errors']}")
    return result


def quantiles(values: list[float]) -> tuple[float, float, float]:
    """p50, p95, p99 of `values` in ms (all zero when there are none)."""
    if len(values) < 2:
        return (values[0],) * 3 if values else (0.0, 0.0, 0.0)
    cuts = statistics.quantiles(values, n=100)
    return cuts[49], cuts[94], cuts[98]


def walk_to_recap(base: str, slots: dict[int, dict[str, int]], state: dict) -> tuple[str, object]:
    """Walk one booking, in a fresh session, to the recap page, on a slot no other session holds.

    `slots` maps each bookable school to its free slot keys and the worker holding each: a slot
    is unique per worker and start, and two schools can share a worker. Returns ("ready",
    (browser, the final POST's form data)), ("failed", why), ("retry", None) when the school's
    slot page had no unclaimed slot left, or ("exhausted", None) when no school has one."""
    with state["lock"]:
        order = list(slots)
        first = state["next_school"] % len(order)
        state["next_school"] += 1
        school = next(
            (
                pk
                for pk in order[first:] + order[:first]
                if any((worker, key) not in state["claimed"] for key, worker in slots[pk].items())
            ),
            None,
        )
    if school is None:
        return "exhausted", None
    browser = Browser(base)
    browser.get(f"/rendez-vous/?ecole={school}")
    page = browser.get(f"/rendez-vous/modalite/?ecole={school}")  # the school is in the address
    browser.post(f"/rendez-vous/modalite/?ecole={school}", {"mode": "school"}, page)
    page = browser.get("/rendez-vous/creneau/")
    shown = slot_keys(page)
    on_page, key = set(shown), None
    with state["lock"]:
        # The slot page is the truth: a slot of the table it no longer shows (past the minimum
        # notice since the table was read) is dropped for good.
        state["claimed"].update((worker, k) for k, worker in slots[school].items() if k not in on_page)
        for candidate in shown:
            claim = (slots[school].get(candidate), candidate)
            if claim[0] is not None and claim not in state["claimed"]:
                state["claimed"].add(claim)
                key = candidate
                break
    if key is None:
        return "retry", None
    browser.post("/rendez-vous/creneau/", {"slot": key}, page)
    page = browser.get("/rendez-vous/coordonnees/")
    browser.post("/rendez-vous/coordonnees/", BOOKING_DETAILS, page)
    recap = browser.get(RECAP)
    token, submission = CSRF_INPUT.search(recap.text), submission_key(recap)
    if recap.status != 200 or not token or not submission:
        return "failed", f"recap GET {recap.status} at school {school}, slot {key}: no booking form"
    return "ready", (browser, {"submission_key": submission, "csrfmiddlewaretoken": token.group(1)})


def prepare_bookings(base: str, slots: dict[int, dict[str, int]]) -> dict:
    """Walk BENCH_BOOKINGS sessions to the recap page (WALK_CLIENTS clients), each on its own slot."""
    capacity = len({(worker, key) for table in slots.values() for key, worker in table.items()})
    wanted = min(BOOKINGS, capacity)
    notes = []
    if wanted < BOOKINGS:
        notes.append(f"only {capacity} free slots in the bookable schools: {wanted} bookings, not {BOOKINGS}")
        say(f"booking: {notes[-1]}")
    state = {"lock": threading.Lock(), "next_school": 0, "claimed": set(), "started": 0}
    sessions, walks, failures = [], [], []

    def client():
        while True:
            with state["lock"]:
                if state["started"] >= wanted:
                    return
                state["started"] += 1
            started = time.perf_counter()
            kind, value = walk_to_recap(base, slots, state)
            elapsed = (time.perf_counter() - started) * 1000
            with state["lock"]:
                if kind == "ready":
                    sessions.append(value)
                    walks.append(elapsed)
                elif kind == "failed":
                    failures.append(value)
                else:
                    state["started"] -= 1  # this walk prepared nothing: another one may
                    if kind == "exhausted":
                        return

    say(f"booking: walking {wanted} sessions to the recap page ({WALK_CLIENTS} clients)")
    started = time.perf_counter()
    threads = [threading.Thread(target=client) for _ in range(WALK_CLIENTS)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join()
    duration = time.perf_counter() - started
    if len(sessions) < wanted:
        notes.append(f"{len(sessions)} sessions prepared out of {wanted} ({len(failures)} failed walks)")
        say(f"booking: {notes[-1]}")
    p50, p95, p99 = quantiles(walks)
    walk = {"rate": len(walks) / duration, "p50": p50, "p95": p95, "p99": p99, "walks": len(walks)}
    say(f"booking walk: {len(walks)} walks in {duration:.1f} s, p95 {p95:.1f} ms, {len(failures)} failed")
    return {"sessions": sessions, "walk": walk, "failures": failures[:5], "notes": notes}


def booking_bench(base: str, slots: dict[int, dict[str, int]]) -> dict:
    """The booking POST at BOOKING_CLIENTS concurrent clients, on sessions walked beforehand."""
    prepared = prepare_bookings(base, slots)
    pending = collections.deque(prepared["sessions"])
    samples = []  # (ms, status, Location) of every final POST
    clock, lock = {}, threading.Lock()
    barrier = threading.Barrier(BOOKING_CLIENTS, action=lambda: clock.setdefault("start", time.perf_counter()))

    def client():
        own = []
        barrier.wait()
        while True:
            try:
                browser, data = pending.popleft()
            except IndexError:
                break
            started = time.perf_counter()
            final = browser.post(RECAP, data)  # the form data carries the recap's CSRF token already
            own.append(((time.perf_counter() - started) * 1000, final.status, final.location))
        finished = time.perf_counter()
        with lock:
            samples.extend(own)
            clock["end"] = max(clock.get("end", finished), finished)

    say(f"booking: {len(pending)} final POSTs from {BOOKING_CLIENTS} clients")
    threads = [threading.Thread(target=client) for _ in range(BOOKING_CLIENTS)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join()
    duration = clock["end"] - clock["start"]

    outcomes, others = {"booked": 0, "taken": 0, "other": 0}, []
    for _, status, location in samples:
        kind = "booked" if "/confirmation/" in location else "taken" if location.endswith("/creneau/") else "other"
        outcomes[kind] += 1
        if kind == "other":
            others.append(f"final POST {status} {location}")
    latencies = [ms for ms, _, _ in samples]
    p50, p95, p99 = quantiles(latencies)
    result = {
        "name": f"booking final POST ({BOOKING_CLIENTS} clients)",
        "rps": len(latencies) / duration if duration > 0 else 0.0,
        "p50": p50,
        "p95": p95,
        "p99": p99,
        "errors": outcomes["other"],
        "requests": len(latencies),
        "outcomes": outcomes,
        "others": others[:5],
        "walk": prepared["walk"],
        "walk_failures": prepared["failures"],
        "notes": prepared["notes"],
    }
    say(f"booking: {len(latencies)} final POSTs, p95 {p95:.1f} ms, {outcomes}")
    return result


def main() -> int:
    if not shutil.which("wrk"):
        say("wrk is missing: apt-get install -y wrk")
        subprocess.run(["apt-get", "install", "-y", "wrk"], check=True, stdout=subprocess.DEVNULL)
    temp = Path(tempfile.mkdtemp(prefix="portal-bench-"))
    processes = []
    try:
        env = portal_env(str(temp / "static"))
        flush_redis()
        urls = prepare_portal(env)
        peer_dir, peer_env = prepare_peer(temp)
        processes.append(start_gunicorn("portal.wsgi", PORTAL, ROOT, env, temp / "portal.log"))
        processes.append(start_gunicorn("peer.wsgi", PEER, peer_dir, peer_env, temp / "peer.log"))
        portal = f"http://{PORTAL}"
        for path in (urls["school"], urls["index"], "/"):
            urllib.request.urlopen(portal + path).read()  # warm the page cache
        load_before = os.getloadavg()
        results = [
            wrk("static file", portal + urls["static"]),
            wrk("home (cached)", portal + "/"),
            wrk("school index (cached)", portal + urls["index"]),
            wrk("school page cached", portal + urls["school"]),
            wrk("school page uncached", portal + urls["school"], unique=True),
            wrk("peer welcome page", f"http://{PEER}/"),
        ]
        slots = {int(pk): keys for pk, keys in urls["slots"].items()}  # bookable schools' free slots
        results.append(booking_bench(portal, slots))
        load_after = os.getloadavg()
    finally:
        for process in processes:
            process.send_signal(signal.SIGTERM)
        for process in processes:
            try:
                process.wait(timeout=30)
            except subprocess.TimeoutExpired:
                process.kill()
        flush_redis()
        shutil.rmtree(temp, ignore_errors=True)

    by_name = {result["name"]: result for result in results}
    static, peer = by_name["static file"], by_name["peer welcome page"]
    cached, uncached = by_name["school page cached"], by_name["school page uncached"]
    booking = results[-1]
    print()
    print(
        f"gunicorn -w {WORKERS}, PostgreSQL, Redis; wrk -t{THREADS} -c{CONNECTIONS} -d{SECONDS}s;",
        f"{os.cpu_count()} cores",
    )
    print(f"load average before: {load_before[0]:.2f} {load_before[1]:.2f} {load_before[2]:.2f}; ", end="")
    print(f"after: {load_after[0]:.2f} {load_after[1]:.2f} {load_after[2]:.2f}")
    print(f"{'':36} {'req/s':>8} {'p50 ms':>8} {'p95 ms':>8} {'p99 ms':>8} {'requests':>9} {'errors':>7}")
    for r in results:
        print(
            f"{r['name']:36} {r['rps']:8.0f} {r['p50']:8.1f} {r['p95']:8.1f} {r['p99']:8.1f} "
            f"{r['requests']:9d} {r['errors']:7d}"
        )
    walk = booking["walk"]
    print(
        f"booking walk to the recap (8 requests each, {WALK_CLIENTS} clients), informative:",
        f"{walk['rate']:.1f} walks/s, p50 {walk['p50']:.0f} ms, p95 {walk['p95']:.0f} ms,",
        f"p99 {walk['p99']:.0f} ms per walk; {walk['walks']} walks",
    )
    print(f"booking outcomes: {booking['outcomes']} {booking['others']}")
    for note in booking["notes"]:
        print(f"booking: {note}")
    if booking["walk_failures"]:
        print(f"booking walks that failed: {booking['walk_failures']}")
    ratio_static = cached["rps"] / static["rps"]
    ratio_peer = uncached["rps"] / peer["rps"]
    print()
    print(
        f"cached school / static file:  {ratio_static:.2f}x",
        f"(target >= 0.5x: {'met' if ratio_static >= 0.5 else 'MISSED'})",
    )
    print(f"uncached school / peer page:  {ratio_peer:.2f}x  (target >= 1x: {'met' if ratio_peer >= 1 else 'MISSED'})")
    met = "met" if booking["p95"] < 150 else "MISSED"
    if not booking["requests"]:
        met = "NOT MEASURED: no free slot left, run once without BENCH_REUSE_DB"
    print(f"booking POST p95 at {BOOKING_CLIENTS} clients: {booking['p95']:.1f} ms  (target < 150 ms: {met})")
    return 0


if __name__ == "__main__":
    sys.exit(main())
