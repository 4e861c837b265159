"""Largest-remainder apportionment, pure: split a whole number of units by weights."""

from collections.abc import Sequence
from decimal import Decimal


def apportion(total: int, weights: Sequence[Decimal | int]) -> list[int]:
    """Whole shares of `total` proportional to `weights`, summing exactly to `total`.

    Each share is floor(total × w / Σw); the units left over go to the largest remainders,
    ties to the earlier weight (deterministic).
    """
    if total < 0:
        raise ValueError("total must not be negative")
    decimals = [Decimal(w) for w in weights]
    if any(w < 0 for w in decimals):
        raise ValueError("weights must not be negative")
    weight_sum = sum(decimals, Decimal(0))
    if total == 0:
        return [0] * len(weights)
    if weight_sum == 0:
        raise ValueError("cannot apportion a positive total over zero weights")
    whole = Decimal(total)
    exact = [whole * w / weight_sum for w in decimals]
    shares = [int(x) for x in exact]  # floor: exact values are non-negative
    left = total - sum(shares)
    if left:
        behind = [-(x - s) for x, s in zip(exact, shares, strict=True)]  # minus the remainder
        # a stable sort: equal remainders keep their order (ties to the earlier weight)
        for i in sorted(range(len(weights)), key=behind.__getitem__)[:left]:
            shares[i] += 1
    return shares
