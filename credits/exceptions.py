"""Domain errors of the credit ledger. The API maps them to HTTP 409 (`code` is the error code)."""

from django.utils.translation import gettext as _


class CreditsError(Exception):
    """Base class: a ledger operation that is refused in the current state."""

    code = "credits_error"

    def __init__(self, message: str) -> None:
        super().__init__(message)
        self.message = message


class InsufficientCredits(CreditsError):
    """Fewer units are available than requested; nothing was moved."""

    code = "insufficient_credits"

    def __init__(self, *, requested: int, available: int) -> None:
        super().__init__(
            _("Not enough credits: %(requested)s requested, %(available)s available.")
            % {"requested": requested, "available": available}
        )
        self.requested = requested
        self.available = available


class CreditsBusy(CreditsError):
    """Another operation holds the lock on these credits; retry shortly."""

    code = "credits_busy"

    def __init__(self, message: str = "") -> None:
        super().__init__(message or _("The credits are busy with another operation; retry."))


class RunNotIssuable(CreditsError):
    """The calculation run is not approved, not found, or has nothing to issue."""

    code = "run_not_issuable"


class AlreadyIssued(CreditsError):
    """The run (or one of its vintages) was issued before; issuing twice is refused."""

    code = "already_issued"


class ReservationNotPending(CreditsError):
    """The reservation was already confirmed, released or expired."""

    code = "reservation_not_pending"


class ReservationExpired(ReservationNotPending):
    """The reservation's expiry has passed; it can no longer be confirmed."""

    code = "reservation_expired"


class NotRetirable(CreditsError):
    """Only verified units can be retired (ex-ante units never)."""

    code = "not_retirable"


class InvalidOperation(CreditsError):
    """Bad arguments for a ledger operation (quantity, accounts, dates...)."""

    code = "invalid_operation"


class ConversionBlocked(CreditsError):
    """Ex-ante units of these vintages are reserved; release or confirm them first."""

    code = "conversion_blocked"
