"""Import parcel boundaries from GeoJSON, KML/KMZ, CSV/XLSX with WKT, and ODK/Kobo exports.

Each parcel is checked like one saved in the admin (``Parcel.clean``: valid, inside the project,
plausible size, area in its UTM zone), then against the project's other parcels and the file's
own parcels for overlaps (double claiming).
"""

from __future__ import annotations

from django.utils.translation import gettext as _

from parcels.bulk_parcels import CheckedParcels, check_parcels, register_parcels, update_parcels
from parcels.choices import LandUse, ParcelStatus
from parcels.exceptions import BoundaryLocked
from parcels.importing.base import Importer, Plan, Planned, Record, RowCheck, validation_errors
from parcels.importing.readers.cells import (
    choice_lookup,
    normalize_label,
    parse_bool,
    parse_choice,
    parse_text,
)
from parcels.importing.readers.geo import GEOMETRY_ALIASES, GEOMETRY_FIELD
from parcels.models import Parcel, Stratum
from parcels.validation import normalize_dni
from smallholders.models import Smallholder

LAND_USE_ALIASES = {
    LandUse.COFFEE: ("cafe", "cafe sin sombra", "cafetal"),
    LandUse.PASTURE: ("pasto", "pastos", "potrero"),
    LandUse.ANNUAL_CROPS: ("cultivos anuales", "anuales", "maiz", "yuca"),
    LandUse.FALLOW: ("purma", "barbecho", "degradado", "tierra degradada"),
    LandUse.OTHER: ("otro",),
}
LOCKED = (ParcelStatus.SUBMITTED, ParcelStatus.VALIDATED)


