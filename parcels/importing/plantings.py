"""Import plantings from CSV/XLSX: one cohort (parcel, species, date) per row."""

from __future__ import annotations

from django.utils.translation import gettext as _

from parcels import selectors, validation
from parcels.choices import Arrangement
from parcels.importing.base import Importer, Plan, Planned, Record, RowCheck
from parcels.importing.lookups import parcel_index, resolve_parcel
from parcels.importing.readers.cells import (
    choice_lookup,
    parse_choice,
    parse_date,
    parse_int,
    parse_text,
)
from parcels.importing.writing import insert_with_history, update_with_history
from parcels.models import Planting, Species

ARRANGEMENT_ALIASES = {
    Arrangement.SHADE: ("sombra", "sombra en cafe", "shade trees"),
    Arrangement.BOUNDARY: ("lindero", "cerco vivo", "linea", "boundary line"),
    Arrangement.WOODLOT: ("bosquete", "macizo", "plantacion"),
    Arrangement.DISPERSED: ("disperso", "dispersos"),
}
UPDATED_FIELDS = ("trees_planted", "arrangement", "notes")


class PlantingImporter(Importer):
    """Rows: trees of one species planted on a parcel on one date; the same three update."""

    kind = "plantings"
    aliases = {
        "parcel_code": ("parcela", "codigo_parcela", "parcel", "cod_parcela"),
        "species": ("especie", "species_name", "species_code", "nombre_especie", "codigo_especie"),
        "planted_on": ("fecha", "fecha_siembra", "fecha_plantacion", "date", "planting_date"),
        "trees_planted": ("cantidad", "arboles", "numero_arboles", "count", "trees", "plantones"),
        "arrangement": ("disposicion", "arreglo", "sistema"),
        "notes": ("notas", "observaciones", "comments"),
    }
    required = ("parcel_code", "species", "planted_on", "trees_planted")
    example = {
        "parcel_code": "PCH-0147",
        "species": "Inga edulis",
        "planted_on": "15/11/2010",
        "trees_planted": "120",
        "arrangement": "sombra",
        "notes": "",
    }
    example_en = {"arrangement": "shade"}

    def prepare(self, records: list[Record]) -> None:
        self.parcels = parcel_index(self.context)
        self.species = selectors.species_index()
        self.bounds = {
            pk: (low, high, name)
            for pk, low, high, name in Species.objects.values_list(
                "pk", "min_density_per_ha", "max_density_per_ha", "scientific_name"
            )
        }
        self.existing = {
            (p.parcel_id, p.species_id, p.planted_on): p
            for p in Planting.objects.filter(parcel_id__in=[r.pk for r in self.parcels.values()])
        }
        self.arrangements = choice_lookup(Arrangement.choices, aliases=ARRANGEMENT_ALIASES)
        self.seen: dict[tuple, int] = {}

    def check(self, record: Record, check: RowCheck) -> Planned | None:
        parcel = resolve_parcel(self.parcels, check)
        species_id = check.run(lambda: self.species.resolve(record.values.get("species")))
        planted_on = check.parse(parse_date, "planted_on", required=True)
        trees = check.parse(parse_int, "trees_planted", required=True)
        arrangement = check.parse(parse_choice, "arrangement", lookup=self.arrangements)
        notes = check.parse(parse_text, "notes") or ""
        check.run(lambda: validation.validate_not_future(planted_on, field_name="planted_on"))
        if trees is not None and trees <= 0:
            check.fail("trees_planted", _("At least one tree must be planted."))
        if not check.ok:
            return None
        low, high, name = self.bounds[species_id]
        check.run(
            lambda: validation.validate_planting_density(
                trees=trees,
                area_ha=parcel.area_ha,
                min_per_ha=low,
                max_per_ha=high,
                species_name=name,
            )
        )
        key = (parcel.pk, species_id, planted_on)
        if key in self.seen:
            check.fail(
                "planted_on",
                _("The same parcel, species and date are already on row %(row)s.")
                % {"row": self.seen[key]},
            )
        if not check.ok:
            return None
        self.seen[key] = record.row
        existing = self.existing.get(key)
        instance = existing or Planting(
            parcel_id=parcel.pk, species_id=species_id, planted_on=planted_on
        )
        instance.trees_planted = trees
        instance.arrangement = arrangement or instance.arrangement or Arrangement.SHADE
        instance.notes = notes or instance.notes
        label = f"{parcel.code} · {name} · {planted_on:%d/%m/%Y} · {trees}"
        return Planned(record.row, instance, existing is not None, label)

    def write(self, plan: Plan) -> None:
        user, reason = self.context.user, self.context.reason
        insert_with_history(Planting, [p.instance for p in plan.creates], user=user, reason=reason)
        update_with_history(
            Planting, [p.instance for p in plan.updates], UPDATED_FIELDS, user=user, reason=reason
        )
