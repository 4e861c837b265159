"""Wood density (ρ, g cm⁻³) per tree: the BIOMASS ``getWoodDensity`` hierarchy (§4.1).

Levels, first match wins, recorded per tree in ``level``:

``local``    a value given with the tree record, or a project value for its taxon
             (parameter ``local_wood_density``); overrides everything below.
``species``  GWDD v1: unweighted mean of the records of (family, genus, epithet);
             GWDD v2: the modelled species estimate (binomial).
``genus``    GWDD v1: mean of the species means of the genus (``sp`` rows count as one more
             species); GWDD v2: the genus estimate.
``family``   only when the family was given with the record (BIOMASS rule; family values are
             poor): GWDD v1 mean of genus means, GWDD v2 family estimate.
``plot``     mean of the values already assigned to trees of the same plot (a mean over
             trees, so common species weigh more); sd = sample sd of those values.
``dataset``  mean over every tree that has a value by then (plot-filled ones included, as in
             BIOMASS); sd = their sample sd.

GWDD v1 matching needs the family to agree exactly (BIOMASS ≤ 2.2.7), family given with the
record or else taken from ``genus_family.csv``. SDs (only for uncertainty propagation, §12):
v1 fixed per level (``sd_by_level.csv``), a missing or zero sd replaced by the sd of the whole
table (0.176); v2 the taxon's own sd, nothing replaced. Rows of excluded growth forms (palms,
bananas...) get no value (level ``not_applicable``) and do not enter plot or dataset means.

Tables are built once per (version, region) and cached; a lookup is one dict access per
distinct taxon, then numpy broadcasting over the rows.
"""

from __future__ import annotations

import math
from collections import defaultdict
from collections.abc import Callable, Mapping, Sequence
from dataclasses import dataclass
from functools import cache
from statistics import fmean, stdev
from types import MappingProxyType
from typing import Any

import numpy as np

from . import reference
from .notices import CarbonInputError, Notice, ParameterError, gettext_noop
from .taxonomy import Taxon

TABLE_GWDD_V1 = "gwdd_v1"
TABLE_GWDD_V2 = "gwdd_v2"
TABLES = (TABLE_GWDD_V1, TABLE_GWDD_V2)
REGION_WORLD = "World"

LEVEL_LOCAL = "local"
LEVEL_SPECIES = "species"
LEVEL_GENUS = "genus"
LEVEL_FAMILY = "family"
LEVEL_PLOT = "plot"
LEVEL_DATASET = "dataset"
LEVEL_NOT_APPLICABLE = "not_applicable"
#: Codes of ``WoodDensityAssignment.level_codes`` index this tuple.
LEVELS = (
    LEVEL_LOCAL,
    LEVEL_SPECIES,
    LEVEL_GENUS,
    LEVEL_FAMILY,
    LEVEL_PLOT,
    LEVEL_DATASET,
    LEVEL_NOT_APPLICABLE,
)
_CODE = {level: code for code, level in enumerate(LEVELS)}
_NONE = -1
#: BIOMASS warns when a region filter leaves fewer GWDD v1 records than this.
FEW_RECORDS = 1000


@dataclass(frozen=True)
class TaxonValue:
    """Wood density of one taxon: value, sd, level and number of records/species/genera."""

    wd: float
    sd: float
    level: str
    n: int


#: A table's key: (family, genus[, epithet]) in GWDD v1, "genus[ epithet]" in v2.
_Key = tuple[str, ...] | str
#: (mean wood density, sd, records behind the mean)
_Entry = tuple[float, float, int]


