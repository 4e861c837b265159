"""How every figure is shown: localised (thousands separator, decimal comma in Spanish), with the
precision of its unit. One set of helpers for models' labels, the admin and the templates
(`{% load numbers %}`); years, serials and codes are not figures and stay as they are.
"""

from collections.abc import Callable
from decimal import Decimal
from typing import Any, TypedDict

from django.db import models
from django.utils import formats
from django.utils.translation import get_language

HECTARES = 2  # decimals
TONNES = 1
MONEY = 2
PERCENT = 1


class DecimalSpec(TypedDict):
    """Arguments shared by a unit's DecimalFields (`**TONNES`), typed so the checker sees them."""

    max_digits: int
    decimal_places: int


class BoundedDecimalSpec(DecimalSpec):
    """A DecimalSpec with the validators of its range (`**FRACTION`)."""

    validators: list[Callable[[Any], None]]


#: integer fields that are labels, not quantities (no thousands separator)
NOT_FIGURES = {
    "vintage",
    "year",
    "birth_year",
    "number",
    "version",
    "next_serial",
    "serial_start",
    "serial_end",
    "response_status",
    "progress",
}


def number(value: object, decimals: int | None = None) -> str:
    """`value` localised with thousands separators; `decimals` fixed when given; "—" for None."""
    if value is None or value == "":
        return "—"
    if decimals is not None:
        value = Decimal(value).quantize(Decimal(1).scaleb(-decimals))
    return formats.number_format(value, decimal_pos=decimals, force_grouping=True)


def hectares(value: object) -> str:
    return number(value, HECTARES)


def tonnes(value: object) -> str:
    return number(value, TONNES)


def money(value: object) -> str:
    return number(value, MONEY)


def units(value: object) -> str:
    """Whole credit units (1 unit = 1 tCO2e)."""
    return number(value, 0)


def species_label(species: object) -> str:
    """Common name (active language, else Spanish) first, the scientific name beside it:
    "cedro (Cedrela odorata)"; the scientific name alone when there is no common name."""
    english = (get_language() or "").startswith("en") and getattr(species, "common_name_en", "")
    common = english or getattr(species, "common_name_es", "") or ""
    scientific = species.scientific_name
    return f"{common} ({scientific})" if common and common != scientific else scientific


def decimals_for(field: models.Field) -> int | None:
    """The precision a model field's figure is shown with, by its unit; None: not a figure."""
    name = field.name
    if name in NOT_FIGURES or field.choices:
        return None
    if isinstance(field, models.DecimalField | models.FloatField):
        if "price" in name or "total" in name:
            return MONEY
        if name.endswith("_pct"):
            return PERCENT
        if "tco2e" in name or "_t_ha" in name:
            return TONNES
        if "area" in name or name.endswith("_ha") or name.endswith("_m2"):
            return HECTARES
        return getattr(field, "decimal_places", None)
    if isinstance(field, models.IntegerField) and not field.primary_key:
        return 0
    return None
