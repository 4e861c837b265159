"""Benchmark: the panel's dashboard data and the map's first answer at two demo scales.

Run by `make bench` (DATABASE_URL must point at PostGIS). For each scale in
BENCH_PANEL_SCALES (default "10,100": 2,400 and 24,000 families, about 4,200 and 42,000 parcels,
1 and 10 million tree measurements) it uses a database of its own (`<bench database>_panel_<scale>`,
built the first time by `scale_data.build` — the demo at scale 1 through its services, the rest
in bulk SQL, since `seed_demo --scale 100` does not fit the district and Python would take hours —
kept for the next run), and times in a child process, N times each (p50 and p95):
  - the dashboard's data as the manager sees it (figures, worklist, charts: every query the
    page makes, without the template); "coop board" the same for the first generated
    cooperative's page (a manager looking at one cooperative of 720–800 families);
  - "map": the GeoJSON answer for the project's area, coloured by cooperative (capped at
    MAP_FEATURE_LIMIT features): the map's data on SpatiaLite, which has no vector tiles;
  - the map's vector tiles (PostGIS, what the page draws there), every tile of the project's
    area at the zoom the page opens with on a 1,280 px screen (drawn from the overview cells,
    `backoffice/mapcells.py`): "tiles" cut by the database each time (no cache), "tiles hit"
    read from the Django cache as a second look finds them (both p50 and p95 over every
    tile's samples);
  - the floor: an indexed `count(*)` over the same parcels.
The scales take turns BENCH_PANEL_ROUNDS times (default 3), so that a burst of load on a shared
machine falls on both; it prints each round's times, then per scale the median of the rounds'
p50 and p95, its ratio to the floor, and the ratio between the two scales (the goal: ≤ 300 ms
p95 and ≤ 1.5× from the first scale to the second). The dashboard's part of the
timing includes reading the page's view (`access_panel_view`), as every page does.
"""

import json
import math
import os
import statistics
import subprocess
import sys
import time
from pathlib import Path
from urllib.parse import urlsplit, urlunsplit

sys.path.insert(0, str(Path(__file__).resolve().parent.parent))
os.environ.setdefault("DJANGO_SETTINGS_MODULE", "pichanaki.settings")

import django  # noqa: E402

django.setup()

from django.contrib.auth.models import User  # noqa: E402
from django.db import connection  # noqa: E402
from scale_data import build  # noqa: E402

from backoffice.selectors.access import access_panel_view  # noqa: E402
from backoffice.selectors.charts import charts  # noqa: E402
from backoffice.selectors.dashboard import dashboard  # noqa: E402
from backoffice.selectors.map import map_features  # noqa: E402
from backoffice.selectors.tiles import cached_map_tile, render_tile, tile_key  # noqa: E402
from backoffice.selectors.worklists import worklist  # noqa: E402
from parcels.models import Parcel  # noqa: E402
from smallholders.models import Cooperative, Project  # noqa: E402

SCALES = [float(s) for s in os.environ.get("BENCH_PANEL_SCALES", "10,100").split(",")]
REPEATS = int(os.environ.get("BENCH_PANEL_REPEATS", "20"))
ROUNDS = int(os.environ.get("BENCH_PANEL_ROUNDS", "3"))


def timed(*fns) -> tuple[float, float]:
    """p50 and p95 in ms over REPEATS calls of each function."""
    samples = []
    for fn in fns:
        fn()  # warm the caches the way a second visitor finds them
        for _ in range(REPEATS):
            started = time.perf_counter()
            fn()
            samples.append((time.perf_counter() - started) * 1000)
    samples.sort()
    return statistics.median(samples), samples[int(0.95 * (len(samples) - 1))]


def opening_tiles(extent: tuple[float, float, float, float]) -> list[tuple[int, int, int]]:
    """The tiles the page asks for first: the area fitted in the map of a 1,280 px screen
    (1,080 × 500 px inside its padding), at the next whole zoom above the fitted one (OpenLayers'
    vector tile sources take the sharper level, zDirection 1)."""

    def grid(lon: float, lat: float) -> tuple[float, float]:  # 0..1 across the world
        y = math.log(math.tan(math.radians(lat)) + 1 / math.cos(math.radians(lat))) / math.pi
        return (lon + 180) / 360, (1 - y) / 2

    west, south, east, north = extent
    (left, top), (right, bottom) = grid(west, north), grid(east, south)
    # Zoom z shows 256 * 2**z pixels across the world.
    fitted = min(math.log2(1080 / 256 / (right - left)), math.log2(500 / 256 / (bottom - top)))
    z = math.ceil(fitted)
    columns = range(int(left * 2**z), int(right * 2**z) + 1)
    rows = range(int(top * 2**z), int(bottom * 2**z) + 1)
    return [(z, x, y) for x in columns for y in rows]


def load(scale: float) -> None:
    seconds = build(scale)
    print(f"  demo at scale {scale:g} ready in {seconds:.0f} s", flush=True)


