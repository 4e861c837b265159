"""Every parameter of the carbon method, in one frozen, fingerprinted object.

A result is reproducible from (input data, :class:`CarbonParameters`, :data:`METHOD_VERSION`,
reference-data digests). Freeze a parameter set per PDD version / verification; change it only
through a new set, whose :meth:`CarbonParameters.fingerprint` then differs.

Defaults are the defaults of ``docs/carbon-methods.md``; values marked [CHECK] there (E,
survival, crediting period, buffer %) must be confirmed against the PDD before issuance.
"""

from __future__ import annotations

import hashlib
import json
import math
from collections.abc import Callable, Iterable, Mapping
from dataclasses import dataclass, field, fields
from types import MappingProxyType
from typing import Any

from .allometry import EQ_CHAVE2014_EQ4, EQUATIONS, WD_RANGE
from .biomass import BGB_METHODS, BGB_RATIO
from .hd_models import HD_BEST, HD_METHODS
from .height import (
    HEIGHT_METHODS,
    METHOD_CHAVE_E,
    METHOD_FELDPAUSCH,
    METHOD_LOCAL,
    feldpausch_coefficients,
)
from .notices import ParameterError
from .taxonomy import GROWTH_FORMS
from .wood_density import REGION_WORLD, TABLE_GWDD_V1, TABLES, v1_regions

#: Version of the engine's method; every result carries it. Bump it whenever a change to the
#: code can change a number (a new default, a fixed formula, a new reference table).
METHOD_VERSION = "pichanaki-carbon 1.0.0"
#: Version of the parameter dictionary layout (``to_dict``).
PARAMETERS_SCHEMA = "pichanaki.carbon.parameters/1"

DEDUCTION_EXCESS = "excess"
DEDUCTION_LOWER_BOUND = "lower_bound"
DEDUCTION_RULES = (DEDUCTION_EXCESS, DEDUCTION_LOWER_BOUND)

LEAKAGE_ZERO = "zero"
LEAKAGE_FIXED_FRACTION = "fixed_fraction"
LEAKAGE_AR_AMS0001 = "ar_ams0001"
LEAKAGE_RULES = (LEAKAGE_ZERO, LEAKAGE_FIXED_FRACTION, LEAKAGE_AR_AMS0001)

CAP_AUTO = "auto"
CAP_LTA = "lta"
CAP_END_STOCK = "end_stock"
CAP_RULES = (CAP_AUTO, CAP_LTA, CAP_END_STOCK)


def _number(name: str, value: Any) -> float:
    if isinstance(value, bool) or not isinstance(value, int | float):
        raise ParameterError(name, f"must be a number, got {value!r}")
    if not math.isfinite(value):
        raise ParameterError(name, "must be finite")
    return float(value)


@dataclass(frozen=True)
class GrowthCurve:
    """Chapman–Richards D(t) = dmax_cm (1 − exp(−k t))^p, t in years since planting."""

    dmax_cm: float
    k: float
    p: float

    def __post_init__(self) -> None:
        for name in ("dmax_cm", "k", "p"):
            object.__setattr__(self, name, _number(f"growth_curve.{name}", getattr(self, name)))
        if self.dmax_cm <= 0:
            raise ParameterError("growth_curve.dmax_cm", "must be > 0")
        if not 0 < self.k < 1:
            raise ParameterError("growth_curve.k", "must be between 0 and 1 (exclusive)")
        if self.p < 1:
            raise ParameterError("growth_curve.p", "must be >= 1")

    def to_dict(self) -> dict[str, float]:
        return {"dmax_cm": self.dmax_cm, "k": self.k, "p": self.p}


#: Illustrative starting values of carbon-methods §9.1 (not published fits; calibrate them).
DEFAULT_GROWTH_CURVES: Mapping[str, GrowthCurve] = MappingProxyType(
    {
        "fast_pioneer": GrowthCurve(40.0, 0.20, 1.3),
        "medium_native": GrowthCurve(45.0, 0.12, 1.3),
        "service_shade": GrowthCurve(35.0, 0.12, 1.1),
        "exotic": GrowthCurve(45.0, 0.15, 1.2),
    }
)


