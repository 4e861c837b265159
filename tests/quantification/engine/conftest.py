"""Shared fixtures of the carbon engine tests (pure numpy; no database is touched)."""

import csv
from decimal import Decimal
from pathlib import Path

import numpy as np
import pytest

FIXTURES = Path(__file__).resolve().parents[2] / "fixtures" / "biomass_nouragues"

#: Spec tolerance (carbon-methods §13): |x/expected - 1| <= 1e-6, 1e-5 for stored rounded values.
REL = 1e-6
REL_ROUNDED = 1e-5


def assert_rel(actual, expected, tol: float = REL) -> None:
    """Element-wise |actual/expected - 1| <= tol (|actual| <= 1e-9 where expected is 0)."""
    actual = np.asarray(actual, dtype=float)
    expected = np.asarray(expected, dtype=float)
    zero = expected == 0
    assert np.all(np.abs(actual[zero]) <= 1e-9), actual[zero]
    ratio = np.abs(actual[~zero] / expected[~zero] - 1)
    assert np.all(ratio <= tol), f"worst relative error {ratio.max():.3g} > {tol}"


def assert_stated(actual, stated: str) -> None:
    """``actual`` equals a value printed in the spec to the digits printed there."""
    decimals = len(stated.split(".")[1]) if "." in stated else 0
    half_unit = Decimal(1).scaleb(-decimals) / 2
    assert abs(Decimal(repr(float(actual))) - Decimal(stated)) <= half_unit, (actual, stated)


def _read(name: str) -> list[dict[str, str]]:
    with (FIXTURES / name).open(newline="") as handle:
        return list(csv.DictReader(handle))


@pytest.fixture(scope="session")
def nouragues_hd() -> tuple[np.ndarray, np.ndarray]:
    """BIOMASS NouraguesHD: D (cm) and H (m, NaN where not measured) of 1051 trees."""
    rows = _read("NouraguesHD.csv")
    d = np.array([float(r["D"]) for r in rows])
    h = np.array([float(r["H"]) if r["H"] else np.nan for r in rows])
    return d, h


@pytest.fixture(scope="session")
def vignette() -> dict[str, np.ndarray]:
    """The 2050 trees of the BIOMASS vignette output (NouraguesTreesAGB)."""
    rows = _read("NouraguesTreesAGB_vignette.csv")
    return {key: np.array([float(r[key]) for r in rows]) for key in rows[0] if key != "Plot"}