@dataclass(frozen=True)
class WoodDensityTable:
    """One reference table, indexed for lookups. Build with :func:`load_table`."""

    version: str
    region: str
    n_records: int
    species: Mapping[_Key, _Entry]
    genus: Mapping[_Key, _Entry]
    family: Mapping[_Key, _Entry]
    sd_total: float
    sd_local: float
    digests: Mapping[str, str]

    def lookup(self, taxon: Taxon, families: Mapping[str, str]) -> TaxonValue | None:
        """Species, then genus, then (family given only) family value of ``taxon``."""
        for genus, epithet in taxon.names if taxon.epithet else ():
            hit = self.species.get(self._key(taxon, families, genus, epithet))
            if hit:
                return TaxonValue(hit[0], hit[1], LEVEL_SPECIES, hit[2])
        for genus in dict.fromkeys(g for g, _ in taxon.names):
            hit = self.genus.get(self._key(taxon, families, genus))
            if hit:
                return TaxonValue(hit[0], hit[1], LEVEL_GENUS, hit[2])
        hit = self.family.get(taxon.family) if taxon.family_given else None
        return TaxonValue(hit[0], hit[1], LEVEL_FAMILY, hit[2]) if hit else None

    def _key(
        self, taxon: Taxon, families: Mapping[str, str], genus: str, epithet: str = ""
    ) -> _Key:
        if self.version == TABLE_GWDD_V2:
            return f"{genus} {epithet}" if epithet else genus
        family = taxon.family if taxon.family_given else families.get(genus, "")
        return (family, genus, epithet) if epithet else (family, genus)


def v1_regions() -> tuple[str, ...]:
    rows = reference.read_rows(reference.GWDD_V1_FILE)
    return (REGION_WORLD, *sorted({r["regionid"] for r in rows}))


@cache
def load_table(version: str = TABLE_GWDD_V1, region: str = REGION_WORLD) -> WoodDensityTable:
    """Build (once per process) the lookup table of a GWDD version; v1 may be region-filtered."""
    if version == TABLE_GWDD_V1:
        return _load_v1(region)
    if version == TABLE_GWDD_V2:
        if region != REGION_WORLD:
            raise ParameterError("wood_density_region", "GWDD v2 has no region filter")
        return _load_v2()
    raise ParameterError("wood_density_table", f"unknown table {version!r}")


def _sd_by_level() -> dict[str, float]:
    return {r["taxo"]: float(r["sd"]) for r in reference.read_rows(reference.SD_BY_LEVEL_FILE)}


def _load_v1(region: str) -> WoodDensityTable:
    rows = reference.read_rows(reference.GWDD_V1_FILE)
    wanted = region.lower()
    if region != REGION_WORLD and wanted not in {r["regionid"].lower() for r in rows}:
        raise ParameterError("wood_density_region", f"unknown GWDD v1 region {region!r}")
    kept = [r for r in rows if region == REGION_WORLD or r["regionid"].lower() == wanted]
    records: dict[_Key, list[float]] = defaultdict(list)
    for r in kept:
        records[(r["family"], r["genus"], r["species"])].append(float(r["wd"]))
    sd = _sd_by_level()
    species = {k: (fmean(v), sd["species"], len(v)) for k, v in records.items()}
    genus = _means_of_means(species, lambda k: k[:2], sd["genus"])
    family = _means_of_means(genus, lambda k: k[0], sd["family"])
    return WoodDensityTable(
        version=TABLE_GWDD_V1,
        region=region,
        n_records=len(kept),
        species=MappingProxyType(species),
        genus=MappingProxyType(genus),
        family=MappingProxyType(family),
        sd_total=stdev(float(r["wd"]) for r in rows),
        sd_local=sd["species"],
        digests=reference.digests(reference.GWDD_V1_FILE, reference.SD_BY_LEVEL_FILE),
    )


def _means_of_means(
    lower: Mapping[_Key, _Entry], key: Callable[[Any], _Key], sd: float
) -> dict[_Key, _Entry]:
    groups: dict[_Key, list[float]] = defaultdict(list)
    for k, (mean, _, _) in lower.items():
        groups[key(k)].append(mean)
    return {k: (fmean(v), sd, len(v)) for k, v in groups.items()}


