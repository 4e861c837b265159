"""Ex-post computation of a run: loaded field data -> pure engine -> `storage.Outcome`.

Steps (carbon-methods §11), all numbers from `quantification.engine`:

1. Trees of the latest visit of each plot in the period -> `pipeline.compute_trees` (wood
   density hierarchy, heights from the parameter set's height method, including the local
   H–D model fitted on the project's measured trees, AGB/BGB/C/CO2e, Dmin).
2. Plot densities (tCO2e/ha) of all trees and of the pre-existing trees alone; stratified
   estimates of both (`pipeline.estimate_project`). Strata are the parcels' strata (parcels
   without one form a stratum of their own); a stratum's area is its parcels' area.
3. Pre-existing trees (origin pre_existing) are on both sides (§8): they are in the project
   stock C and their own stock change is the baseline ΔC_BSL (never below 0: conservative).
4. C(t1) is the stock of the last verified run; for the first verification C(t1) = 0 (the
   trees were planted on land without trees, §8 eligibility). The uncertainty of the change:
   per-plot changes of the permanent plots when every plot was measured in both runs
   (`estimate_change`), else the independent-stocks formula; the first verification uses the
   stock's own u (the change is the stock).
5. `removals.compute_issuance`: deduction on the change, baseline, leakage rule, cap (the
   latest approved ex-ante run's net cap), deficit, buffer (rounded up), issuable (down),
   reversal; project emissions GHG_E are the run's monitored input `project_emissions_tco2e`.
6. Vintages: the period's net, buffer and issuable split over its calendar years pro rata to
   days. Parcels: own plots' mean × area, else the stratum mean × area; their net and
   issuable tonnes are allocations (weights: each parcel's change of planted trees) summing
   exactly to the run's.
"""

import dataclasses
from decimal import Decimal

import numpy as np
from django.utils.translation import gettext_noop

from parcels.choices import TreeOrigin
from quantification import failures
from quantification.engine import pipeline, removals, sampling
from quantification.engine.notices import CarbonInputError, Notice
from quantification.engine.parameters import CarbonParameters
from quantification.figures import decimal, notice_dict, per_ha, percent, split_vintages
from quantification.loaders import ORIGIN_CODES, FieldData, RunContext, Trees
from quantification.models import CalculationRun, ParcelBasis
from quantification.storage import Outcome, Pending
from quantification.writers import Labels, TreeRows

STATUS_LABELS = ("alive", "dead", "cut")
NO_STRATUM = "none"


def compute(
    *,
    run: CalculationRun,
    data: FieldData,
    parameters: CarbonParameters,
    digest: str,
    context: RunContext,
) -> Pending:
    """The per-tree results now; everything aggregated from them in `Pending.finish`."""
    table = tree_table(data)
    results = _compute_trees(table, data.trees, parameters)
    return Pending(
        trees=tree_rows(data.trees, results),
        finish=lambda: aggregate(
            run=run,
            data=data,
            parameters=parameters,
            digest=digest,
            context=context,
            table=table,
            results=results,
        ),
    )


