"""Lookups by natural key, loaded once per import and limited to the user's scope.

Records outside the scope are reported exactly like unknown ones, so an import reveals nothing
about other cooperatives' data.
"""

from __future__ import annotations

from dataclasses import dataclass

from django.utils.translation import gettext as _

from parcels.importing.base import ImportContext, Record, RowCheck
from parcels.importing.readers.cells import normalize_label, parse_text
from parcels.models import Parcel
from smallholders.models import Cooperative


def cooperative_index(context: ImportContext) -> dict[str, Cooperative]:
    """The cooperatives rows may name, by folded code and name."""
    index: dict[str, Cooperative] = {}
    for cooperative in Cooperative.objects.filter(pk__in=context.cooperative_ids):
        index[normalize_label(cooperative.code)] = cooperative
        index.setdefault(normalize_label(cooperative.name), cooperative)
    return index


def resolve_cooperative(
    context: ImportContext, index: dict[str, Cooperative], record: Record, check: RowCheck
) -> Cooperative | None:
    """The row's cooperative: its `cooperative` cell, else the job's, else the only one allowed."""
    text = check.parse(parse_text, "cooperative")
    if text is None:
        if context.cooperative is not None:
            return context.cooperative
        if len(set(index.values())) == 1:
            return next(iter(index.values()))
        check.fail(
            "cooperative",
            _("Give the cooperative (its code) in this column or in the import form."),
        )
        return None
    cooperative = index.get(normalize_label(text))
    if cooperative is None:
        check.fail(
            "cooperative",
            _("Unknown cooperative “%(code)s” (or not one you may import for in this project).")
            % {"code": text},
        )
    return cooperative


@dataclass(frozen=True)
class ParcelRef:
    """What rows referring to a parcel need to know about it."""

    pk: int
    code: str
    cooperative_id: int
    area_ha: object
    status: str


def parcel_index(context: ImportContext) -> dict[str, ParcelRef]:
    """The project's parcels in scope, by folded code."""
    rows = Parcel.objects.filter(
        project=context.project, smallholder__cooperative_id__in=context.cooperative_ids
    ).values_list("pk", "code", "smallholder__cooperative_id", "area_ha", "status")
    return {
        normalize_label(code): ParcelRef(pk, code, coop, area, status)
        for pk, code, coop, area, status in rows
    }


def resolve_parcel(
    index: dict[str, ParcelRef], check: RowCheck, name: str = "parcel_code"
) -> ParcelRef | None:
    code = check.parse(parse_text, name, required=True)
    if code is None:
        return None
    parcel = index.get(normalize_label(code))
    if parcel is None:
        check.fail(
            name,
            _("Unknown parcel “%(code)s” in this project (or not one of your cooperatives).")
            % {"code": code},
        )
    return parcel