def _frozen(mapping: Mapping[str, Any] | None = None) -> Mapping[str, Any]:
    return MappingProxyType(dict(mapping or {}))


@dataclass(frozen=True)
class CarbonParameters:
    """All parameters of the carbon engine (see the field comments for units and meaning)."""

    # Allometry (§3). species_equations: accepted binomial or genus -> equation id.
    default_equation: str = EQ_CHAVE2014_EQ4
    species_equations: Mapping[str, str] = field(default_factory=_frozen)
    e_index: float | None = None  # Chave 2014 E at the project site [CHECK: from E.bil]
    dmin_cm: float = 5.0
    exclude_growth_forms: tuple[str, ...] = ("palm", "banana", "coffee", "bamboo")
    hd_ratio_min: float = 0.125  # m/cm, plausibility flag only
    hd_ratio_max: float = 1.5  # m/cm, plausibility flag only
    # Heights (§3.2): local model (best by RSE) first, Feldpausch W-Amazonia when too few heights.
    height_method: str = METHOD_LOCAL
    height_model: str = HD_BEST
    height_use_weight: bool = False
    height_by_plot: bool = False
    height_fallback: str = METHOD_FELDPAUSCH
    feldpausch_region: str = "WAmazonia"
    # Wood density (§4). local_wood_density: binomial or genus -> g/cm3 (level "local").
    wood_density_table: str = TABLE_GWDD_V1
    wood_density_region: str = REGION_WORLD
    local_wood_density: Mapping[str, float] = field(default_factory=_frozen)
    use_synonyms: bool = True
    # Roots and carbon (§5, §6).
    bgb_method: str = BGB_RATIO
    root_shoot_ratio: float = 0.27
    carbon_fraction: float = 0.47
    # Sampling and uncertainty (§7).
    confidence: float = 0.90
    uncertainty_target: float = 0.10
    deduction_rule: str = DEDUCTION_EXCESS
    # Net removals, buffer and issuance (§8, §10, §11).
    leakage_rule: str = LEAKAGE_ZERO
    leakage_fraction: float = 0.0
    displaced_area_fraction: float = 0.0
    buffer_fraction: float = 0.30  # CarbonFix 30% [CHECK against the current standard]
    # Ex-ante projection (§9). species_growth_groups: binomial or genus -> growth_curves key.
    growth_curves: Mapping[str, GrowthCurve] = field(
        default_factory=lambda: _frozen(DEFAULT_GROWTH_CURVES)
    )
    species_growth_groups: Mapping[str, str] = field(default_factory=_frozen)
    establishment_survival: float = 0.80  # [CHECK] PDD value
    annual_mortality: float = 0.0  # [CHECK] PDD value
    establishment_age_years: int = 1
    crediting_period_years: int = 30  # [CHECK] PDD value (30-50 yr)
    cap_rule: str = CAP_AUTO

    def __post_init__(self) -> None:
        for f in fields(self):
            value = _CHECKS[f.name](f.name, getattr(self, f.name))
            object.__setattr__(self, f.name, value)
        _check_cross_fields(self)

    def __hash__(self) -> int:
        return hash(self.fingerprint())

    def replace(self, **changes: Any) -> CarbonParameters:
        """A copy with some fields changed (validated like a new set)."""
        return CarbonParameters(**{**self._fields(), **changes})

    def _fields(self) -> dict[str, Any]:
        return {f.name: getattr(self, f.name) for f in fields(self)}

    def to_dict(self) -> dict[str, Any]:
        """Plain JSON-compatible dict, with ``schema`` and keys in field order."""
        out: dict[str, Any] = {"schema": PARAMETERS_SCHEMA}
        for name, value in self._fields().items():
            out[name] = _plain(value)
        return out

    @classmethod
    def from_dict(cls, data: Mapping[str, Any]) -> CarbonParameters:
        """Build from :meth:`to_dict` output; missing keys take defaults, unknown keys and bad
        values raise :class:`ParameterError` naming the field."""
        if not isinstance(data, Mapping):
            raise ParameterError("parameters", "must be a mapping")
        known = {f.name for f in fields(cls)}
        values = dict(data)
        schema = values.pop("schema", PARAMETERS_SCHEMA)
        if schema != PARAMETERS_SCHEMA:
            raise ParameterError("schema", f"unsupported {schema!r}, expected {PARAMETERS_SCHEMA}")
        for key in values:
            if key not in known:
                raise ParameterError(str(key), "unknown parameter")
        return cls(**values)

    def canonical_json(self) -> str:
        return json.dumps(
            self.to_dict(),
            sort_keys=True,
            separators=(",", ":"),
            ensure_ascii=False,
            allow_nan=False,
        )

    def fingerprint(self) -> str:
        """SHA-256 (hex) of the canonical JSON: equal parameters, equal fingerprint."""
        return hashlib.sha256(self.canonical_json().encode("utf-8")).hexdigest()


