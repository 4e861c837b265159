"""Net anthropogenic removals and issuance of one monitoring period (§8, §10, §11), in Decimal.

Tonnes are ``Decimal`` quantised to 1e-6 t (one gram); credits and buffer are whole tonnes.
Steps (``compute_issuance``)::

    ΔC_P        = C(t2) − C(t1)                        C(t1): last verified stock
    ΔC_P,adj    = ΔC_P × deduction factor(u)           only a gain is reduced (§7.4)
    ΔC_ACTUAL   = ΔC_P,adj − GHG_E
    LK          = leakage rule on ΔC_ACTUAL            zero / fixed fraction / AR-AMS0001
    ΔC_NET      = ΔC_ACTUAL − ΔC_BSL − LK
    ΔC_NET < 0  -> reversal of −ΔC_NET (added to the outstanding deficit), nothing issued
    otherwise   -> the outstanding deficit is recovered first (no credits for regrowth of a
                   loss), then the cap (LTA or end stock) limits cumulative credits,
                   buffer = ⌈buffer% × creditable⌉, issuable = ⌊creditable − buffer⌋,
                   and the fraction of a tonne left over is recorded as ``rounding_withheld``.

Rounding is conservative: buffer up, credits down, buffer + issuable ≤ creditable. (Example P6b
of the spec gives issuable 4450 = 5562.5 − 1112.5 before rounding; with a buffer of ⌈1112.5⌉ =
1113 whole tonnes, 4449 tonnes are issuable and 0.5 t is withheld.)
"""

from __future__ import annotations

from dataclasses import asdict, dataclass
from decimal import ROUND_CEILING, ROUND_FLOOR, ROUND_HALF_EVEN, Decimal
from typing import Any, TypedDict

from .notices import CarbonInputError, Notice, gettext_noop
from .parameters import (
    LEAKAGE_FIXED_FRACTION,
    LEAKAGE_ZERO,
    METHOD_VERSION,
    CarbonParameters,
)
from .sampling import deduction_factor

TONNE_QUANTUM = Decimal("0.000001")
FRACTION_QUANTUM = Decimal("0.000000001")
ZERO = Decimal(0)
#: AR-AMS0001 leakage: displaced area share thresholds and the leakage share between them.
AMS0001_FREE = Decimal("0.10")
AMS0001_MAX = Decimal("0.50")
AMS0001_SHARE = Decimal("0.15")


def tonnes(value: Decimal | int | float | str) -> Decimal:
    """A tonne amount as Decimal quantised to 1e-6 t (floats via their shortest repr)."""
    return _decimal(value).quantize(TONNE_QUANTUM, rounding=ROUND_HALF_EVEN)


def fraction(value: Decimal | int | float | str) -> Decimal:
    """A share (uncertainty, buffer %, leakage %) as Decimal quantised to 1e-9."""
    return _decimal(value).quantize(FRACTION_QUANTUM, rounding=ROUND_HALF_EVEN)


def _decimal(value: Decimal | int | float | str) -> Decimal:
    if isinstance(value, float):
        return Decimal(repr(value))
    return Decimal(value)


@dataclass(frozen=True)
class IssuanceResult:
    """Every intermediate of one period's issuance (tonnes CO2e as Decimal)."""

    c_t1: Decimal
    c_t2: Decimal
    delta_c_p: Decimal
    uncertainty: Decimal
    deduction_rule: str
    deduction_factor: Decimal
    delta_c_p_adjusted: Decimal
    ghg_emissions: Decimal
    delta_c_actual: Decimal
    baseline: Decimal
    leakage_rule: str
    leakage: Decimal
    delta_c_net: Decimal
    deficit_before: Decimal
    deficit_recovered: Decimal
    cap: Decimal | None
    cumulative_before: Decimal
    cap_withheld: Decimal
    creditable: Decimal
    buffer_fraction: Decimal
    buffer_exact: Decimal
    buffer: int
    issuable_exact: Decimal
    issuable: int
    rounding_withheld: Decimal
    reversal: Decimal
    deficit_after: Decimal
    parameters_fingerprint: str
    method_version: str = METHOD_VERSION

    def to_dict(self) -> dict[str, Any]:
        """JSON-ready: Decimals as strings, so no digit is lost."""
        return {k: str(v) if isinstance(v, Decimal) else v for k, v in asdict(self).items()}


def leakage_for(delta_c_actual: Decimal, params: CarbonParameters) -> Decimal:
    """Leakage LK (§8) by the parameter set's rule; never negative."""
    if delta_c_actual <= 0 or params.leakage_rule == LEAKAGE_ZERO:
        return ZERO
    if params.leakage_rule == LEAKAGE_FIXED_FRACTION:
        return tonnes(fraction(params.leakage_fraction) * delta_c_actual)
    displaced = fraction(params.displaced_area_fraction)
    if displaced > AMS0001_MAX:
        raise CarbonInputError(
            [
                Notice(
                    "leakage.not_eligible",
                    gettext_noop(
                        "displaced area is %(share)s of the project area: above 50%% the project "
                        "is not eligible under AR-AMS0001"
                    ),
                    {"share": str(displaced)},
                )
            ]
        )
    # The remaining rule is LEAKAGE_AR_AMS0001 (parameters validate the choice).
    return ZERO if displaced < AMS0001_FREE else tonnes(AMS0001_SHARE * delta_c_actual)