def _load_v2() -> WoodDensityTable:
    levels: dict[str, dict[_Key, _Entry]] = {LEVEL_SPECIES: {}, LEVEL_GENUS: {}, LEVEL_FAMILY: {}}
    for r in reference.read_rows(reference.GWDD_V2_FILE):
        key = {LEVEL_SPECIES: r["species"], LEVEL_GENUS: r["genus"], LEVEL_FAMILY: r["family"]}
        levels[r["level_tax"]][key[r["level_tax"]]] = (float(r["wsg"]), float(r["sd"]), 1)
    return WoodDensityTable(
        version=TABLE_GWDD_V2,
        region=REGION_WORLD,
        n_records=sum(len(v) for v in levels.values()),
        species=MappingProxyType(levels[LEVEL_SPECIES]),
        genus=MappingProxyType(levels[LEVEL_GENUS]),
        family=MappingProxyType(levels[LEVEL_FAMILY]),
        sd_total=math.nan,
        sd_local=math.nan,
        digests=reference.digests(reference.GWDD_V2_FILE),
    )


@dataclass(frozen=True)
class WoodDensityAssignment:
    """Per-row result: ``wd`` (NaN where not applicable), ``sd``, ``level_codes`` indexing
    :data:`LEVELS`, ``n`` (records, species or genera behind the value; 0 for local/plot/
    dataset) and notices."""

    wd: np.ndarray
    sd: np.ndarray
    level_codes: np.ndarray
    n: np.ndarray
    warnings: tuple[Notice, ...]

    def levels(self) -> np.ndarray:
        labels: np.ndarray = np.asarray(LEVELS, dtype=object)[self.level_codes]
        return labels


def taxon_values(
    taxa: Sequence[Taxon],
    table: WoodDensityTable,
    local_values: Mapping[str, float] | None = None,
) -> list[TaxonValue | None]:
    """Value of each distinct taxon: project value (``local``) first, then the table."""
    from .taxonomy import genus_family

    families = genus_family()
    local = local_values or {}
    out: list[TaxonValue | None] = []
    for taxon in taxa:
        own = _local_value(taxon, local, table)
        out.append(own if own else table.lookup(taxon, families))
    return out


def _local_value(
    taxon: Taxon, local: Mapping[str, float], table: WoodDensityTable
) -> TaxonValue | None:
    keys = [f"{g} {e}" for g, e in taxon.names if e] + [g for g, _ in taxon.names]
    for key in keys:
        if key in local:
            return TaxonValue(float(local[key]), table.sd_local, LEVEL_LOCAL, 0)
    return None


def assign_wood_density(
    taxa: Sequence[Taxon],
    taxon_codes: np.ndarray,
    *,
    table: WoodDensityTable,
    given: np.ndarray | None = None,
    plot_codes: np.ndarray | None = None,
    applicable: np.ndarray | None = None,
    local_values: Mapping[str, float] | None = None,
) -> WoodDensityAssignment:
    """Wood density of every row (see the module docstring for the hierarchy).

    ``taxa[taxon_codes[i]]`` is row ``i``'s taxon; ``given`` per-row values (NaN = none);
    ``plot_codes`` 0-based plot index per row (None = no plot level); ``applicable`` False for
    rows that need no wood density (excluded growth forms). Raises :class:`CarbonInputError`
    when rows need a value and no row at all could be matched (as BIOMASS stops).
    """
    n_rows = taxon_codes.shape[0]
    applicable = np.ones(n_rows, bool) if applicable is None else applicable
    per_taxon = taxon_values(taxa, table, local_values)
    wd, sd, level, count = _broadcast(per_taxon, taxon_codes)
    if given is not None:
        own = np.isfinite(given)
        wd[own], sd[own], level[own], count[own] = given[own], table.sd_local, _CODE[LEVEL_LOCAL], 0
    wd[~applicable], sd[~applicable] = math.nan, math.nan
    level[~applicable], count[~applicable] = _CODE[LEVEL_NOT_APPLICABLE], 0
    if plot_codes is not None:
        _fill_plot_means(wd, sd, level, plot_codes, applicable)
    _fill_dataset_mean(wd, sd, level, applicable)
    if table.version == TABLE_GWDD_V1:
        sd[applicable & ~(sd > 0)] = table.sd_total
    used = np.unique(taxon_codes[applicable])
    notes = _warnings([taxa[i] for i in used], [per_taxon[i] for i in used], table)
    return WoodDensityAssignment(wd, sd, level, count, notes)