def _plain(value: Any) -> Any:
    if isinstance(value, Mapping):
        return {str(k): _plain(v) for k, v in sorted(value.items())}
    if isinstance(value, tuple):
        return [_plain(v) for v in value]
    if isinstance(value, GrowthCurve):
        return value.to_dict()
    return value


# --- field checks: each returns the normalised value or raises ParameterError --------------------
_Check = Callable[[str, Any], Any]


def _between(low: float, high: float, *, low_open: bool = False, high_open: bool = False) -> _Check:
    def check(name: str, value: Any) -> float:
        number = _number(name, value)
        too_low = number <= low if low_open else number < low
        too_high = number >= high if high_open else number > high
        if too_low or too_high:
            left, right = "(" if low_open else "[", ")" if high_open else "]"
            raise ParameterError(name, f"must be in {left}{low}, {high}{right}, got {number}")
        return number

    return check


def _choice(options: Iterable[str] | Callable[[], Iterable[str]]) -> _Check:
    def check(name: str, value: Any) -> str:
        choices = tuple(options() if callable(options) else options)
        if value not in choices:
            raise ParameterError(name, f"must be one of {', '.join(choices)}; got {value!r}")
        return str(value)

    return check


def _boolean(name: str, value: Any) -> bool:
    if not isinstance(value, bool):
        raise ParameterError(name, f"must be true or false, got {value!r}")
    return value


def _integer(low: int, high: int) -> _Check:
    def check(name: str, value: Any) -> int:
        if isinstance(value, bool) or not isinstance(value, int) or not low <= value <= high:
            raise ParameterError(name, f"must be an integer in [{low}, {high}], got {value!r}")
        return int(value)

    return check


def _optional_number(name: str, value: Any) -> float | None:
    return None if value is None else _number(name, value)


def _name_mapping(check_value: _Check) -> _Check:
    def check(name: str, value: Any) -> Mapping[str, Any]:
        if not isinstance(value, Mapping):
            raise ParameterError(name, "must be a mapping of species or genus names")
        out = {}
        for key, item in value.items():
            if not isinstance(key, str) or not key.strip():
                raise ParameterError(name, f"bad species or genus name {key!r}")
            out[" ".join(key.split())] = check_value(f"{name}[{key}]", item)
        return _frozen(dict(sorted(out.items())))

    return check


def _growth_curves(name: str, value: Any) -> Mapping[str, GrowthCurve]:
    if not isinstance(value, Mapping) or not value:
        raise ParameterError(name, "must be a non-empty mapping of group -> curve")
    out = {}
    for group, curve in value.items():
        if isinstance(curve, GrowthCurve):
            out[str(group)] = curve
        elif isinstance(curve, Mapping) and set(curve) == {"dmax_cm", "k", "p"}:
            out[str(group)] = GrowthCurve(**curve)
        else:
            raise ParameterError(f"{name}[{group}]", "must have dmax_cm, k and p")
    return _frozen(dict(sorted(out.items())))