def measure(scale: float) -> dict[str, tuple[float, float]]:
    load(scale)
    user = User.objects.get(username="gestor")
    project = Project.objects.get(code="pch")
    view = access_panel_view(user=user, project_code="pch")
    area = project.area.envelope
    parcels = Parcel.objects.filter(project=project).count()

    def floor() -> None:
        with connection.cursor() as cursor:
            cursor.execute(
                "SELECT count(*) FROM parcels_parcel WHERE project_id = %s", [project.pk]
            )
            cursor.fetchone()

    def board() -> None:
        page = access_panel_view(user=user, project_code="pch")  # each page reads its own
        dashboard(user=user, view=page)
        worklist(user=user, view=page)
        charts(user=user, view=page)

    cooperative = Cooperative.objects.filter(code__startswith="bench-").order_by("code").first()
    coop_code = cooperative.code if cooperative else None

    def coop_board() -> None:
        page = access_panel_view(user=user, project_code="pch", cooperative_code=coop_code)
        dashboard(user=user, view=page)
        worklist(user=user, view=page)
        charts(user=user, view=page)

    def first_tile() -> None:
        map_features(user=user, view=view, bbox=area, measure="cooperative")

    tiles = opening_tiles(area.extent)

    def cut(z: int, x: int, y: int):
        return lambda: render_tile(user=user, view=view, z=z, x=x, y=y)

    def hit(z: int, x: int, y: int):
        def look() -> bytes:  # as the view does: the key (scope, version), then the cache
            key = tile_key(user=user, view=view, z=z, x=x, y=y)
            return cached_map_tile(user=user, view=view, z=z, x=x, y=y, key=key)

        return look

    results = {
        "floor": timed(floor),
        "dashboard": timed(board),
        "coop board": timed(coop_board),
        "map": timed(first_tile),
        "tiles": timed(*(cut(*tile) for tile in tiles)),
        "tiles hit": timed(*(hit(*tile) for tile in tiles)),
    }
    print(f"  {parcels} parcels; {len(tiles)} tiles at zoom {tiles[0][0]} cover the area")
    # The machine may be shared: its load says how much the figures can be trusted.
    print("  load average (1, 5, 15 min): " + ", ".join(f"{n:.1f}" for n in os.getloadavg()))
    for name, (p50, p95) in results.items():
        ratio = p95 / results["floor"][1]
        print(f"  {name:<10} p50 {p50:8.1f} ms  p95 {p95:8.1f} ms  ({ratio:,.0f}× the floor)")
    return results


def scale_database(scale: float) -> str:
    """The URL of this scale's own database, created (with PostGIS) when missing."""
    parts = urlsplit(os.environ["DATABASE_URL"])
    name = f"{parts.path.lstrip('/')}_panel_{scale:g}".replace(".", "_")
    with connection.cursor() as cursor:
        cursor.execute("SELECT 1 FROM pg_database WHERE datname = %s", [name])
        if cursor.fetchone() is None:
            cursor.execute(f'CREATE DATABASE "{name}"')
    return urlunsplit(parts._replace(path=f"/{name}"))


def main() -> None:
    if len(sys.argv) == 3 and sys.argv[1] == "--child":
        with connection.cursor() as cursor:
            cursor.execute("CREATE EXTENSION IF NOT EXISTS postgis")
            cursor.execute("CREATE EXTENSION IF NOT EXISTS btree_gist")
        results = measure(float(sys.argv[2]))
        print("RESULT " + json.dumps(results))
        return
    rounds: dict[float, list[dict[str, list[float]]]] = {scale: [] for scale in SCALES}
    # The scales take turns, ROUNDS times: a burst of load on a shared machine falls on both.
    for turn in range(1, ROUNDS + 1):
        for scale in SCALES:
            print(f"==> scale {scale:g}, round {turn} of {ROUNDS}", flush=True)
            rounds[scale].append(run_child(scale))
    runs = {scale: summary(results) for scale, results in rounds.items()}
    print(f"==> the median of the {ROUNDS} rounds' p50 and p95")
    for scale, results in runs.items():
        for name, (p50, p95) in results.items():
            ratio = p95 / results["floor"][1]
            print(
                f"  {scale:g}× {name:<10} p50 {p50:8.1f} ms  p95 {p95:8.1f} ms"
                f"  ({ratio:,.0f}× the floor)"
            )
    if len(SCALES) == 2:
        small, large = SCALES
        for name in ("dashboard", "coop board", "map", "tiles", "tiles hit"):
            growth = runs[large][name][1] / runs[small][name][1]
            verdict = "ok" if runs[large][name][1] <= 300 and growth <= 1.5 else "MISSED"
            print(f"{name}: p95 {growth:.2f}× from scale {small:g} to {large:g} ({verdict})")


def run_child(scale: float) -> dict[str, list[float]]:
    env = {**os.environ, "DATABASE_URL": scale_database(scale)}
    child = subprocess.run(
        [sys.executable, __file__, "--child", str(scale)],
        env=env,
        capture_output=True,
        text=True,
        check=True,
    )
    lines = child.stdout.splitlines()
    print("\n".join(line for line in lines if not line.startswith("RESULT ")), flush=True)
    result: dict[str, list[float]] = json.loads(lines[-1].removeprefix("RESULT "))
    return result


def summary(results: list[dict[str, list[float]]]) -> dict[str, tuple[float, float]]:
    """Per measure, the median over the rounds of their p50 and of their p95."""
    return {
        name: (
            statistics.median(r[name][0] for r in results),
            statistics.median(r[name][1] for r in results),
        )
        for name in results[0]
    }


if __name__ == "__main__":
    main()
