"""Ex-ante computation of a run: plantings -> `exante.project_exante` -> `storage.Outcome`.

- Each planting is a cohort (a replanting is a cohort of its own, §9.2). Project year 0 is the
  calendar year of the first planting; project year t is calendar year Y0 + t.
- Survival: a planting with survival counts takes its establishment survival from the latest
  count, s = alive / (n_planted · (1 − m)^max(age − a_est, 0)) (at most 1), so the projection
  passes through the count; otherwise the parameter set's establishment survival.
- Growth group: the parameter set's mapping, else the taxonomy's default for the genus, else
  the catalogue's growth group of the species. Heights come from the parameter set's regional
  or E-based method (a local H–D model is fitted only on measured trees, ex-post).
- Credits: the cumulative credited stock is min(running maximum of C(t), cap), the cap being
  the LTA or the end stock (§9.3); each vintage (calendar year of the run's period inside the
  crediting period) is credited its increase through `removals.compute_issuance` (leakage
  rule, buffer rounded up, credits down). No baseline is projected (ΔC_BSL = 0 ex-ante; the
  pre-existing trees are measured ex-post). `details["exante_credits"]` holds the whole
  period's net cap, which caps later ex-post issuance once this run is approved.
"""

import dataclasses
from datetime import date
from decimal import Decimal

import numpy as np

from quantification.engine import exante, removals, taxonomy
from quantification.engine.parameters import CarbonParameters
from quantification.figures import decimal, per_ha
from quantification.loaders import PlantingData
from quantification.models import CalculationRun, ParcelBasis
from quantification.storage import Outcome

DAYS_PER_YEAR = 365.25


def compute(
    *, run: CalculationRun, data: PlantingData, parameters: CarbonParameters, digest: str
) -> Outcome:
    start_year = min((p["planted_on"].year for p in data.plantings), default=run.period_start.year)
    cohorts = [cohort(p, data.species, parameters, start_year) for p in data.plantings]
    projection = exante.project_exante(cohorts, parameters)
    credits = exante.exante_credits(projection, parameters)
    years = _vintage_years(run, start_year, parameters.crediting_period_years)
    credited = np.minimum(np.maximum.accumulate(projection.stock_t_co2e), projection.cap)
    issuances = {y: _issuance(credited, y - start_year, parameters) for y in years}
    parcel_stock = _from_year_zero(_parcel_stock(data, projection))
    stock = _from_year_zero(projection.stock_t_co2e)
    before, end = _period_years(run, start_year, projection.years.size)
    parcels = _parcel_rows(data, parcel_stock, before, end)
    summary = _summary(data, stock, issuances, before, end)
    details = {
        "method_version": projection.method_version,
        "parameters_fingerprint": projection.parameters_fingerprint,
        "start_year": start_year,
        "projection": projection.to_dict(),
        "exante_credits": _plain(dataclasses.asdict(credits)),
        "issuance": {str(y): i.to_dict() for y, i in issuances.items()},
    }
    return Outcome(
        input_hash=digest,
        summary={**summary, "details": details},
        parcels=parcels,
        strata=[],
        plots=[],
        vintages=[_vintage(y, i) for y, i in issuances.items()],
        vintage_weights={y: _year_increase(parcel_stock, y - start_year) for y in years},
    )


def cohort(planting: dict, species: list[dict], parameters, start_year: int) -> exante.Cohort:
    taxon = next(s for s in species if s["id"] == planting["species_id"])
    return exante.Cohort(
        species=taxon["scientific_name"],
        n_planted=float(planting["trees_planted"]),
        planting_year=planting["planted_on"].year - start_year,
        growth_group=_growth_group(taxon, parameters),
        survival=_observed_survival(planting, parameters),
        label=f"planting {planting['id']}",
    )


def _growth_group(taxon: dict, parameters: CarbonParameters) -> str | None:
    """The catalogue's group only when neither the parameters nor the taxonomy give one."""
    resolved = taxonomy.resolve(taxon["scientific_name"], use_synonyms=parameters.use_synonyms)
    keys = (resolved.binomial, resolved.genus)
    known = {**taxonomy.default_growth_groups(), **parameters.species_growth_groups}
    if any(k in known for k in keys):
        return None
    return taxon["growth_group"] or None


def _observed_survival(planting: dict, parameters: CarbonParameters) -> float | None:
    if not planting["counts"]:
        return None
    counted_on, alive = planting["counts"][-1]
    age = (counted_on - planting["planted_on"]).days / DAYS_PER_YEAR
    years = max(age - parameters.establishment_age_years, 0.0)
    expected = planting["trees_planted"] * (1.0 - parameters.annual_mortality) ** years
    return min(max(alive / expected, 1e-9), 1.0)