def aggregate(
    *,
    run: CalculationRun,
    data: FieldData,
    parameters: CarbonParameters,
    digest: str,
    context: RunContext,
    table: pipeline.TreeTable,
    results: pipeline.TreeResults,
) -> Outcome:
    """Plots, strata, project, issuance, vintages and parcels from the per-tree results."""
    plots = plot_table(data)
    strata = strata_table(data)
    pre = data.trees.origin == ORIGIN_CODES[TreeOrigin.PRE_EXISTING]
    totals = pipeline.aggregate_plots(table, results, plots, parameters)
    baseline = pipeline.aggregate_plots(table, _only(results, pre), plots, parameters)
    estimate = pipeline.estimate_project(totals, strata, parameters)
    baseline_estimate = pipeline.estimate_project(baseline, strata, parameters)
    change_u, change_method, notes = change_uncertainty(
        data, totals, estimate, strata, parameters, context
    )
    baseline_change = max(
        decimal(baseline_estimate.total) - context.previous_baseline_stock, Decimal(0)
    )
    issuance = removals.compute_issuance(
        c_t1=context.previous_stock or 0,
        c_t2=estimate.total,
        params=parameters,
        uncertainty=change_u,
        ghg_emissions=run.project_emissions_tco2e,
        baseline=baseline_change,
        cap=context.cap,
        cumulative_credited=context.cumulative,
        outstanding_deficit=context.deficit,
    )
    notes += _issuance_notes(issuance, context)
    parcels = parcel_rows(data, totals, baseline, estimate, baseline_estimate, context)
    summary = _summary(data, estimate, issuance)
    vintages = split_vintages(
        start=run.period_start,
        end=run.period_end,
        net=summary["net_tco2e"],
        buffer=issuance.buffer,
        issuable=issuance.issuable,
    )
    weights = np.array([p["weight"] for p in parcels], dtype=np.float64)
    details = {
        "method_version": results.method_version,
        "parameters_fingerprint": results.parameters_fingerprint,
        "reference_data": dict(results.reference_data),
        "height_models": [m.to_dict() for m in results.height_models],
        "flag_counts": results.flag_counts(),
        "dropped_visits": data.dropped_visits,
        "estimate": estimate.to_dict(),
        "baseline_estimate": baseline_estimate.to_dict(),
        "baseline_stock_tco2e": str(decimal(baseline_estimate.total)),
        "change": {"method": change_method, "uncertainty": str(removals.fraction(change_u))},
        "cap_run": context.cap_run_id,
        "issuance": issuance.to_dict(),
    }
    return Outcome(
        input_hash=digest,
        summary={**summary, "details": details},
        parcels=parcels,
        strata=stratum_rows(estimate, strata),
        plots=plot_rows(data, totals, baseline),
        vintages=vintages,
        vintage_weights={v["year"]: weights for v in vintages},
        warnings=[notice_dict(n) for n in (*results.warnings, *notes)],
    )


# --- inputs to the pure engine -------------------------------------------------------------------
def tree_table(data: FieldData) -> pipeline.TreeTable:
    """The loaded trees as the engine's columns: species and family by catalogue row, plots by
    id (for the plot-mean wood density and per-plot height models), status labels."""
    trees = data.trees
    species_ids = np.array([s["id"] for s in data.species], dtype=np.int64)
    species_codes = np.searchsorted(species_ids, trees.species_id).astype(np.int32)
    names = tuple(s["scientific_name"] for s in data.species)
    families, family_codes = _families(data.species)
    plot_ids = np.array([p["id"] for p in data.plots], dtype=np.int64)
    return pipeline.TreeTable(
        tree_id=trees.id,
        species=pipeline.Categorical(species_codes, names),
        dbh_cm=trees.dbh_cm,
        height_m=trees.height_m,
        family=pipeline.Categorical(family_codes[species_codes], families),
        plot=pipeline.Categorical(
            np.searchsorted(plot_ids, trees.plot_id).astype(np.int32),
            tuple(str(p) for p in plot_ids.tolist()),
        ),
        wood_density=trees.wood_density,
        status=pipeline.Categorical(trees.status.astype(np.int32), STATUS_LABELS),
    )


def _families(species: list[dict]) -> tuple[tuple[str, ...], np.ndarray]:
    labels: dict[str, int] = {}
    codes = [labels.setdefault(s["family"] or "", len(labels)) for s in species]
    return tuple(labels), np.array(codes, dtype=np.int32)


def _compute_trees(table, trees: Trees, parameters) -> pipeline.TreeResults:
    """`compute_trees`, with row errors renamed to the tree measurement ids they concern."""
    try:
        return pipeline.compute_trees(table, parameters)
    except CarbonInputError as exc:
        raise failures.tree_errors(exc, trees.id) from exc


def plot_table(data: FieldData) -> pipeline.PlotTable:
    stratum = _parcel_strata(data)
    return pipeline.PlotTable.from_columns(
        plot_id=[str(p["id"]) for p in data.plots],
        stratum=[stratum[p["parcel_id"]] for p in data.plots],
        area_m2=[float(p["area_m2"]) for p in data.plots],
    )


def _parcel_strata(data: FieldData) -> dict[int, str]:
    return {p["id"]: stratum_key(p["stratum_id"]) for p in data.parcels}


def stratum_key(stratum_id: int | None) -> str:
    return NO_STRATUM if stratum_id is None else str(stratum_id)


