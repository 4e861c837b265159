from decimal import Decimal

import numpy as np
import pytest

from quantification.allocation import largest_remainder, split_signed


def test_it_allocates_whole_tonnes_that_sum_exactly():
    parts = largest_remainder(100, np.array([1.0, 1.0, 1.0]))
    assert parts.tolist() == [34, 33, 33]
    assert largest_remainder(4655, np.array([0.2, 0.3, 0.5, 0.0])).sum() == 4655


def test_it_gives_nothing_to_zero_weights():
    assert largest_remainder(7, np.array([0.0, 2.0, 5.0])).tolist() == [0, 2, 5]


def test_it_refuses_a_total_without_weights():
    with pytest.raises(ValueError):
        largest_remainder(5, np.array([0.0, 0.0]))


def test_it_splits_signed_decimals_exactly():
    parts = split_signed(Decimal("-10.001"), np.array([1.0, 2.0]))
    assert sum(parts) == Decimal("-10.001")