def _vintage_years(run: CalculationRun, start_year: int, period_years: int) -> list[int]:
    first = max(run.period_start.year, start_year + 1)
    last = min(run.period_end.year, start_year + period_years)
    return list(range(first, last + 1))


def _period_years(run: CalculationRun, start_year: int, n_years: int) -> tuple[int, int]:
    """Project years (0..T) before the period and at its end, clamped to the projection."""
    before = min(max(run.period_start.year - 1 - start_year, 0), n_years)
    end = min(max(run.period_end.year - start_year, 0), n_years)
    return before, end


def _from_year_zero(stock: np.ndarray) -> np.ndarray:
    """The stock with project year 0 (nothing grown yet) prepended: index = project year."""
    zero = np.zeros(stock.shape[:-1] + (1,))
    return np.concatenate([zero, stock], axis=-1)


def _issuance(credited: np.ndarray, t: int, parameters) -> removals.IssuanceResult:
    """Credits of project year t: the increase of the capped cumulative stock."""
    return removals.compute_issuance(
        c_t1=float(credited[t - 2]) if t >= 2 else 0.0,
        c_t2=float(credited[t - 1]),
        params=parameters,
    )


def _parcel_stock(data: PlantingData, projection) -> np.ndarray:
    """Projected stock per parcel (rows aligned with data.parcels) and project year."""
    index = {p["id"]: i for i, p in enumerate(data.parcels)}
    stock = np.zeros((len(data.parcels), projection.years.size))
    for planting, row in zip(data.plantings, projection.cohort_stock_t_co2e, strict=True):
        stock[index[planting["parcel_id"]]] += row
    return stock


def _year_increase(parcel_stock: np.ndarray, t: int) -> np.ndarray:
    return np.maximum(parcel_stock[:, t] - parcel_stock[:, t - 1], 0.0)


def _parcel_rows(data: PlantingData, parcel_stock: np.ndarray, before: int, end: int):
    planted: dict[int, int] = {}
    for p in data.plantings:
        planted[p["parcel_id"]] = planted.get(p["parcel_id"], 0) + p["trees_planted"]
    rows = []
    for i, parcel in enumerate(data.parcels):
        stock, start = float(parcel_stock[i, end]), float(parcel_stock[i, before])
        rows.append(
            {
                "parcel_id": parcel["id"],
                "stratum_id": parcel["stratum_id"],
                "basis": ParcelBasis.PLANTINGS,
                "area_ha": parcel["area_ha"],
                "n_plots": 0,
                "n_trees": planted.get(parcel["id"], 0),
                "stock_tco2e": decimal(stock),
                "change_tco2e": decimal(stock) - decimal(start),
                "weight": float(stock - start),
            }
        )
    return rows


def _summary(data: PlantingData, stock: np.ndarray, issuances: dict, before: int, end: int):
    """Run figures; tonnes summed over vintages are sums of the stored (rounded) vintages."""
    area = sum((Decimal(p["area_ha"]) for p in data.parcels), Decimal(0))
    total = float(stock[end])

    def summed(name: str) -> Decimal:
        return sum((decimal(getattr(i, name)) for i in issuances.values()), Decimal(0))

    return {
        "n_trees": sum(p["trees_planted"] for p in data.plantings),
        "n_plots": 0,
        "area_ha": area,
        "stock_tco2e": decimal(total),
        "previous_stock_tco2e": decimal(float(stock[before])),
        "mean_tco2e_ha": per_ha(total / float(area)) if area else None,
        "delta_c_tco2e": summed("delta_c_p"),
        "deduction_tco2e": Decimal(0),
        "emissions_tco2e": Decimal(0),
        "baseline_tco2e": Decimal(0),
        "leakage_tco2e": summed("leakage"),
        "net_tco2e": summed("delta_c_net"),
        "buffer_tco2e": sum(i.buffer for i in issuances.values()),
        "issuable_tco2e": sum(i.issuable for i in issuances.values()),
    }


def _vintage(year: int, issuance: removals.IssuanceResult) -> dict:
    return {
        "year": year,
        "net_tco2e": decimal(issuance.delta_c_net),
        "buffer_tco2e": issuance.buffer,
        "issuable_tco2e": issuance.issuable,
    }


def _plain(values: dict) -> dict:
    return {k: str(v) if isinstance(v, Decimal | date) else v for k, v in values.items()}