def _broadcast(
    per_taxon: list[TaxonValue | None], codes: np.ndarray
) -> tuple[np.ndarray, np.ndarray, np.ndarray, np.ndarray]:
    wd = np.array([v.wd if v else math.nan for v in per_taxon], dtype=np.float64)
    sd = np.array([v.sd if v else math.nan for v in per_taxon], dtype=np.float64)
    level = np.array([_CODE[v.level] if v else _NONE for v in per_taxon], dtype=np.int8)
    n = np.array([v.n if v else 0 for v in per_taxon], dtype=np.int32)
    return wd[codes], sd[codes], level[codes], n[codes]


def _fill_plot_means(
    wd: np.ndarray,
    sd: np.ndarray,
    level: np.ndarray,
    plot_codes: np.ndarray,
    applicable: np.ndarray,
) -> None:
    have = applicable & (level != _NONE)
    n_plots = int(plot_codes.max()) + 1 if plot_codes.size else 0
    counts = np.bincount(plot_codes[have], minlength=n_plots)
    sums = np.bincount(plot_codes[have], weights=wd[have], minlength=n_plots)
    with np.errstate(invalid="ignore", divide="ignore"):
        means = sums / counts
        dev2 = np.bincount(
            plot_codes[have], weights=(wd[have] - means[plot_codes[have]]) ** 2, minlength=n_plots
        )
        sds = np.sqrt(dev2 / (counts - 1))
    fill = applicable & (level == _NONE) & (counts[plot_codes] > 0)
    wd[fill], sd[fill] = means[plot_codes[fill]], sds[plot_codes[fill]]
    level[fill] = _CODE[LEVEL_PLOT]


def _fill_dataset_mean(
    wd: np.ndarray, sd: np.ndarray, level: np.ndarray, applicable: np.ndarray
) -> None:
    need = applicable & (level == _NONE)
    if not need.any():
        return
    have = applicable & (level != _NONE)
    if not have.any():
        raise CarbonInputError(
            [
                Notice(
                    "wood_density.no_match",
                    gettext_noop(
                        "no tree has a wood density: no taxon matched the reference table and "
                        "no value was given"
                    ),
                )
            ]
        )
    values = wd[have]
    wd[need] = values.mean()
    sd[need] = values.std(ddof=1) if values.size > 1 else math.nan
    level[need] = _CODE[LEVEL_DATASET]


def _warnings(
    taxa: Sequence[Taxon], per_taxon: Sequence[TaxonValue | None], table: WoodDensityTable
) -> tuple[Notice, ...]:
    notes: list[Notice] = []
    if table.version == TABLE_GWDD_V1 and table.n_records < FEW_RECORDS:
        notes.append(
            Notice(
                "wood_density.few_records",
                gettext_noop(
                    "the GWDD v1 region %(region)s holds only %(n)d wood density records; "
                    "consider local values or region World"
                ),
                {"region": table.region, "n": table.n_records},
            )
        )
    unmatched = sorted({t.entered for t, v in zip(taxa, per_taxon, strict=True) if v is None})
    if unmatched:
        notes.append(
            Notice(
                "wood_density.unmatched_taxa",
                gettext_noop(
                    "%(n)d species names matched no species, genus or family of %(table)s "
                    "and got a plot or dataset mean: %(names)s"
                ),
                {"n": len(unmatched), "table": table.version, "names": ", ".join(unmatched)},
            )
        )
    return tuple(notes)
