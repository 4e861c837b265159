"""Benchmark of the buyer API under gunicorn on PostGIS.

1. `GET /api/v1/availability/` latency (median, p99) against a bare DRF endpoint returning a
   constant (the floor), measured in the same run with a keep-alive client; target ≤ 2×.
2. The same with 10,000 and with 10,000,000 units issued (1,000 blocks each): the latency must
   not depend on the number of units.
3. Reservations per second with 16 concurrent clients racing for one vintage, and the number
   of oversold units (must be 0), against the like-for-like floor measured in the same run:
   the same clients POSTing, with the same API key, to an endpoint that locks one vintage row,
   updates it and commits (`availability_race.py`); target ≥ 50% of the floor's rate. Also the
   queries one reservation makes.

Runs in a scratch database created next to DATABASE_URL's and dropped at the end. Blocks are
bulk-inserted through the ledger models, consistent with the ledger's invariants (one ISSUE
event and one Issuance per vintage, CreditVintage counters = sums of blocks).
Usage: DATABASE_URL=postgis://... .venv/bin/python bench/bench_availability.py
"""

import http.client
import os
import socket
import statistics
import subprocess
import sys
import time
from pathlib import Path
from urllib.parse import urlsplit, urlunsplit

ROOT = Path(__file__).resolve().parent.parent
VENV = ROOT / ".venv" / "bin"
BLOCKS_PER_PROJECT = 1_000
VINTAGES = range(2010, 2020)
REQUESTS = 2_000
WARMUP = 200
# Throttles still run on every request, with limits no benchmark reaches.
NO_THROTTLING = {
    "API_THROTTLE_ANONYMOUS": "10000000/min",
    "API_THROTTLE_BUYER": "10000000/min",
    "API_THROTTLE_BUYER_WRITE": "10000000/min",
}


def scratch_url(base: str) -> tuple[str, str]:
    parts = urlsplit(base)
    name = f"{parts.path.lstrip('/')}_avail_{os.getpid()}"
    return name, urlunsplit(parts._replace(path=f"/{name}"))


def admin_connection(base: str):  # noqa: ANN201 (psycopg connection)
    import psycopg

    parts = urlsplit(base)
    return psycopg.connect(
        host=parts.hostname,
        port=parts.port or 5432,
        user=parts.username,
        password=parts.password,
        dbname="postgres",
        autocommit=True,
    )


def free_port() -> int:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return sock.getsockname()[1]


def setup_django(url: str) -> None:
    os.environ["DATABASE_URL"] = url
    os.environ["DJANGO_SETTINGS_MODULE"] = "bench.availability_settings"
    os.environ.update(NO_THROTTLING)
    sys.path.insert(0, str(ROOT))
    import django

    django.setup()


