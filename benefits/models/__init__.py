from benefits.models.distribution import Distribution, DistributionLine, DistributionSale
from benefits.models.payments import (
    Advance,
    AdvanceRecovery,
    Grievance,
    PaymentChainHead,
    PaymentEvent,
    Statement,
    StatementBatch,
    TrustHold,
)
from benefits.models.policy import ExchangeRate, ImmutableError, SharingPolicy

__all__ = [
    "Advance",
    "AdvanceRecovery",
    "Distribution",
    "DistributionLine",
    "DistributionSale",
    "ExchangeRate",
    "Grievance",
    "ImmutableError",
    "PaymentChainHead",
    "PaymentEvent",
    "SharingPolicy",
    "Statement",
    "StatementBatch",
    "TrustHold",
]
