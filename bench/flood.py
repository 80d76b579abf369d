"""Flood benchmark (issue 17): one client floods the portal with distinct URLs for a bounded
time; Redis must stay bounded and families must still book. Not part of the test suite.

    .venv/bin/python bench/flood.py          # FLOOD_SECONDS=60 by default

What it does, all on 127.0.0.1, with bench/http_bench.py's pieces:
1. starts a Redis of its own (port 6391) configured as docs/deploy.md says, with a small cap:
   `maxmemory FLOOD_REDIS_MAXMEMORY` (default 64mb), `maxmemory-policy allkeys-lru`, no disk;
2. recreates the PostgreSQL database `portal_bench_flood`, loads the demo and serves it with
   gunicorn (5 workers, port 8810) under the production settings (bench/bench_settings.py) with
   that Redis as the cache (sessions: cached_db, written to PostgreSQL, read through Redis);
3. prints Redis' INFO memory used_memory, its key count by kind (pages, fragments, session
   copies, counters) and the session rows in PostgreSQL;
4. floods for FLOOD_SECONDS with wrk (FLOOD_CONNECTIONS connections, 2 threads, bench/flood.lua):
   every request a URL of its own (a fresh query parameter) over the home page, the school index,
   a school page, the slots API and a cookie-less `GET /rendez-vous/?ecole=…` for each bookable
   school; Redis' memory is sampled every 2 s;
5. during the flood (at a quarter, half and three quarters of it) and after it, a family walks a
   whole booking in a fresh session (8 requests, then the final POST) and must land on its
   confirmation page;
6. prints the figures before, at the peak and after, the flood's status counts, each booking's
   outcome and duration, and the load average; stops gunicorn and its Redis.
"""

from __future__ import annotations

import os
import shutil
import signal
import subprocess
import sys
import tempfile
import threading
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT / "bench"))

import http_bench as base  # noqa: E402

DATABASE = "portal_bench_flood"
REDIS_PORT = 6391
REDIS_MAXMEMORY = os.environ.get("FLOOD_REDIS_MAXMEMORY", "64mb")
PORTAL = "127.0.0.1:8810"
SECONDS = int(os.environ.get("FLOOD_SECONDS", "60"))
CONNECTIONS = int(os.environ.get("FLOOD_CONNECTIONS", "16"))
LUA = Path(__file__).resolve().parent / "flood.lua"
SAY = base.say


def start_redis(folder: Path):
    import redis

    command = [
        "redis-server", "--port", str(REDIS_PORT), "--bind", "127.0.0.1", "--dir", str(folder),
        "--maxmemory", REDIS_MAXMEMORY, "--maxmemory-policy", "allkeys-lru", "--save", "", "--appendonly", "no",
    ]  # fmt: skip
    process = subprocess.Popen(command, stdout=(folder / "redis.log").open("w"), stderr=subprocess.STDOUT)
    client = redis.Redis(host="127.0.0.1", port=REDIS_PORT)
    for _ in range(50):
        try:
            client.ping()
            return process, client
        except redis.ConnectionError:
            time.sleep(0.1)
    process.terminate()
    raise RuntimeError(f"redis-server did not start: {(folder / 'redis.log').read_text()[-1000:]}")


def kind_of(key: bytes) -> str:
    key = key.decode("utf-8", "replace")
    for marker, kind in (
        ("page-cache", "pages"),
        ("template.cache", "fragments"),
        ("sessions", "session copies"),
        ("rl:", "rate counters"),
    ):
        if marker in key:
            return kind
    return "other"


def redis_figures(client) -> dict:
    kinds: dict[str, int] = {}
    for key in client.scan_iter(count=1000):
        kinds[kind_of(key)] = kinds.get(kind_of(key), 0) + 1
    return {
        "used_memory": client.info("memory")["used_memory"],
        "dbsize": client.dbsize(),
        "evicted_keys": client.info("stats")["evicted_keys"],
        "kinds": dict(sorted(kinds.items())),
    }


def session_rows() -> int:
    output = subprocess.run(
        ["psql", "-h", "127.0.0.1", "-U", "root", "-d", DATABASE, "-tAc", "SELECT count(*) FROM django_session"],
        check=True,
        capture_output=True,
        text=True,
    ).stdout
    return int(output.strip())


def book(portal: str, slots: dict, state: dict, when: str) -> dict:
    """A family's whole booking in a fresh session: it must reach its confirmation page."""
    started = time.perf_counter()
    try:
        kind, value = base.walk_to_recap(portal, slots, state)
        if kind != "ready":
            return {"when": when, "ok": False, "why": f"walk: {kind} {value or ''}", "seconds": 0.0}
        browser, data = value
        final = browser.post(base.RECAP, data)
        confirmed = "/confirmation/" in final.location and browser.get(final.location).status == 200
        why = "" if confirmed else f"final POST {final.status} {final.location}"
    except Exception as error:  # noqa: BLE001  the report says what went wrong
        confirmed, why = False, f"{type(error).__name__}: {error}"
    return {"when": when, "ok": confirmed, "why": why, "seconds": time.perf_counter() - started}


def flood(paths: list[str], result: dict) -> None:
    command = ["wrk", "-t", "2", "-c", str(CONNECTIONS), "-d", f"{SECONDS}s", "-s", str(LUA)]
    command += [f"http://{PORTAL}/", "--", *paths]
    output = subprocess.run(command, check=True, capture_output=True, text=True).stdout
    line = next(line for line in output.splitlines() if line.startswith("FLOOD"))
    result.update(item.split("=", 1) for item in line.split()[1:])


