"""Validators for Peruvian identifiers."""

from django.core.exceptions import ValidationError
from django.utils.translation import gettext_lazy as _

_RUC_WEIGHTS = (5, 4, 3, 2, 7, 6, 5, 4, 3, 2)


def ruc_check_digit(first_ten: str) -> int:
    """SUNAT's modulo-11 check digit of a RUC (tax id) from its first ten digits."""
    remainder = 11 - sum(int(d) * w for d, w in zip(first_ten, _RUC_WEIGHTS, strict=True)) % 11
    return {10: 0, 11: 1}.get(remainder, remainder)


def validate_ruc(value: str) -> None:
    if len(value) != 11 or not value.isdigit():
        raise ValidationError(_("A RUC has exactly 11 digits."), code="ruc_format")
    if value[:2] not in ("10", "15", "17", "20"):
        raise ValidationError(_("A RUC starts with 10, 15, 17 or 20."), code="ruc_prefix")
    if ruc_check_digit(value[:10]) != int(value[10]):
        raise ValidationError(
            _("The RUC check digit is wrong; please check the number."), code="ruc_check"
        )


def validate_dni(value: str) -> None:
    if len(value) != 8 or not value.isdigit():
        raise ValidationError(_("A DNI has exactly 8 digits."), code="dni_format")
