"""Benchmark: do pages slow down as the project grows? The demo at 1× and 10× on PostGIS.

Run by `make bench` (DATABASE_URL must point at PostGIS). Each scale lives in its own database
beside the bench database (`<name>_pages_1x`, `<name>_pages_10x`), created, migrated and seeded
(`seed_demo --scale N`) on the first run and reused afterwards (the seed is idempotent), so
a second run only measures. Every page the walker of the test suite finds (admin lists, change
and add pages, operations, public registry) is fetched in-process with Django's test client for
the superuser, the manager and an anonymous visitor: the best of ROUNDS passes, the two scales
taking turns (on a shared machine a busy minute then slows both scales, not only one), each
pass one warm-up and REPEATS timed requests per page.

The machine is shared, so one unlucky pass can make a page look slower at 10× than it is. Every
page over the goal (among the slowest shown, and the others of MIN_OTHER seconds or more) is
measured again before the verdict: only those pages, RECHECK_ROUNDS more passes of
RECHECK_REPEATS requests, the scales taking turns, and each scale's best time over all passes
kept. A page that really grows stays over the goal; a page that was only unlucky comes back
under it. The re-measured pages are listed with their first and final ratio.

Prints the slowest pages at 10× with their 1× time and the 10×/1× ratio, then any faster page
over the goal taking MIN_OTHER or more (for information); `BENCH_PAGES_JSON=<file>` also writes
every page's times. Goal: ratio ≤ 1.5 for each of the slowest.
"""

import json
import os
import subprocess
import sys
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))
os.environ.setdefault("DJANGO_SETTINGS_MODULE", "pichanaki.settings")

SCALES = (1, 10)
SHOWN = 10
GOAL = 1.5
MIN_OTHER = 0.1  # seconds
REPEATS = 2
ROUNDS = 3
RECHECK_ROUNDS = 6
RECHECK_REPEATS = 3
PERSONAS = ("raiz", "gestor", "anonymous")


def scale_url(base: str, scale: int) -> str:
    root, name = base.rsplit("/", 1)
    return f"{root}/{name.split('?')[0]}_pages_{scale}x"


def ensure_database(base: str, url: str) -> None:
    import psycopg

    name = url.rsplit("/", 1)[1]
    admin_url = base.replace("postgis://", "postgresql://", 1).rsplit("/", 1)[0] + "/postgres"
    with psycopg.connect(admin_url, autocommit=True) as conn:
        if not conn.execute("SELECT 1 FROM pg_database WHERE datname = %s", [name]).fetchone():
            conn.execute(f'CREATE DATABASE "{name}"')
    with psycopg.connect(url.replace("postgis://", "postgresql://", 1), autocommit=True) as conn:
        conn.execute("CREATE EXTENSION IF NOT EXISTS postgis")
        conn.execute("CREATE EXTENSION IF NOT EXISTS btree_gist")


def prepare(url: str, scale: int) -> None:
    env = {**os.environ, "DATABASE_URL": url}
    manage = [sys.executable, str(ROOT / "manage.py")]
    started = time.perf_counter()
    subprocess.run([*manage, "migrate", "--noinput", "-v", "0"], env=env, check=True)
    subprocess.run(
        [*manage, "seed_demo", "--scale", str(scale)],
        env=env,
        check=True,
        stdout=subprocess.DEVNULL,
    )
    print(f"demo at {scale}×: ready in {time.perf_counter() - started:.0f} s")


def measure_here() -> dict[str, float]:
    """In the child process: seconds per page (best of BENCH_PAGES_REPEATS, else REPEATS) on
    this DATABASE_URL; only the pages named in BENCH_PAGES_ONLY (a JSON list) when it is set."""
    import django

    django.setup()
    from django.contrib.auth.models import User
    from django.test import Client

    from tests.pichanaki.walker import SUPERUSER, persona, site_pages

    if not User.objects.filter(username=SUPERUSER).exists():
        User.objects.create_superuser(SUPERUSER, password=None)
    only = set(json.loads(os.environ.get("BENCH_PAGES_ONLY", "null")) or [])
    repeats = int(os.environ.get("BENCH_PAGES_REPEATS", REPEATS))
    timings: dict[str, float] = {}
    for username in PERSONAS:
        if only and not any(key.startswith(f"{username}: ") for key in only):
            continue
        user = persona(username)
        client = Client(HTTP_ACCEPT_LANGUAGE="es")
        if not user.is_anonymous:
            client.force_login(user)
        for page in site_pages(user):
            if only and f"{username}: {page.key}" not in only:
                continue
            client.get(page.url)  # warm-up
            best = float("inf")
            for _ in range(repeats):
                started = time.perf_counter()
                status = client.get(page.url).status_code
                best = min(best, time.perf_counter() - started)
            if status == 200:
                timings[f"{username}: {page.key}"] = best
    return timings