def populate(code: str, units: int) -> None:
    """A project with `units` verified units over 10 vintages, 1,000 blocks in all."""
    import datetime as dt

    from django.contrib.gis.geos import MultiPolygon, Polygon
    from django.db import transaction
    from django.utils import timezone

    from credits.chain import append_event
    from credits.choices import EventKind, UnitType
    from credits.models import CreditVintage, Issuance, SerialBlock
    from credits.services import ensure_project_accounts, ensure_project_registry
    from quantification.models import CalculationRun, ParameterSet, RunKind, RunStatus
    from smallholders.choices import Standard
    from smallholders.models import Project

    with transaction.atomic():
        project = Project.objects.create(
            code=code,
            name=f"Bench {code}",
            standard=Standard.GOLD_STANDARD,
            crediting_start=dt.date(2010, 1, 1),
            crediting_end=dt.date(2039, 12, 31),
            area=MultiPolygon(Polygon.from_bbox((-75.1, -11.1, -74.6, -10.7)), srid=4326),
        )
        ensure_project_registry(project=project)
        issuance_account, _buffer = ensure_project_accounts(project=project)
        parameters = ParameterSet.objects.create(
            project=project, version=1, parameters={}, fingerprint="0" * 64
        )
        run = CalculationRun.objects.create(
            project=project,
            kind=RunKind.EX_POST,
            period_start=dt.date(2010, 1, 1),
            period_end=dt.date(2019, 12, 31),
            parameter_set=parameters,
            method_version="bench",
            status=RunStatus.APPROVED,
        )
        now = timezone.now()
        per_vintage = units // len(VINTAGES)
        blocks_per_vintage = BLOCKS_PER_PROJECT // len(VINTAGES)
        size = per_vintage // blocks_per_vintage
        for year in VINTAGES:
            ranges = [(i * size + 1, (i + 1) * size) for i in range(blocks_per_vintage)]
            event = append_event(
                kind=EventKind.ISSUE,
                project_id=project.pk,
                unit_type=UnitType.VERIFIED,
                vintage=year,
                quantity=per_vintage,
                from_account_id=None,
                to_account_id=issuance_account.pk,
                serials=[list(r) for r in ranges],
                actor_id=None,
                actor_label="bench",
                reason="",
                reference={},
                created_at=now,
            )
            issuance = Issuance.objects.create(
                run=run,
                project=project,
                unit_type=UnitType.VERIFIED,
                vintage=year,
                quantity=per_vintage,
                buffer_quantity=0,
                event=event,
                issued_at=now,
            )
            SerialBlock.objects.bulk_create(
                SerialBlock(
                    project=project,
                    unit_type=UnitType.VERIFIED,
                    vintage=year,
                    serial_start=start,
                    serial_end=end,
                    quantity=end - start + 1,
                    account=issuance_account,
                    issuance=issuance,
                    created_event=event,
                    created_at=now,
                )
                for start, end in ranges
            )
            CreditVintage.objects.create(
                project=project,
                unit_type=UnitType.VERIFIED,
                vintage=year,
                next_serial=per_vintage + 1,
                issued=per_vintage,
                available=per_vintage,
            )


def start_gunicorn(url: str, port: int) -> subprocess.Popen:
    env = {
        **os.environ,
        "DATABASE_URL": url,
        "DJANGO_SETTINGS_MODULE": "bench.availability_settings",
        "DEBUG": "0",
        "CACHE_URL": os.environ.get("BENCH_CACHE_URL", "redis://127.0.0.1:6379/14"),
        **NO_THROTTLING,
        "LOG_LEVEL": "ERROR",  # 409s are expected in the race; do not log each
    }
    process = subprocess.Popen(
        [
            str(VENV / "gunicorn"),
            "pichanaki.wsgi:application",
            "--bind",
            f"127.0.0.1:{port}",
            "--workers",
            "2",
            "--worker-class",
            "gthread",
            "--threads",
            "8",
            "--keep-alive",
            "30",
            "--log-level",
            "warning",
        ],
        cwd=ROOT,
        env=env,
    )
    deadline = time.monotonic() + 60
    while time.monotonic() < deadline:
        try:
            conn = http.client.HTTPConnection("127.0.0.1", port, timeout=5)
            conn.request("GET", "/bench/constant/")
            if conn.getresponse().status == 200:
                return process
        except OSError:
            time.sleep(0.3)
    process.terminate()
    raise RuntimeError("gunicorn did not start")


