"""Store a computed run: every result row and the summary, in one transaction.

Why one transaction: results are what credits are issued from, so a run must have all of
them or none. Nothing is written before this point, so a run that fails or whose worker is
killed earlier leaves no rows; a failure inside rolls every row back.
"""

from collections.abc import Callable
from dataclasses import dataclass, field
from decimal import Decimal

import numpy as np
from django.db import transaction
from django.utils import timezone

from quantification.allocation import largest_remainder, split_signed
from quantification.exceptions import RunStateConflict
from quantification.models import (
    CalculationRun,
    ParcelResult,
    ParcelVintage,
    PlotResult,
    RunStatus,
    RunVintage,
    StratumResult,
)
from quantification.writers import TreeRows, prepare_rows, tree_rows_written


@dataclass
class Outcome:
    """What a computation produced, in database units (Decimals for tonnes).

    `parcels[i]["weight"]` is the share key of parcel i in the project's net removals;
    `vintage_weights[year]` the per-parcel share key of that vintage (aligned with parcels).
    """

    input_hash: str
    summary: dict
    parcels: list[dict]
    strata: list[dict]
    plots: list[dict]
    vintages: list[dict]
    vintage_weights: dict[int, np.ndarray]
    warnings: list[dict] = field(default_factory=list)


@dataclass(frozen=True)
class Pending:
    """A computation whose per-tree rows are known and whose `Outcome` is still to compute.

    `finish` is pure computation (no database access): `store_results` runs it while the
    tree rows are on their way to the database.
    """

    trees: TreeRows | None
    finish: Callable[[], Outcome]


def store_results(*, run: CalculationRun, pending: Pending) -> None:
    """Finish `pending` and write it for a running run, marked succeeded (durable transaction).

    Locks the run row first: if it is no longer running (failed by a time limit, say), raise
    RunStateConflict and write nothing. An error of `pending.finish` rolls everything back.
    """
    with transaction.atomic(durable=True):
        locked = CalculationRun.objects.select_for_update().get(pk=run.pk)
        if locked.status != RunStatus.RUNNING:
            raise RunStateConflict
        # The tree rows stream in (on PostgreSQL, from a thread) while the aggregates are
        # computed here: only Python work overlaps; every row is in this one transaction.
        with tree_rows_written(run.pk, pending.trees):
            outcome = pending.finish()
            writes = _prepare_writes(run.pk, outcome)
        for write in writes:
            write()
        CalculationRun.objects.filter(pk=run.pk).update(
            **outcome.summary,
            input_hash=outcome.input_hash,
            warnings=outcome.warnings,
            status=RunStatus.SUCCEEDED,
            progress=100,
            finished_at=timezone.now(),
        )


def _prepare_writes(run_id: int, outcome: Outcome) -> list[Callable[[], None]]:
    """The inserts of every aggregate row, in table order, their COPY text built now."""
    return [
        prepare_rows(PlotResult, run_id, outcome.plots),
        prepare_rows(StratumResult, run_id, outcome.strata),
        *_prepare_vintages_and_parcels(run_id, outcome),
    ]


def _prepare_vintages_and_parcels(run_id: int, outcome: Outcome) -> list[Callable[[], None]]:
    parcel_ids = [p["parcel_id"] for p in outcome.parcels]
    issuable = np.zeros(len(parcel_ids), dtype=np.int64)
    vintage_rows = []
    for vintage in outcome.vintages:
        weights = outcome.vintage_weights[vintage["year"]]
        shares = allocate(vintage["issuable_tco2e"], weights)
        issuable += shares
        vintage_rows += [
            {"parcel_id": pid, "year": vintage["year"], "issuable_tco2e": t}
            for pid, t in zip(parcel_ids, shares.tolist(), strict=True)
            if t
        ]
    net = outcome.summary.get("net_tco2e") or Decimal(0)
    nets = split_signed(net, _weights([p["weight"] for p in outcome.parcels]))
    parcel_rows = [
        {**_parcel_row(p), "net_tco2e": n, "issuable_tco2e": int(i)}
        for p, n, i in zip(outcome.parcels, nets, issuable.tolist(), strict=True)
    ]
    return [
        prepare_rows(RunVintage, run_id, outcome.vintages),
        prepare_rows(ParcelVintage, run_id, vintage_rows),
        prepare_rows(ParcelResult, run_id, parcel_rows),
    ]


def allocate(total: int, weights: np.ndarray) -> np.ndarray:
    """Whole tonnes per parcel, summing exactly to `total` (largest remainder)."""
    return largest_remainder(int(total), _weights(weights))


def _weights(weights) -> np.ndarray:
    """Non-negative share keys; all zero (nothing grew) falls back to equal shares."""
    array = np.maximum(np.asarray(weights, dtype=np.float64), 0.0)
    if array.size and array.sum() <= 0:
        return np.ones(array.size)
    return array


def _parcel_row(parcel: dict) -> dict:
    return {k: v for k, v in parcel.items() if k != "weight"}
