from benefits.models.distribution import Distribution, DistributionLine, DistributionSale
from benefits.models.jobs import DistributionJob, JobStatus
from benefits.models.payments import (
    Advance,
    AdvanceRecovery,
    ClawbackDeduction,
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
    "ClawbackDeduction",
    "Distribution",
    "DistributionLine",
    "DistributionSale",
    "DistributionJob",
    "JobStatus",
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