def compute_issuance(
    *,
    c_t1: Decimal | float | str,
    c_t2: Decimal | float | str,
    params: CarbonParameters,
    uncertainty: Decimal | float | str = 0,
    ghg_emissions: Decimal | float | str = 0,
    baseline: Decimal | float | str = 0,
    leakage: Decimal | float | str | None = None,
    buffer_fraction: Decimal | float | str | None = None,
    cap: Decimal | float | str | None = None,
    cumulative_credited: Decimal | float | str = 0,
    outstanding_deficit: Decimal | float | str = 0,
) -> IssuanceResult:
    """Issuance of one monitoring period (see the module docstring for the steps).

    ``uncertainty`` is u of the stock *change* (per-plot changes, or
    :func:`~.sampling.independent_change_uncertainty`); ``leakage`` overrides the
    parameter rule with a value computed elsewhere (e.g. AR-TOOL15); ``buffer_fraction``
    overrides the parameter set's (a per-verification value); ``cap`` is the ex-ante LTA or
    end stock and ``cumulative_credited`` the ΔC_NET credited so far (buffer included);
    ``outstanding_deficit`` the reversals not yet recovered.
    """
    t1, t2 = tonnes(c_t1), tonnes(c_t2)
    u = fraction(uncertainty)
    target = fraction(params.uncertainty_target)
    factor = deduction_factor(u, rule=params.deduction_rule, target=target)
    delta_p = t2 - t1
    adjusted = tonnes(delta_p * factor) if delta_p > 0 else delta_p
    emissions, bsl = tonnes(ghg_emissions), tonnes(baseline)
    actual = adjusted - emissions
    lk = leakage_for(actual, params) if leakage is None else tonnes(leakage)
    net = actual - bsl - lk
    share = fraction(params.buffer_fraction if buffer_fraction is None else buffer_fraction)
    credit = _credit(net, tonnes(outstanding_deficit), cap, tonnes(cumulative_credited), share)
    return IssuanceResult(
        c_t1=t1,
        c_t2=t2,
        delta_c_p=delta_p,
        uncertainty=u,
        deduction_rule=params.deduction_rule,
        deduction_factor=factor,
        delta_c_p_adjusted=adjusted,
        ghg_emissions=emissions,
        delta_c_actual=actual,
        baseline=bsl,
        leakage_rule=params.leakage_rule if leakage is None else "explicit",
        leakage=lk,
        delta_c_net=net,
        cumulative_before=tonnes(cumulative_credited),
        cap=None if cap is None else tonnes(cap),
        buffer_fraction=share,
        parameters_fingerprint=params.fingerprint(),
        **credit,
    )


class _Credit(TypedDict):
    """The crediting fields of an IssuanceResult, as _credit and _nothing compute them."""

    deficit_before: Decimal
    deficit_recovered: Decimal
    cap_withheld: Decimal
    creditable: Decimal
    buffer_exact: Decimal
    buffer: int
    issuable_exact: Decimal
    issuable: int
    rounding_withheld: Decimal
    reversal: Decimal
    deficit_after: Decimal


def _credit(
    net: Decimal,
    deficit: Decimal,
    cap: Decimal | float | str | None,
    cumulative: Decimal,
    share: Decimal,
) -> _Credit:
    if net < 0:
        return _nothing(deficit, recovered=ZERO, withheld=ZERO, reversal=-net)
    recovered = min(net, deficit)
    remaining = net - recovered
    room = remaining if cap is None else max(tonnes(cap) - cumulative, ZERO)
    creditable = min(remaining, room)
    if creditable <= 0:
        return _nothing(deficit, recovered=recovered, withheld=remaining, reversal=ZERO)
    buffer_exact = tonnes(share * creditable)
    whole = int(creditable.to_integral_value(rounding=ROUND_FLOOR))
    buffer = min(int(buffer_exact.to_integral_value(rounding=ROUND_CEILING)), whole)
    issuable = whole - buffer
    return {
        "deficit_before": deficit,
        "deficit_recovered": recovered,
        "cap_withheld": remaining - creditable,
        "creditable": creditable,
        "buffer_exact": buffer_exact,
        "buffer": buffer,
        "issuable_exact": creditable - buffer_exact,
        "issuable": issuable,
        "rounding_withheld": creditable - buffer - issuable,
        "reversal": ZERO,
        "deficit_after": deficit - recovered,
    }


def _nothing(
    deficit: Decimal, *, recovered: Decimal, withheld: Decimal, reversal: Decimal
) -> _Credit:
    """Nothing issued: a reversal, or everything went to the deficit or beyond the cap."""
    return {
        "deficit_before": deficit,
        "deficit_recovered": recovered,
        "cap_withheld": withheld,
        "creditable": ZERO,
        "buffer_exact": ZERO,
        "buffer": 0,
        "issuable_exact": ZERO,
        "issuable": 0,
        "rounding_withheld": ZERO,
        "reversal": reversal,
        "deficit_after": deficit - recovered + reversal,
    }
