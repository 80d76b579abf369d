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
5. runs 16 booking clients for BENCH_SECONDS, each walking the real steps (captcha off) and
   timing the final POST;
6. prints req/s and p50/p95/p99 for each, the ratios to the static file and to the peer, the
   targets, and the load average; then stops both servers and flushes Redis database 5.
"""

from __future__ import annotations

import json
import os
import random
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

from tests.faults.browser import Browser, slot_keys  # noqa: E402

VENV = ROOT / ".venv" / "bin"
DATABASE = "portal_bench_http"
DATABASE_URL = f"postgres://root@127.0.0.1:5432/{DATABASE}"
REDIS_URL = "redis://127.0.0.1:6379/5"
PORTAL, PEER = "127.0.0.1:8800", "127.0.0.1:8801"
SECONDS = int(os.environ.get("BENCH_SECONDS", "30"))
CONNECTIONS, THREADS, BOOKING_CLIENTS = 16, 2, 16
WORKERS = 5
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
        "from forms.slots import free_slots\n"
        "fr = settings.LANGUAGE_CODE\n"
        "schools = list(SchoolPage.objects.live().filter(locale__language_code=fr).order_by('pk'))\n"
        "index = SchoolIndexPage.objects.live().filter(locale__language_code=fr).first()\n"
        "print('JSON' + json.dumps({'index': index.url, 'school': schools[0].url, "
        "'static': static('css/site.css'), 'bookable': [s.pk for s in schools if free_slots(s)]}))\n"
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


def booking_bench(base: str, schools: list[int]) -> dict:
    """16 clients walk the whole flow again and again; the final POST of each is timed."""
    deadline = time.monotonic() + SECONDS
    latencies, outcomes, others = [], {"booked": 0, "taken": 0, "other": 0}, []
    lock = threading.Lock()

    def client(number: int):
        rng = random.Random(number)
        while time.monotonic() < deadline:
            browser = Browser(base)
            school = schools[number % len(schools)]
            browser.get(f"/rendez-vous/?ecole={school}")
            page = browser.get("/rendez-vous/modalite/")
            browser.post("/rendez-vous/modalite/", {"mode": "school"}, page)
            page = browser.get("/rendez-vous/creneau/")
            keys = slot_keys(page)
            if not keys:
                with lock:
                    outcomes["other"] += 1
                    others.append(f"no free slot at school {school}: {page.status}")
                return
            browser.post("/rendez-vous/creneau/", {"slot": rng.choice(keys[:10])}, page)
            page = browser.get("/rendez-vous/coordonnees/")
            browser.post("/rendez-vous/coordonnees/", BOOKING_DETAILS, page)
            recap = browser.get("/rendez-vous/recapitulatif/")
            key = re.search(r'name="submission_key" value="([^"]+)"', recap.text)
            started = time.perf_counter()
            final = browser.post("/rendez-vous/recapitulatif/", {"submission_key": key.group(1) if key else ""}, recap)
            elapsed = (time.perf_counter() - started) * 1000
            kind = (
                "booked"
                if "/confirmation/" in final.location
                else "taken"
                if final.location.endswith("/creneau/")
                else "other"
            )
            with lock:
                latencies.append(elapsed)
                outcomes[kind] += 1
                if kind == "other":
                    others.append(f"final POST {final.status} {final.location}")

    started = time.monotonic()
    threads = [threading.Thread(target=client, args=(n,)) for n in range(BOOKING_CLIENTS)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join()
    duration = time.monotonic() - started
    cuts = statistics.quantiles(latencies, n=100) if len(latencies) > 1 else [0] * 99
    result = {
        "name": f"booking final POST ({BOOKING_CLIENTS} clients)",
        "rps": len(latencies) / duration,
        "p50": cuts[49],
        "p95": cuts[94],
        "p99": cuts[98],
        "errors": outcomes["other"],
        "requests": len(latencies),
        "outcomes": outcomes,
        "others": others[:5],
    }
    say(f"booking: {len(latencies)} final POSTs, p95 {result['p95']:.1f} ms, {outcomes}")
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
        results.append(booking_bench(portal, urls["bookable"]))
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
    print(f"booking outcomes: {booking['outcomes']} {booking['others']}")
    ratio_static = cached["rps"] / static["rps"]
    ratio_peer = uncached["rps"] / peer["rps"]
    print()
    print(
        f"cached school / static file:  {ratio_static:.2f}x",
        f"(target >= 0.5x: {'met' if ratio_static >= 0.5 else 'MISSED'})",
    )
    print(f"uncached school / peer page:  {ratio_peer:.2f}x  (target >= 1x: {'met' if ratio_peer >= 1 else 'MISSED'})")
    met = "met" if booking["p95"] < 150 else "MISSED"
    print(f"booking POST p95 at {BOOKING_CLIENTS} clients: {booking['p95']:.1f} ms  (target < 150 ms: {met})")
    return 0


if __name__ == "__main__":
    sys.exit(main())
