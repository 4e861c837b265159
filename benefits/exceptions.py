"""Errors of benefit sharing, each with a message for the person who caused it."""

from django.utils.translation import gettext_lazy as _


class BenefitsError(Exception):
    """Base class: `str(exc)` is the user-facing reason."""

    default = _("The benefit-sharing operation was refused.")

    def __init__(self, message: str | None = None) -> None:
        super().__init__(str(message or self.default))


class PolicyRefused(BenefitsError):
    default = _("This sharing policy was refused.")


class NothingToDistribute(BenefitsError):
    default = _("There are no confirmed sales left to distribute.")


class AlreadyDistributed(BenefitsError):
    default = _("Some of these sales are already in a distribution.")


class NotApprovable(BenefitsError):
    default = _("This distribution cannot be approved.")


class BenefitsBusy(BenefitsError):
    default = _("Another person is working on these sales; try again in a moment.")


class ConfirmationRefused(BenefitsError):
    """A payment-confirmation file with mismatches: `errors` names each one."""

    def __init__(self, errors: list[str]) -> None:
        self.errors = errors
        super().__init__("; ".join(errors))