def timed_gets(port: int, paths: list[str], rounds: int) -> dict[str, list[float]]:
    """Latencies (ms) per path, interleaved in batches of 50 so drift hits every path alike."""
    conn = http.client.HTTPConnection("127.0.0.1", port, timeout=30)
    samples: dict[str, list[float]] = {path: [] for path in paths}
    for _batch in range(rounds // 50):
        for path in paths:
            for _i in range(50):
                started = time.perf_counter()
                conn.request("GET", path)
                response = conn.getresponse()
                response.read()
                samples[path].append((time.perf_counter() - started) * 1000)
                assert response.status == 200, (path, response.status)
    return samples


def p99(values: list[float]) -> float:
    return sorted(values)[int(len(values) * 0.99) - 1]


def report_latency(label: str, samples: dict[str, list[float]], floor: str) -> dict:
    floor_median = statistics.median(samples[floor])
    print(f"\n{label}")
    print(f"  {'endpoint':58} {'median ms':>10} {'p99 ms':>8} {'ratio':>6}")
    result = {}
    for path, values in samples.items():
        median = statistics.median(values)
        result[path] = (median, p99(values), median / floor_median)
        print(f"  {path:58} {median:10.2f} {p99(values):8.2f} {median / floor_median:6.2f}")
    return result


def uncached_latency() -> None:
    """The database path behind the micro-cache, in-process (no HTTP), 10k vs 10M units."""
    from rest_framework.test import APIClient

    from credits.api.microcache import availability_cache

    client = APIClient()
    print("\nAvailability without the micro-cache (in-process, database path, 300 calls each)")
    for code in ("bench-10k", "bench-10m"):
        samples = []
        for _i in range(300):
            availability_cache.clear()
            started = time.perf_counter()
            response = client.get("/api/v1/availability/", {"project": code})
            samples.append((time.perf_counter() - started) * 1000)
            assert response.status_code == 200
        print(
            f"  project={code:10} median {statistics.median(samples):6.2f} ms, "
            f"p99 {p99(samples):6.2f} ms"
        )


def measure(port: int) -> None:
    from bench.availability_race import measure_race
    from credits.api.keys import create_api_key
    from credits.services import create_buyer_organisation

    floor, avail = "/bench/constant/", "/api/v1/availability/"
    small, large = f"{avail}?project=bench-10k", f"{avail}?project=bench-10m"
    timed_gets(port, [floor, avail, small, large], WARMUP)
    samples = timed_gets(port, [floor, avail, small, large], REQUESTS)
    result = report_latency(
        f"Availability latency, {REQUESTS} sequential keep-alive requests per endpoint "
        "(gunicorn 2 workers × 8 threads; ratio = median / floor median)",
        samples,
        floor,
    )
    ratio = result[avail][2]
    scale = result[large][0] / result[small][0]
    print(f"  availability / floor: {ratio:.2f}× (target ≤ 2×) -> {'OK' if ratio <= 2 else 'MISS'}")
    print(f"  10,000,000 units / 10,000 units: {scale:.2f}× (independent if ≈ 1)")

    uncached_latency()
    organisation = create_buyer_organisation(name="Bench Buyer")
    _key, raw = create_api_key(name="bench", organisation=organisation)
    measure_race(port, raw, available=10_000 // len(VINTAGES))


def main() -> None:
    base = os.environ.get("DATABASE_URL", "")
    if not base.startswith(("postgis://", "postgres")):
        raise SystemExit("bench_availability needs DATABASE_URL=postgis://... (PostGIS)")
    name, url = scratch_url(base)
    with admin_connection(base) as conn:
        conn.execute(f'CREATE DATABASE "{name}"')
    server = None
    try:
        subprocess.run(
            [str(VENV / "python"), "manage.py", "migrate", "--noinput", "-v", "0"],
            cwd=ROOT,
            env={**os.environ, "DATABASE_URL": url},
            check=True,
        )
        setup_django(url)
        started = time.perf_counter()
        populate("bench-10k", 10_000)
        populate("bench-10m", 10_000_000)
        print(
            f"Issued 10,000 and 10,000,000 units, {BLOCKS_PER_PROJECT} blocks each, "
            f"in {time.perf_counter() - started:.1f} s (scratch database {name})"
        )
        port = free_port()
        server = start_gunicorn(url, port)
        measure(port)
    finally:
        if server is not None:
            server.terminate()
            server.wait(timeout=30)
        from django.db import connections

        connections.close_all()
        with admin_connection(base) as conn:
            conn.execute(f'DROP DATABASE IF EXISTS "{name}" WITH (FORCE)')


if __name__ == "__main__":
    main()
