"""The reservation race of bench_availability.py: 16 clients racing for one vintage through
`POST /api/v1/reservations/`, against its like-for-like floor `POST /bench/lock-vintage/` (same
gunicorn, same API-key authentication; lock one vintage row, update it, commit), and the
queries each request makes."""

import http.client
import json
import threading
import time

from django.db import connection
from django.test import Client
from django.test.utils import CaptureQueriesContext

CLIENTS = 16
RESERVATIONS_PER_CLIENT = 40
UNITS_PER_RESERVATION = 2
RACE_PROJECT = "bench-10k"
RACE_VINTAGE = 2010  # 1,000 units, less than the clients ask for
FLOOR_VINTAGE = 2011  # the floor's row: a write that changes nothing, away from the race
COUNT_VINTAGE = 2012  # one more reservation, in-process, to count its queries
RESERVATIONS = "/api/v1/reservations/"
FLOOR = "/bench/lock-vintage/"


def race(port: int, raw_key: str, path: str, body: dict) -> tuple[list[int], float]:
    """CLIENTS keep-alive clients each POST `body` to `path` RESERVATIONS_PER_CLIENT times,
    all starting together; returns the response statuses and the seconds taken."""
    outcomes: list[int] = []
    lock = threading.Lock()
    barrier = threading.Barrier(CLIENTS)
    payload = json.dumps(body)
    headers = {"Authorization": f"Api-Key {raw_key}", "Content-Type": "application/json"}

    def client() -> None:
        conn = http.client.HTTPConnection("127.0.0.1", port, timeout=60)
        barrier.wait()
        for _i in range(RESERVATIONS_PER_CLIENT):
            conn.request("POST", path, body=payload, headers=headers)
            response = conn.getresponse()
            response.read()
            with lock:
                outcomes.append(response.status)

    threads = [threading.Thread(target=client) for _ in range(CLIENTS)]
    started = time.perf_counter()
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join()
    return outcomes, time.perf_counter() - started


def body(vintage: int) -> dict:
    return {
        "project": RACE_PROJECT,
        "vintage": vintage,
        "unit_type": "VER",
        "quantity": UNITS_PER_RESERVATION,
    }


def oversold_units(initially_available: int, created: int) -> int:
    """Units handed out beyond what was available, from the responses and from the ledger."""
    from django.db.models import Sum

    from credits.choices import BlockState
    from credits.models import CreditVintage, SerialBlock

    reserved_blocks = (
        SerialBlock.objects.filter(
            project__code=RACE_PROJECT, vintage=RACE_VINTAGE, state=BlockState.RESERVED
        ).aggregate(total=Sum("quantity"))["total"]
        or 0
    )
    row = CreditVintage.objects.get(project__code=RACE_PROJECT, vintage=RACE_VINTAGE)
    assert row.reserved == reserved_blocks == created * UNITS_PER_RESERVATION, "ledger mismatch"
    return max(0, reserved_blocks - initially_available)


def queries_of(raw_key: str, path: str, vintage: int) -> tuple[int, int]:
    """(queries of one request, of which while the vintage row is locked), in-process."""
    client = Client()
    with CaptureQueriesContext(connection) as captured:
        response = client.post(
            path,
            json.dumps(body(vintage)),
            content_type="application/json",
            HTTP_AUTHORIZATION=f"Api-Key {raw_key}",
        )
    assert response.status_code == 201, response.content
    sqls = [query["sql"] for query in captured.captured_queries]
    locked = next(i for i, sql in enumerate(sqls) if _locks_the_vintage(sql))
    committed = next(i for i, sql in enumerate(sqls) if i > locked and sql == "COMMIT")
    return len(sqls), committed - locked + 1


def _locks_the_vintage(sql: str) -> bool:
    # SELECT ... FOR UPDATE of the row, or the reservation's guarded UPDATE ... RETURNING.
    locking = "FOR UPDATE" in sql or sql.startswith("UPDATE")
    return locking and '"credits_creditvintage"' in sql.split(" WHERE ")[0]


def measure_race(port: int, raw_key: str, available: int) -> None:
    floor_statuses, floor_seconds = race(port, raw_key, FLOOR, body(FLOOR_VINTAGE))
    assert set(floor_statuses) == {201}, set(floor_statuses)
    floor_rate = len(floor_statuses) / floor_seconds
    statuses, seconds = race(port, raw_key, RESERVATIONS, body(RACE_VINTAGE))
    created, refused = statuses.count(201), statuses.count(409)
    other = len(statuses) - created - refused
    rate = created / seconds
    oversold = oversold_units(available, created)
    total, locked = queries_of(raw_key, RESERVATIONS, COUNT_VINTAGE)
    floor_total, floor_locked = queries_of(raw_key, FLOOR, FLOOR_VINTAGE)
    print(
        f"\nReservations: {CLIENTS} concurrent clients × {RESERVATIONS_PER_CLIENT} requests of "
        f"{UNITS_PER_RESERVATION} units for {available} available units"
    )
    print(
        f"  floor (lock one vintage row, update, commit; same API key): {floor_rate:.1f} "
        f"requests/s, {len(floor_statuses)} in {floor_seconds:.2f} s"
    )
    print(
        f"  reservations: {rate:.1f}/s ({len(statuses) / seconds:.1f} requests/s); created "
        f"{created}, refused 409 {refused}, other {other}, in {seconds:.2f} s"
    )
    ratio = rate / floor_rate
    print(
        f"  reservations / floor: {ratio:.0%} (target ≥ 50%) -> {'OK' if ratio >= 0.5 else 'MISS'}"
    )
    print(
        f"  queries per request: reservation {total} ({locked} while the vintage row is locked, "
        f"COMMIT included), floor {floor_total} ({floor_locked})"
    )
    print(
        f"  units reserved: {created * UNITS_PER_RESERVATION} of {available}; "
        f"oversold units: {oversold} -> {'OK' if oversold == 0 else 'FAIL'}"
    )
    if oversold or other:
        raise SystemExit(1)