def strata_table(data: FieldData) -> pipeline.StrataTable:
    """One stratum per parcel stratum, its area the sum of its parcels' areas."""
    areas: dict[str, float] = {}
    for parcel in data.parcels:
        key = stratum_key(parcel["stratum_id"])
        areas[key] = areas.get(key, 0.0) + float(parcel["area_ha"])
    keys = sorted(areas, key=lambda k: (k == NO_STRATUM, int(k) if k != NO_STRATUM else 0))
    return pipeline.StrataTable(tuple(keys), np.array([areas[k] for k in keys]))


def _only(results: pipeline.TreeResults, mask: np.ndarray) -> pipeline.TreeResults:
    return dataclasses.replace(
        results, agb_kg=np.where(mask, results.agb_kg, 0.0), alive=results.alive & mask
    )


# --- change uncertainty and notes ----------------------------------------------------------------
def change_uncertainty(data, totals, estimate, strata, parameters, context: RunContext):
    """(u of the stock change, how it was obtained, notices) — see the module docstring."""
    if context.previous_stock is None:
        return estimate.u, "first_verification", []
    keys = _plot_keys(data)
    previous = {(p["parcel_id"], p["plot__code"]): p for p in context.previous_plots}
    if previous and set(previous) == set(keys):
        t1 = dataclasses.replace(
            totals,
            plot_id=tuple(f"{k[0]}:{k[1]}" for k in keys),
            co2e_t_ha=np.array([float(previous[k]["co2e_t_ha"]) for k in keys]),
        )
        t2 = dataclasses.replace(totals, plot_id=t1.plot_id)
        return pipeline.estimate_change(t1, t2, strata, parameters).u, "paired_plots", []
    u1 = float(context.previous_uncertainty_pct or 0) / 100
    u = sampling.independent_change_uncertainty(
        float(context.previous_stock), u1, estimate.total, estimate.u
    )
    note = Notice(
        "run.unpaired_plots",
        gettext_noop(
            "the plots differ from the previous verified run's: the change uncertainty uses "
            "the independent-stocks formula"
        ),
    )
    return u, "independent_stocks", [note]


def _plot_keys(data: FieldData) -> list[tuple[int, str]]:
    return [(p["parcel_id"], p["code"]) for p in data.plots]


def _issuance_notes(issuance: removals.IssuanceResult, context: RunContext) -> list[Notice]:
    notes = []
    if issuance.reversal > 0:
        notes.append(
            Notice(
                "run.reversal",
                gettext_noop(
                    "reversal: the net removals are negative (%(tonnes)s tCO2e); nothing is "
                    "issued until the deficit is recovered"
                ),
                {"tonnes": str(issuance.reversal)},
            )
        )
    if context.cap is None:
        notes.append(
            Notice(
                "run.no_cap",
                gettext_noop("no approved ex-ante run: the credits are not capped"),
            )
        )
    return notes


# --- outcome rows --------------------------------------------------------------------------------
def _summary(data: FieldData, estimate, issuance: removals.IssuanceResult) -> dict:
    return {
        "n_trees": int(data.trees.id.size),
        "n_plots": len(data.plots),
        "area_ha": per_ha(estimate.area_ha),
        "stock_tco2e": decimal(estimate.total),
        "previous_stock_tco2e": decimal(issuance.c_t1),
        "mean_tco2e_ha": per_ha(estimate.mean),
        "se_tco2e_ha": per_ha(estimate.se),
        "uncertainty_pct": percent(estimate.u),
        "delta_c_tco2e": decimal(issuance.delta_c_p),
        "deduction_tco2e": decimal(issuance.delta_c_p - issuance.delta_c_p_adjusted),
        "emissions_tco2e": decimal(issuance.ghg_emissions),
        "baseline_tco2e": decimal(issuance.baseline),
        "leakage_tco2e": decimal(issuance.leakage),
        "net_tco2e": decimal(issuance.delta_c_net),
        "buffer_tco2e": issuance.buffer,
        "issuable_tco2e": issuance.issuable,
    }


def stratum_rows(estimate, strata: pipeline.StrataTable) -> list[dict]:
    return [
        {
            "stratum_id": None if s.stratum == NO_STRATUM else int(s.stratum),
            "area_ha": per_ha(s.area_ha),
            "n_plots": s.n_plots,
            "mean_tco2e_ha": per_ha(s.mean),
            "se_tco2e_ha": per_ha(s.se),
            "uncertainty_pct": percent(s.u),
            "stock_tco2e": decimal(s.total),
        }
        for s in estimate.strata
    ]


