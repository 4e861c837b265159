"""Largest-remainder allocation: split a whole number of tonnes so the parts add up exactly.

Pure (no ORM). Used to share a project's issuable tonnes among parcels and vintages: each part
gets the floor of its exact share, and the tonnes left over go one by one to the largest
fractional remainders (ties broken by position, so the result is deterministic).
"""

from decimal import ROUND_FLOOR, Decimal

import numpy as np


def largest_remainder(total: int, weights: np.ndarray) -> np.ndarray:
    """Integers proportional to non-negative `weights` that sum exactly to `total` (>= 0).

    Zero weights get zero; all-zero weights with a positive total raise ValueError.
    """
    weights = np.asarray(weights, dtype=np.float64)
    if total < 0 or (weights < 0).any():
        raise ValueError("largest_remainder needs a non-negative total and weights")
    if total == 0 or weights.size == 0:
        return np.zeros(weights.size, dtype=np.int64)
    weight_sum = weights.sum()
    if weight_sum <= 0:
        raise ValueError("largest_remainder needs a positive weight to allocate to")
    exact = weights * (total / weight_sum)
    parts = np.floor(exact).astype(np.int64)
    left = total - int(parts.sum())
    # Stable sort on the negated remainder: equal remainders keep their order.
    order = np.argsort(-(exact - parts), kind="stable")
    parts[order[:left]] += 1
    return parts


def split_signed(total: Decimal, weights: np.ndarray, places: int = 3) -> list[Decimal]:
    """Split a Decimal (any sign) into `places`-decimal parts that sum exactly to it."""
    unit = Decimal(1).scaleb(-places)
    units = int((abs(total) / unit).to_integral_value(rounding=ROUND_FLOOR))
    parts = largest_remainder(units, np.abs(weights)) if units else np.zeros(len(weights), int)
    sign = -1 if total < 0 else 1
    return [sign * int(p) * unit for p in parts]