def _growth_forms(name: str, value: Any) -> tuple[str, ...]:
    if not isinstance(value, tuple | list) or any(v not in GROWTH_FORMS for v in value):
        raise ParameterError(name, f"must list growth forms among {', '.join(GROWTH_FORMS)}")
    return tuple(sorted(set(value)))


def _as_text(name: str, value: Any) -> str:
    if not isinstance(value, str) or not value.strip():
        raise ParameterError(name, "must be a non-empty text")
    return value


_CHECKS = {
    "default_equation": _choice(EQUATIONS),
    "species_equations": _name_mapping(_choice(EQUATIONS)),
    "e_index": _optional_number,
    "dmin_cm": _between(0.0, 50.0),
    "exclude_growth_forms": _growth_forms,
    "hd_ratio_min": _between(0.0, 10.0, low_open=True),
    "hd_ratio_max": _between(0.0, 10.0, low_open=True),
    "height_method": _choice(HEIGHT_METHODS),
    "height_model": _choice((HD_BEST, *HD_METHODS)),
    "height_use_weight": _boolean,
    "height_by_plot": _boolean,
    "height_fallback": _choice((METHOD_FELDPAUSCH, METHOD_CHAVE_E)),
    "feldpausch_region": _choice(lambda: feldpausch_coefficients().keys()),
    "wood_density_table": _choice(TABLES),
    "wood_density_region": _as_text,
    "local_wood_density": _name_mapping(_between(*WD_RANGE)),
    "use_synonyms": _boolean,
    "bgb_method": _choice(BGB_METHODS),
    "root_shoot_ratio": _between(0.0, 2.0),
    "carbon_fraction": _between(0.0, 1.0, low_open=True),
    "confidence": _between(0.0, 1.0, low_open=True, high_open=True),
    "uncertainty_target": _between(0.0, 1.0, low_open=True, high_open=True),
    "deduction_rule": _choice(DEDUCTION_RULES),
    "leakage_rule": _choice(LEAKAGE_RULES),
    "leakage_fraction": _between(0.0, 1.0),
    "displaced_area_fraction": _between(0.0, 1.0),
    "buffer_fraction": _between(0.0, 1.0, high_open=True),
    "growth_curves": _growth_curves,
    "species_growth_groups": _name_mapping(_as_text),
    "establishment_survival": _between(0.0, 1.0, low_open=True),
    "annual_mortality": _between(0.0, 1.0, high_open=True),
    "establishment_age_years": _integer(0, 20),
    "crediting_period_years": _integer(1, 100),
    "cap_rule": _choice(CAP_RULES),
}


def _check_cross_fields(p: CarbonParameters) -> None:
    needs_e = [
        eq for eq in (p.default_equation, *p.species_equations.values()) if EQUATIONS[eq].needs_e
    ]
    if p.e_index is None and needs_e:
        raise ParameterError("e_index", f"required by equation {needs_e[0]}")
    uses_chave_e = p.height_method == METHOD_CHAVE_E or (
        p.height_method == METHOD_LOCAL and p.height_fallback == METHOD_CHAVE_E
    )
    if p.e_index is None and uses_chave_e:
        raise ParameterError("e_index", "required by the chave_e height method")
    if p.hd_ratio_min >= p.hd_ratio_max:
        raise ParameterError("hd_ratio_min", "must be below hd_ratio_max")
    for species, group in p.species_growth_groups.items():
        if group not in p.growth_curves:
            raise ParameterError(f"species_growth_groups[{species}]", f"unknown group {group!r}")
    if p.wood_density_region != REGION_WORLD:
        if p.wood_density_table != TABLE_GWDD_V1:
            raise ParameterError("wood_density_region", "only GWDD v1 has a region filter")
        if p.wood_density_region.lower() not in {r.lower() for r in v1_regions()}:
            raise ParameterError("wood_density_region", f"unknown {p.wood_density_region!r}")


DEFAULT_PARAMETERS = CarbonParameters()