def measure(url: str, *, only: list[str] | None = None, repeats: int = REPEATS) -> dict[str, float]:
    env = {**os.environ, "DATABASE_URL": url, "ALLOWED_HOSTS": "testserver"}
    env["BENCH_PAGES_REPEATS"] = str(repeats)
    if only:
        env["BENCH_PAGES_ONLY"] = json.dumps(only)
    out = subprocess.run(
        [sys.executable, __file__, "--measure"], env=env, check=True, capture_output=True, text=True
    ).stdout
    return json.loads(out.strip().splitlines()[-1])


def print_others(small: dict[str, float], large: dict[str, float], *, shown: list[str]) -> None:
    """The pages not among the slowest whose ratio is over the goal, worst first (those of at
    least MIN_OTHER seconds at 10×: the ratios of pages of a few ms are mostly noise)."""
    others = [k for k in small.keys() & large.keys() if k not in shown and large[k] >= MIN_OTHER]
    for key in sorted(others, key=lambda k: large[k] / small[k], reverse=True):
        ratio = large[key] / small[key]
        if ratio > GOAL:
            print(f"  also over ×{GOAL}: {key[:44]:44} {small[key] * 1000:6.0f}ms "
                  f"{large[key] * 1000:6.0f}ms  ×{ratio:.2f}")  # fmt: skip


def passes(
    timings: dict[int, dict[str, float]],
    urls: dict[int, str],
    *,
    rounds: int,
    only: list[str] | None = None,
    repeats: int = REPEATS,
) -> None:
    """`rounds` passes, the scales taking turns; each page keeps its best time at each scale."""
    for _ in range(rounds):
        for scale, url in urls.items():
            for key, seconds in measure(url, only=only, repeats=repeats).items():
                timings[scale][key] = min(seconds, timings[scale].get(key, seconds))


def ratio(timings: dict[int, dict[str, float]], key: str) -> float:
    return timings[SCALES[-1]][key] / timings[SCALES[0]][key]


def over_goal(timings: dict[int, dict[str, float]]) -> list[str]:
    """The pages the verdict or the list of others would report over the goal."""
    small, large = timings[SCALES[0]], timings[SCALES[-1]]
    keys = sorted(small.keys() & large.keys(), key=lambda k: large[k], reverse=True)
    return sorted(
        k
        for i, k in enumerate(keys)
        if ratio(timings, k) > GOAL and (i < SHOWN or large[k] >= MIN_OTHER)
    )


def main() -> int:
    base = os.environ.get("DATABASE_URL", "")
    if not base.startswith("postgis://"):
        print("bench_pages needs PostGIS (DATABASE_URL)")
        return 1
    urls = {scale: scale_url(base, scale) for scale in SCALES}
    for scale, url in urls.items():
        ensure_database(base, url)
        prepare(url, scale)
    timings: dict[int, dict[str, float]] = {scale: {} for scale in SCALES}
    passes(timings, urls, rounds=ROUNDS)
    first = {k: ratio(timings, k) for k in timings[SCALES[0]].keys() & timings[SCALES[-1]].keys()}
    rechecked = over_goal(timings)
    if rechecked:  # measured again, only those pages, before any of them is called MISSED
        passes(timings, urls, rounds=RECHECK_ROUNDS, only=rechecked, repeats=RECHECK_REPEATS)
    small, large = timings[SCALES[0]], timings[SCALES[-1]]
    keys = sorted(small.keys() & large.keys(), key=lambda k: large[k], reverse=True)[:SHOWN]
    print(f"{'page (slowest at 10×)':58} {'1×':>8} {'10×':>8}  ratio")
    worst = 0.0
    for key in keys:
        worst = max(worst, ratio(timings, key))
        print(
            f"{key[:58]:58} {small[key] * 1000:6.0f}ms {large[key] * 1000:6.0f}ms  "
            f"×{ratio(timings, key):.2f}"
        )
    print_others(small, large, shown=keys)
    for key in rechecked:
        print(f"  measured again: {key[:42]:42} ×{first[key]:.2f} → ×{ratio(timings, key):.2f}")
    if os.environ.get("BENCH_PAGES_JSON"):  # every page's seconds, for a closer look
        Path(os.environ["BENCH_PAGES_JSON"]).write_text(json.dumps(timings, indent=1))
    print(
        f"pages measured: {len(small.keys() & large.keys())}; worst ratio of the slowest "
        f"{len(keys)}: ×{worst:.2f} (goal ≤ ×{GOAL}): {'met' if worst <= GOAL else 'MISSED'}"
    )
    return 0 if worst <= GOAL else 1


if __name__ == "__main__":
    if "--measure" in sys.argv:
        print(json.dumps(measure_here()))
        sys.exit(0)
    sys.exit(main())