def megabytes(value: int) -> str:
    return f"{value / 1024 / 1024:.1f} MiB"


def show(name: str, figures: dict, sessions: int) -> None:
    kinds = ", ".join(f"{kind} {count}" for kind, count in figures["kinds"].items()) or "none"
    print(
        f"{name:8} used_memory {megabytes(figures['used_memory']):>10}  dbsize {figures['dbsize']:6d}  "
        f"evicted {figures['evicted_keys']:6d}  sessions in PostgreSQL {sessions:5d}  keys: {kinds}"
    )


def main() -> int:
    if not shutil.which("wrk"):
        SAY("wrk is missing: apt-get install -y wrk")
        return 1
    base.DATABASE = DATABASE
    base.DATABASE_URL = f"postgres://root@127.0.0.1:5432/{DATABASE}"
    base.REDIS_URL = f"redis://127.0.0.1:{REDIS_PORT}/0"
    temp = Path(tempfile.mkdtemp(prefix="portal-flood-"))
    redis_process, gunicorn = None, None
    try:
        redis_process, client = start_redis(temp)
        SAY(f"redis on port {REDIS_PORT}: maxmemory {REDIS_MAXMEMORY}, allkeys-lru")
        env = base.portal_env(str(temp / "static"))
        urls = base.prepare_portal(env)
        gunicorn = base.start_gunicorn("portal.wsgi", PORTAL, base.ROOT, env, temp / "portal.log")
        portal = f"http://{PORTAL}"
        slots = {int(pk): keys for pk, keys in urls["slots"].items()}
        paths = ["/", urls["index"], urls["school"], "/en/", *(f"/rendez-vous/?ecole={pk}" for pk in slots)]
        paths += [f"/api/v1/schools/{next(iter(slots))}/slots/"]
        state = {"lock": threading.Lock(), "next_school": 0, "claimed": set()}
        for path in paths[:4]:
            base.Browser(portal).get(path)  # what a normal morning has already cached

        before, sessions_before = redis_figures(client), session_rows()
        load_before = os.getloadavg()
        SAY(f"flood: {SECONDS} s, {CONNECTIONS} connections, {len(paths)} paths with a fresh parameter each")
        result, peak = {}, dict(before)
        flooding = threading.Thread(target=flood, args=(paths, result))
        started = time.monotonic()
        flooding.start()
        bookings, marks = [], [SECONDS * share for share in (0.25, 0.5, 0.75)]
        while flooding.is_alive():
            elapsed = time.monotonic() - started
            if marks and elapsed >= marks[0]:
                marks.pop(0)
                bookings.append(book(portal, slots, state, f"during, at {elapsed:.0f} s"))
                SAY(f"booking {bookings[-1]}")
            sample = redis_figures(client)
            if sample["used_memory"] > peak["used_memory"]:
                peak = sample
            time.sleep(2)
        flooding.join()
        after, sessions_after = redis_figures(client), session_rows()
        bookings.append(book(portal, slots, state, "after"))
        SAY(f"booking {bookings[-1]}")
        load_after = os.getloadavg()
    finally:
        for process in (gunicorn, redis_process):
            if process is not None:
                process.send_signal(signal.SIGTERM)
                try:
                    process.wait(timeout=30)
                except subprocess.TimeoutExpired:
                    process.kill()
        shutil.rmtree(temp, ignore_errors=True)

    seconds = int(result["duration_us"]) / 1e6
    statuses = {key: value for key, value in result.items() if key.endswith("xx")}
    print()
    print(f"gunicorn -w {base.WORKERS}, PostgreSQL, Redis (maxmemory {REDIS_MAXMEMORY}, allkeys-lru)", end="")
    print(f"; {os.cpu_count()} cores")
    print(f"load average before: {load_before[0]:.2f} {load_before[1]:.2f} {load_before[2]:.2f}; ", end="")
    print(f"after: {load_after[0]:.2f} {load_after[1]:.2f} {load_after[2]:.2f}")
    print(
        f"flood: {result['requests']} requests in {seconds:.0f} s ({int(result['requests']) / seconds:.0f} req/s), "
        f"p95 {int(result['p95_us']) / 1000:.0f} ms, statuses {statuses}, socket errors {result['socket_errors']}"
    )
    show("before", before, sessions_before)
    show("peak", peak, sessions_before)
    show("after", after, sessions_after)
    for booking in bookings:
        outcome = "booked" if booking["ok"] else f"FAILED ({booking['why']})"
        print(f"family booking {booking['when']}: {outcome} in {booking['seconds']:.1f} s")
    # Bounded: the keys and the sessions grow with the families' bookings (a session, its copy, a
    # counter, the fragments of the pages they see), never with the flood's requests.
    new_keys, new_sessions = peak["dbsize"] - before["dbsize"], sessions_after - sessions_before
    bounded = new_keys <= max(100, int(result["requests"]) // 100) and new_sessions <= len(bookings)
    booked = all(booking["ok"] for booking in bookings)
    print(f"new keys at the peak: {new_keys}; new sessions: {new_sessions} ({len(bookings)} bookings)")
    print(f"Redis bounded: {'yes' if bounded else 'NO'}; every family booked: {'yes' if booked else 'NO'}")
    return 0 if bounded and booked else 1


if __name__ == "__main__":
    sys.exit(main())
