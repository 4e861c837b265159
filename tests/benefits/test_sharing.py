"""Property tests of the pure sharing maths (no database)."""

from decimal import Decimal

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from benefits.sharing import (
    CENT,
    ParcelInput,
    PolicyError,
    Terms,
    apportion_cents,
    check_terms,
    effective_producer_fraction,
    inputs_hash,
    recover_advance,
    split_pools,
    split_producers,
)

fractions = st.decimals(min_value=0, max_value=Decimal("0.1"), places=4)
money = st.decimals(min_value=0, max_value=Decimal("10000000"), places=2)
weights = st.lists(st.decimals(min_value=0, max_value=10**6, places=3), min_size=1, max_size=40)


@st.composite
def valid_terms(draw: st.DrawFn) -> Terms:
    """Terms that pass check_terms: producers at or over the 60% floor, nothing over 100%."""
    basis = draw(st.sampled_from(["gross", "net"]))
    costs = tuple((f"c{i}", draw(fractions)) for i in range(draw(st.integers(0, 2))))
    cost_total = sum((f for _, f in costs), Decimal(0))
    if basis == "gross":
        low, high = Decimal("0.60"), 1 - cost_total
    else:
        low = (Decimal("0.60") / (1 - cost_total)).quantize(Decimal("0.0001"), "ROUND_CEILING")
        high = Decimal(1)
    producers = draw(st.decimals(min_value=low, max_value=high, places=4))
    rest = high - producers
    coop = draw(st.decimals(min_value=0, max_value=rest, places=4))
    fund = draw(st.decimals(min_value=0, max_value=rest - coop, places=4))
    terms = Terms(basis, costs, producers, coop, fund)
    check_terms(terms)
    return terms


@settings(max_examples=300, deadline=None)
@given(gross=money, terms=valid_terms())
def test_pools_add_up_to_the_gross_and_producers_never_under_the_floor(gross, terms):
    pools = split_pools(gross, terms)
    assert sum(pools.parts(), Decimal(0)) == gross
    assert all(part >= 0 for part in pools.parts())
    assert pools.producers >= gross * terms.floor
    assert all(part == part.quantize(CENT) for part in pools.parts())


@settings(max_examples=300, deadline=None)
@given(pool=money, raw=weights)
def test_lines_add_up_exactly_and_each_family_is_within_a_centimo(pool, raw):
    if not any(raw):
        raw = [*raw[:-1], Decimal(1)]
    parcels = [ParcelInput(family=f"{i:04d}", parcel=f"p{i}", weight=w) for i, w in enumerate(raw)]
    shares = split_producers(pool, parcels)
    assert sum((s.share for s in shares), Decimal(0)) == pool
    total_weight = sum(raw, Decimal(0))
    for s in shares:
        exact = pool * s.weight / total_weight
        assert abs(s.share - exact) < CENT


@settings(max_examples=200, deadline=None)
@given(pool=money, raw=weights, data=st.data())
def test_held_parts_are_the_off_target_parcels_and_never_exceed_the_share(pool, raw, data):
    if not any(raw):
        raw = [*raw[:-1], Decimal(1)]
    parcels = [
        ParcelInput(
            family=f"f{i % 3}", parcel=f"p{i:03d}", weight=w, on_target=data.draw(st.booleans())
        )
        for i, w in enumerate(raw)
    ]
    for s in split_producers(pool, parcels):
        assert Decimal(0) <= s.held <= s.share
        off = {p.parcel for p in parcels if p.family == s.family and not p.on_target}
        assert set(s.held_parcels) == off


@given(payable=money, outstanding=money, rate=st.decimals(min_value=0, max_value=1, places=2))
def test_advance_recovery_never_makes_a_payment_negative(payable, outstanding, rate):
    taken = recover_advance(payable, outstanding, rate)
    assert Decimal(0) <= taken <= outstanding
    assert payable - taken >= 0
    assert taken <= payable * rate


def test_a_policy_under_the_floor_is_refused_with_the_reason():
    terms = Terms(
        "net", (("verification", Decimal("0.10")),), Decimal("0.65"), Decimal(0), Decimal(0)
    )
    assert effective_producer_fraction(terms) == Decimal("0.585")
    with pytest.raises(PolicyError, match=r"58\.50% of the gross price, under the floor of 60%"):
        check_terms(terms)


def test_shares_over_the_whole_price_are_refused():
    terms = Terms("gross", (), Decimal("0.70"), Decimal("0.20"), Decimal("0.15"))
    with pytest.raises(PolicyError, match="more than the whole price"):
        check_terms(terms)


def test_same_inputs_same_lines_same_hash_and_order_does_not_matter():
    parcels = [ParcelInput("2", "b", Decimal(1)), ParcelInput("1", "a", Decimal(2))]
    first = split_producers(Decimal("100.00"), parcels)
    second = split_producers(Decimal("100.00"), list(reversed(parcels)))
    assert first == second
    assert inputs_hash(first) == inputs_hash(second)
    assert inputs_hash(first) != inputs_hash(split_producers(Decimal("100.01"), parcels))


def test_largest_remainder_gives_the_leftover_centimo_to_the_largest_remainder():
    assert apportion_cents(Decimal("0.10"), [Decimal(1)] * 3) == [
        Decimal("0.04"),
        Decimal("0.03"),
        Decimal("0.03"),
    ]
