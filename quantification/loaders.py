"""Read a run's inputs from the field data into numpy arrays, fast, in a canonical form.

Trees come through one `COPY (SELECT ...) TO STDOUT (FORMAT binary)` on PostgreSQL, every
column cast to a fixed width so the whole stream is one numpy structured array (no Python
object per row); on SpatiaLite through `.values_list`. Both give identical arrays, ordered by
id, which is what the input hash is computed over.
"""

import select
from dataclasses import dataclass
from datetime import date
from decimal import Decimal

import numpy as np
import psycopg
from django.db import connection
from psycopg import pq

from parcels.choices import TreeOrigin, TreeStatus
from parcels.models import MonitoringPlot, Planting, Species, SurvivalCount, TreeMeasurement
from quantification.models import CalculationRun, RunKind, RunStatus
from quantification.readiness import included_parcels

STATUS_CODES = {TreeStatus.ALIVE: 0, TreeStatus.DEAD: 1, TreeStatus.CUT: 2}
ORIGIN_CODES = {TreeOrigin.PLANTED: 0, TreeOrigin.PRE_EXISTING: 1}

TREE_COLUMNS = (
    ("id", ">i8"),
    ("plot_id", ">i8"),
    ("species_id", ">i8"),
    ("dbh_cm", ">f8"),
    ("height_m", ">f8"),
    ("wood_density", ">f8"),
    ("status", ">i2"),
    ("origin", ">i2"),
)
TREE_SQL = """
SELECT t.id, t.plot_id, t.species_id, t.dbh_cm::float8,
       coalesce(t.height_m::float8, 'NaN'), coalesce(t.wood_density::float8, 'NaN'),
       (CASE t.status WHEN 'alive' THEN 0 WHEN 'dead' THEN 1 ELSE 2 END)::int2,
       (CASE t.origin WHEN 'planted' THEN 0 ELSE 1 END)::int2
FROM parcels_treemeasurement t
WHERE t.plot_id = ANY(%s)
ORDER BY t.id
"""
BINARY_HEADER = 19  # signature (11) + flags (4) + header extension length (4)


@dataclass(frozen=True)
class Trees:
    """One row per stem measurement (arrays of equal length, ordered by id)."""

    id: np.ndarray
    plot_id: np.ndarray
    species_id: np.ndarray
    dbh_cm: np.ndarray
    height_m: np.ndarray  # NaN: not measured
    wood_density: np.ndarray  # NaN: not measured
    status: np.ndarray  # STATUS_CODES
    origin: np.ndarray  # ORIGIN_CODES


@dataclass(frozen=True)
class FieldData:
    """Everything an ex-post run reads: parcels, plot visits, trees, species."""

    parcels: list[dict]
    plots: list[dict]
    trees: Trees
    species: list[dict]
    dropped_visits: int


@dataclass(frozen=True)
class PlantingData:
    """Everything an ex-ante run reads: parcels, plantings with their counts, species."""

    parcels: list[dict]
    plantings: list[dict]
    species: list[dict]


def load_parcels(project_id: int) -> list[dict]:
    """The parcels a run includes: validated ones only (see `readiness`)."""
    rows = included_parcels(project_id)
    return list(rows.order_by("pk").values("id", "code", "stratum_id", "area_ha", "status"))


def load_species() -> list[dict]:
    fields = [f.name for f in Species._meta.concrete_fields if f.name != "id"]
    return list(Species.objects.order_by("pk").values("id", *fields))


def load_plot_visits(parcel_ids: list[int], start: date, end: date) -> tuple[list[dict], int]:
    """The latest visit of each plot (parcel, code) measured inside [start, end]."""
    visits = MonitoringPlot.objects.filter(
        parcel_id__in=parcel_ids, measured_on__gte=start, measured_on__lte=end
    ).order_by("parcel_id", "code", "-measured_on", "-pk")
    latest: dict[tuple[int, str], dict] = {}
    total = 0
    for row in visits.values("id", "parcel_id", "code", "area_m2", "measured_on"):
        total += 1
        latest.setdefault((row["parcel_id"], row["code"]), row)
    plots = sorted(latest.values(), key=lambda row: row["id"])
    return plots, total - len(plots)


