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
    if any(Decimal(w) < 0 for w in weights):
        raise ValueError("weights must not be negative")
    weight_sum = sum((Decimal(w) for w in weights), Decimal(0))
    if total == 0:
        return [0] * len(weights)
    if weight_sum == 0:
        raise ValueError("cannot apportion a positive total over zero weights")
    exact = [Decimal(total) * Decimal(w) / weight_sum for w in weights]
    shares = [int(x) for x in exact]  # floor: exact values are non-negative
    left = total - sum(shares)
    order = sorted(range(len(weights)), key=lambda i: (-(exact[i] - shares[i]), i))
    for i in order[:left]:
        shares[i] += 1
    return shares