def plot_rows(data: FieldData, totals, baseline) -> list[dict]:
    """One row per plot visit; `n_trees` counts its stems, dead ones included."""
    plot_ids = np.array([p["id"] for p in data.plots], dtype=np.int64)
    stems = np.bincount(np.searchsorted(plot_ids, data.trees.plot_id), minlength=plot_ids.size)
    return [
        {
            "plot_id": p["id"],
            "parcel_id": p["parcel_id"],
            "area_m2": p["area_m2"],
            "n_trees": int(stems[i]),
            "agb_t_ha": per_ha(totals.agb_t_ha[i]),
            "co2e_t_ha": per_ha(totals.co2e_t_ha[i]),
            "baseline_co2e_t_ha": per_ha(baseline.co2e_t_ha[i]),
        }
        for i, p in enumerate(data.plots)
    ]


def parcel_rows(data, totals, baseline, estimate, baseline_estimate, context) -> list[dict]:
    """Per parcel: own plots' mean density × area, else its stratum's mean × area."""
    own = _plot_means(data, totals.co2e_t_ha)
    own_baseline = _plot_means(data, baseline.co2e_t_ha)
    stratum_means = {s.stratum: s.mean for s in estimate.strata}
    stratum_baseline = {s.stratum: s.mean for s in baseline_estimate.strata}
    previous = {p["parcel_id"]: p for p in context.previous_parcels}
    counts = _trees_per_parcel(data)
    rows = []
    for parcel in data.parcels:
        key = stratum_key(parcel["stratum_id"])
        plots = own.get(parcel["id"])
        mean = plots[0] if plots else stratum_means[key]
        base = own_baseline[parcel["id"]][0] if plots else stratum_baseline[key]
        area = float(parcel["area_ha"])
        stock, base_stock = decimal(mean * area), decimal(base * area)
        before = previous.get(parcel["id"], {})
        change = stock - before.get("stock_tco2e", Decimal(0))
        planted_change = change - (base_stock - before.get("baseline_stock_tco2e", Decimal(0)))
        rows.append(
            {
                "parcel_id": parcel["id"],
                "stratum_id": parcel["stratum_id"],
                "basis": ParcelBasis.PLOTS if plots else ParcelBasis.STRATUM,
                "area_ha": parcel["area_ha"],
                "n_plots": plots[1] if plots else 0,
                "n_trees": counts.get(parcel["id"], 0),
                "stock_tco2e": stock,
                "baseline_stock_tco2e": base_stock,
                "change_tco2e": change,
                "weight": float(planted_change),
            }
        )
    return rows


def _plot_means(data: FieldData, values: np.ndarray) -> dict[int, tuple[float, int]]:
    """{parcel id: (mean of its plots' values, number of plots)}."""
    grouped: dict[int, list[float]] = {}
    for plot, value in zip(data.plots, values.tolist(), strict=True):
        grouped.setdefault(plot["parcel_id"], []).append(value)
    return {k: (float(np.mean(v)), len(v)) for k, v in grouped.items()}


def _trees_per_parcel(data: FieldData) -> dict[int, int]:
    parcel_of_plot = {p["id"]: p["parcel_id"] for p in data.plots}
    ids, counts = np.unique(data.trees.plot_id, return_counts=True)
    out: dict[int, int] = {}
    for plot_id, n in zip(ids.tolist(), counts.tolist(), strict=True):
        parcel = parcel_of_plot[plot_id]
        out[parcel] = out.get(parcel, 0) + n
    return out


def tree_rows(trees: Trees, results: pipeline.TreeResults) -> TreeRows:
    def labels(cat: pipeline.Categorical) -> Labels:
        return Labels(cat.codes, cat.labels)

    return TreeRows(
        tree_measurement_id=trees.id,
        plot_id=trees.plot_id,
        wood_density=results.wood_density,
        wood_density_level=labels(results.wood_density_level),
        height_m=results.height_m,
        height_source=labels(results.height_source),
        agb_raw_kg=results.agb_kg_raw,
        agb_kg=results.agb_kg,
        bgb_kg=results.bgb_kg,
        carbon_kg=results.carbon_kg,
        co2e_kg=results.co2e_kg,
        equation=labels(results.equation),
        flags=results.flags.astype(np.int32),
    )