def load_trees(plot_ids: list[int]) -> Trees:
    if connection.vendor == "postgresql":
        return _trees_by_copy(plot_ids)
    return _trees_by_orm(plot_ids)


def _trees_by_copy(plot_ids: list[int]) -> Trees:
    dtype = np.dtype([("n", ">i2")] + [(n, [("len", ">i4"), ("v", t)]) for n, t in TREE_COLUMNS])
    sql = TREE_SQL.replace("%s", "%s::bigint[]")
    with connection.cursor() as cursor:
        raw = cursor.cursor  # the psycopg cursor: Django's wrapper has no copy()
        with raw.copy(f"COPY ({sql}) TO STDOUT (FORMAT binary)", (plot_ids,)):
            buffer = _drain_copy_out(raw.connection.pgconn)
    body = memoryview(buffer)[BINARY_HEADER:-2]  # trailer: int16 -1
    rows = np.frombuffer(body, dtype=dtype)
    return Trees(**{n: rows[n]["v"].astype(t.replace(">", "<")) for n, t in TREE_COLUMNS})


def _drain_copy_out(pgconn) -> bytearray:
    """Every row of the COPY TO in progress on `pgconn`, concatenated, and its final result.

    libpq hands COPY data over one row at a time; psycopg's `Copy` iteration spends several
    Python calls per row (a million trees: a second). This loop takes every row already
    received in one call each, waits on the socket only when none is left, and reads the
    command's result itself once the data ends (the `Copy` then has nothing left to do).
    """
    buffer = bytearray()
    while True:
        nbytes, data = pgconn.get_copy_data(1)
        if nbytes > 0:
            buffer += data
        elif nbytes == 0:  # no complete row received yet
            select.select([pgconn.socket], [], [])
            pgconn.consume_input()
        else:
            break
    _finish_command(pgconn)
    return buffer


def _finish_command(pgconn) -> None:
    """Read the results of the command that just ended; raise the server's error if any."""
    error = None
    while (result := pgconn.get_result()) is not None:
        if result.status != pq.ExecStatus.COMMAND_OK and error is None:
            error = psycopg.errors.error_from_result(result)
    if error is not None:
        raise error


def _trees_by_orm(plot_ids: list[int]) -> Trees:
    rows = (
        TreeMeasurement.objects.filter(plot_id__in=plot_ids)
        .order_by("pk")
        .values_list(
            "id", "plot_id", "species_id", "dbh_cm", "height_m", "wood_density", "status", "origin"
        )
    )
    columns = list(zip(*rows, strict=True)) or [()] * len(TREE_COLUMNS)
    arrays = {}
    for (name, dtype), values in zip(TREE_COLUMNS, columns, strict=True):
        if name == "status":
            values = [STATUS_CODES[v] for v in values]
        elif name == "origin":
            values = [ORIGIN_CODES[v] for v in values]
        elif dtype.endswith("f8"):
            values = [np.nan if v is None else float(v) for v in values]
        arrays[name] = np.asarray(values, dtype=dtype.replace(">", "<"))
    return Trees(**arrays)


def load_field_data(project_id: int, start: date, end: date) -> FieldData:
    parcels = load_parcels(project_id)
    plots, dropped = load_plot_visits([p["id"] for p in parcels], start, end)
    trees = load_trees([p["id"] for p in plots])
    return FieldData(parcels, plots, trees, load_species(), dropped)


