"""Net removals, buffer and issuance in Decimal (carbon-methods §8, §10, §11; P6, P6b)."""

from decimal import Decimal

import pytest

from quantification.engine import CarbonParameters
from quantification.engine.notices import CarbonInputError
from quantification.engine.removals import compute_issuance, tonnes

P6 = {"c_t1": 12500, "c_t2": 19800, "ghg_emissions": 50, "baseline": 600}


def test_it_reproduces_issuance_example_p6():
    result = compute_issuance(**P6, params=CarbonParameters())
    assert result.delta_c_p == Decimal("7300")
    assert result.delta_c_actual == Decimal("7250")
    assert result.delta_c_net == Decimal("6650")
    assert result.buffer == 1995 and result.issuable == 4655
    assert result.rounding_withheld == 0 and result.reversal == 0
    assert isinstance(result.delta_c_net, Decimal)
    assert result.parameters_fingerprint == CarbonParameters().fingerprint()


def test_it_reproduces_p6b_and_rounds_conservatively():
    params = CarbonParameters(
        leakage_rule="fixed_fraction", leakage_fraction=0.15, buffer_fraction=0.20
    )
    result = compute_issuance(**P6, params=params)
    assert result.leakage == Decimal("1087.5")
    assert result.delta_c_net == Decimal("5562.5")
    assert result.issuable_exact == Decimal("4450")  # the spec's P6b figure, before rounding
    assert result.buffer_exact == Decimal("1112.5")
    assert result.buffer == 1113  # buffer rounded up
    assert result.issuable == 4449  # credits rounded down: buffer + credits <= net removals
    assert result.rounding_withheld == Decimal("0.5")
    assert result.buffer + result.issuable + result.rounding_withheld == result.creditable


@pytest.mark.parametrize(
    ("displaced", "leakage"), [(0.05, "0"), (0.10, "1087.5"), (0.50, "1087.5")]
)
def test_it_applies_the_ar_ams0001_leakage_thresholds(displaced, leakage):
    params = CarbonParameters(leakage_rule="ar_ams0001", displaced_area_fraction=displaced)
    assert compute_issuance(**P6, params=params).leakage == Decimal(leakage)


def test_it_refuses_a_project_displacing_more_than_half_its_area():
    params = CarbonParameters(leakage_rule="ar_ams0001", displaced_area_fraction=0.51)
    with pytest.raises(CarbonInputError, match="not eligible"):
        compute_issuance(**P6, params=params)


def test_it_applies_the_uncertainty_deduction_to_the_change_only():
    result = compute_issuance(c_t1=1000, c_t2=2000, uncertainty=0.25, params=CarbonParameters())
    assert result.deduction_factor == Decimal("0.85")
    assert result.delta_c_p_adjusted == Decimal("850")
    lower = CarbonParameters(deduction_rule="lower_bound")
    assert compute_issuance(
        c_t1=1000, c_t2=2000, uncertainty=0.25, params=lower
    ).delta_c_p_adjusted == Decimal("750")
    within = compute_issuance(c_t1=1000, c_t2=2000, uncertainty=0.09, params=lower)
    assert within.delta_c_p_adjusted == Decimal("1000")


def test_it_records_a_reversal_and_issues_nothing():
    result = compute_issuance(
        c_t1=19800, c_t2=19000, params=CarbonParameters(), outstanding_deficit=100
    )
    assert result.delta_c_net == Decimal("-800")
    assert result.reversal == Decimal("800")
    assert result.deficit_after == Decimal("900")
    assert (result.buffer, result.issuable) == (0, 0)


def test_it_recovers_a_deficit_before_issuing_again():
    result = compute_issuance(
        c_t1=19000, c_t2=20000, params=CarbonParameters(), outstanding_deficit=800
    )
    assert result.deficit_recovered == Decimal("800")
    assert result.creditable == Decimal("200")
    assert (result.buffer, result.issuable) == (60, 140)
    assert result.deficit_after == 0


def test_it_caps_cumulative_credits_at_the_long_term_average():
    result = compute_issuance(
        c_t1=0, c_t2=1000, params=CarbonParameters(), cap=716.153, cumulative_credited=500
    )
    assert result.creditable == Decimal("216.153")
    assert result.cap_withheld == Decimal("783.847")
    assert (result.buffer, result.issuable) == (65, 151)
    full = compute_issuance(
        c_t1=0, c_t2=1000, params=CarbonParameters(), cap=500, cumulative_credited=500
    )
    assert (full.creditable, full.issuable) == (0, 0)


def test_it_takes_floats_by_their_shortest_repr():
    assert tonnes(0.1) == Decimal("0.100000")
    assert tonnes(2 / 3) == Decimal("0.666667")
    result = compute_issuance(c_t1=0.1, c_t2=0.30000000000000004, params=CarbonParameters())
    assert result.delta_c_p == Decimal("0.2")


def test_it_serialises_decimals_as_text():
    data = compute_issuance(**P6, params=CarbonParameters()).to_dict()
    assert data["delta_c_net"] == "6650.000000"
    assert data["issuable"] == 4655
    assert data["method_version"].startswith("pichanaki-carbon")