class ParcelImporter(Importer):
    """Rows or features: one parcel each, identified by its code within the project."""

    kind = "parcels"
    geographic = True
    checks_boundaries = True
    aliases = {
        "parcel_code": (
            "codigo",
            "codigo_parcela",
            "cod_parcela",
            "code",
            "ProductionPlace",
            "name",
        ),
        "dni": ("dni_socio", "dni_productor", "farmer_dni", "documento"),
        "parcel_name": ("nombre_parcela", "nombre", "parcel_name"),
        "land_use_before": ("uso_anterior", "uso_previo", "land_use", "uso_de_suelo_anterior"),
        "eligibility_no_forest": (
            "sin_bosque_10_anios",
            "sin_bosque",
            "no_forest",
            "no_forest_10_years",
        ),
        "eligibility_note": ("nota_elegibilidad", "eligibility_note", "notas", "notes"),
        "stratum": ("estrato", "stratum_code"),
        GEOMETRY_FIELD: GEOMETRY_ALIASES,
    }
    required = ("parcel_code", "dni")
    example = {
        "parcel_code": "PCH-0147",
        "dni": "40123456",
        "parcel_name": "La Esperanza",
        "land_use_before": "pasto",
        "eligibility_no_forest": "sí",
        "eligibility_note": "Imagen Landsat 2000",
        "stratum": "",
        GEOMETRY_FIELD: "POLYGON((-74.8712 -10.9278, -74.8705 -10.9281, -74.8709 -10.929, "
        "-74.8712 -10.9278))",
    }
    example_en = {"land_use_before": "pasture", "eligibility_no_forest": "yes"}

    def prepare(self, records: list[Record]) -> None:
        project = self.context.project
        self.owners = {
            owner.dni: owner
            for owner in Smallholder.objects.filter(project=project).only(
                "pk", "dni", "project_id", "cooperative_id"
            )
        }
        self.existing = {
            normalize_label(p.code): p
            for p in Parcel.objects.filter(project=project).select_related("smallholder")
        }
        self.strata = {normalize_label(s.code): s for s in Stratum.objects.filter(project=project)}
        self.land_uses = choice_lookup(LandUse.choices, aliases=LAND_USE_ALIASES)
        self.seen: dict[str, int] = {}
        self.checked: CheckedParcels | None = None  # by finish()

    def check(self, record: Record, check: RowCheck) -> Planned | None:
        code = check.parse(parse_text, "parcel_code", required=True)
        owner = self._owner(check)
        existing = self._existing(check, code)
        values = self._values(check)
        geometry = record.values.get(GEOMETRY_FIELD)
        if not check.ok:
            return None
        folded = normalize_label(code)
        if folded in self.seen:
            check.fail(
                "parcel_code",
                _("This parcel code is already on row %(row)s.") % {"row": self.seen[folded]},
            )
            return None
        self.seen[folded] = record.row
        instance = existing or Parcel(project=self.context.project, code=code)
        instance.smallholder, instance.boundary = owner, geometry
        for name, value in values.items():
            setattr(instance, name, value)
        return Planned(record.row, instance, existing is not None, code)  # + area: finish()

    def _owner(self, check: RowCheck) -> Smallholder | None:
        dni = check.run(lambda: normalize_dni(check.record.values.get("dni")))
        if dni is None:
            return None
        owner = self.owners.get(dni)
        if owner is None or owner.cooperative_id not in self.context.cooperative_ids:
            check.fail(
                "dni",
                _(
                    "No smallholder with DNI %(dni)s in this project (among your "
                    "cooperatives); import the smallholders first."
                )
                % {"dni": dni},
            )
            return None
        return owner

    def _existing(self, check: RowCheck, code: str | None) -> Parcel | None:
        existing = self.existing.get(normalize_label(code or ""))
        if existing is None:
            return None
        if existing.smallholder.cooperative_id not in self.context.cooperative_ids:
            check.fail(
                "parcel_code", _("This parcel code is used by a parcel of another cooperative.")
            )
        elif existing.status in LOCKED:
            check.fail(GEOMETRY_FIELD, str(BoundaryLocked(parcel_code=existing.code)))
        return existing

    def _values(self, check: RowCheck) -> dict[str, object]:
        present = check.record.values.keys()
        values: dict[str, object] = {"land_use_before": self._land_use(check)}
        if "parcel_name" in present:
            values["name"] = check.parse(parse_text, "parcel_name") or ""
        if "eligibility_no_forest" in present:
            values["eligibility_no_forest"] = check.parse(parse_bool, "eligibility_no_forest")
        if "eligibility_note" in present:
            values["eligibility_note"] = check.parse(parse_text, "eligibility_note") or ""
        stratum = check.parse(parse_text, "stratum")
        if stratum is not None:
            values["stratum"] = self.strata.get(normalize_label(stratum))
            if values["stratum"] is None:
                check.fail(
                    "stratum", _("Unknown stratum “%(code)s” in this project.") % {"code": stratum}
                )
        return values

    def _land_use(self, check: RowCheck) -> str | None:
        """The row's land use before the project, else the default chosen for the import."""
        unreadable = len(check.errors)
        land_use = check.parse(parse_choice, "land_use_before", lookup=self.land_uses)
        if land_use is None and len(check.errors) == unreadable:
            land_use = self.context.land_use_before or None
            if land_use is None:
                check.fail(
                    "land_use_before",
                    _(
                        "Give the land use before the project in this column, or choose a default "
                        "land use in the import form (--land-use on the command line)."
                    ),
                )
        return land_use

    def finish(self, plan: Plan) -> None:
        """The rules of parcels.bulk_parcels.parcel_errors for all planned rows at once (by
        check_parcels: at a commit, under the parcel lock, so `write` checks nothing again):
        each parcel's own (Parcel.clean computes the area too), then overlaps with the
        project's other parcels and with the file's earlier parcels (each pair reported once)."""
        planned = sorted(plan.creates + plan.updates, key=lambda p: p.row)
        self.checked = check_parcels(rows=[p.instance for p in planned])
        found = self.checked.errors
        for number, error in found.items():
            plan.errors.extend(validation_errors(error, Record(planned[number - 1].row, {})))
        rejected = {id(planned[number - 1]) for number in found}
        plan.creates = [p for p in plan.creates if id(p) not in rejected]
        plan.updates = [p for p in plan.updates if id(p) not in rejected]
        for accepted in plan.creates + plan.updates:
            accepted.label = f"{accepted.label} · {accepted.instance.area_ha} ha"

    def write(self, plan: Plan) -> None:
        user, reason, checked = self.context.user, self.context.reason, self.checked
        assert checked is not None  # a plan is finished before it is written
        creates = checked.only([p.instance for p in plan.creates])
        updates = checked.only([p.instance for p in plan.updates])
        register_parcels(rows=creates, user=user, reason=reason)
        update_parcels(rows=updates, user=user, reason=reason)