def load_planting_data(project_id: int) -> PlantingData:
    parcels = load_parcels(project_id)
    plantings = list(
        Planting.objects.filter(parcel_id__in=[p["id"] for p in parcels])
        .order_by("pk")
        .values("id", "parcel_id", "species_id", "planted_on", "trees_planted", "replanting_of_id")
    )
    counts: dict[int, list] = {}
    survival = SurvivalCount.objects.filter(planting_id__in=[p["id"] for p in plantings])
    for row in survival.order_by("planting_id", "counted_on").values_list(
        "planting_id", "counted_on", "trees_alive"
    ):
        counts.setdefault(row[0], []).append((row[1], row[2]))
    for planting in plantings:
        planting["counts"] = counts.get(planting["id"], [])
    return PlantingData(parcels, plantings, load_species())


@dataclass(frozen=True)
class RunContext:
    """What an ex-post run takes from earlier approved runs (all immutable once approved).

    `previous_*`: the last verified run (C(t1)); `cap`: the net ex-ante cap (LTA or end
    stock, net of baseline and leakage) of the latest approved ex-ante run; `cumulative`: the
    tonnes credited (buffer + issuable) by approved ex-post runs before this period;
    `deficit`: reversals not yet recovered.
    """

    previous_plots: list[dict]
    previous_parcels: list[dict]
    previous_stock: Decimal | None
    previous_baseline_stock: Decimal
    previous_uncertainty_pct: Decimal | None
    deficit: Decimal
    cap: Decimal | None
    cap_run_id: int | None
    cumulative: Decimal

    def header(self) -> dict:
        """The scalars that enter the input hash (the lists go in as tables)."""
        return {
            "previous_stock": self.previous_stock,
            "previous_baseline_stock": self.previous_baseline_stock,
            "previous_uncertainty_pct": self.previous_uncertainty_pct,
            "deficit": self.deficit,
            "cap": self.cap,
            "cap_run": self.cap_run_id,
            "cumulative": self.cumulative,
        }


def load_run_context(run: CalculationRun) -> RunContext:
    previous = run.previous_run
    cap_run = _cap_run(run.project_id)
    return RunContext(
        previous_plots=_previous_plots(previous),
        previous_parcels=_previous_parcels(previous),
        previous_stock=previous.stock_tco2e if previous else None,
        previous_baseline_stock=_detail(previous, "baseline_stock_tco2e"),
        previous_uncertainty_pct=previous.uncertainty_pct if previous else None,
        deficit=_detail(previous, "issuance", "deficit_after"),
        cap=Decimal(cap_run.details["exante_credits"]["net"]) if cap_run else None,
        cap_run_id=cap_run.pk if cap_run else None,
        cumulative=_credited_before(run),
    )


def _detail(run: CalculationRun | None, *keys: str) -> Decimal:
    value = run.details if run else {}
    for key in keys:
        value = value.get(key, {}) if isinstance(value, dict) else {}
    return Decimal(value) if isinstance(value, str) else Decimal(0)


def _previous_plots(previous: CalculationRun | None) -> list[dict]:
    if previous is None:
        return []
    rows = previous.plots.order_by("plot_id").values(
        "plot_id", "parcel_id", "plot__code", "co2e_t_ha", "baseline_co2e_t_ha"
    )
    return list(rows)


def _previous_parcels(previous: CalculationRun | None) -> list[dict]:
    if previous is None:
        return []
    rows = previous.parcels.order_by("parcel_id")
    return list(rows.values("parcel_id", "stock_tco2e", "baseline_stock_tco2e"))


def _cap_run(project_id: int) -> CalculationRun | None:
    runs = CalculationRun.objects.filter(
        project_id=project_id, kind=RunKind.EX_ANTE, status=RunStatus.APPROVED
    )
    return runs.order_by("-period_end", "-pk").first()


def _credited_before(run: CalculationRun) -> Decimal:
    earlier = CalculationRun.objects.filter(
        project_id=run.project_id,
        kind=RunKind.EX_POST,
        status=RunStatus.APPROVED,
        period_end__lte=run.period_start,
    ).values_list("buffer_tco2e", "issuable_tco2e")
    return Decimal(sum((b or 0) + (i or 0) for b, i in earlier))
