"""Import plantings from CSV/XLSX: one cohort (parcel, species, date) per row."""

from __future__ import annotations

from django.utils.translation import gettext as _

from parcels import selectors, validation
from parcels.bulk import record_plantings, update_plantings, validate_planting
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
from parcels.models import Parcel, Planting, Species

ARRANGEMENT_ALIASES = {
    Arrangement.SHADE: ("sombra", "sombra en cafe", "shade trees"),
    Arrangement.BOUNDARY: ("lindero", "cerco vivo", "linea", "boundary line"),
    Arrangement.WOODLOT: ("bosquete", "macizo", "plantacion"),
    Arrangement.DISPERSED: ("disperso", "dispersos"),
}


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
        self.species_rows = Species.objects.in_bulk()
        parcel_ids = [r.pk for r in self.parcels.values()]
        # The fields validate_planting reads, once for all rows.
        self.parcel_rows = Parcel.objects.only("pk", "code", "area_ha").in_bulk(parcel_ids)
        self.existing = {
            (p.parcel_id, p.species_id, p.planted_on): p
            for p in Planting.objects.filter(parcel_id__in=parcel_ids)
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
        key = (parcel.pk, species_id, planted_on)
        existing = self.existing.get(key)
        instance = existing or Planting(planted_on=planted_on)
        instance.parcel = self.parcel_rows[parcel.pk]  # rows in memory: read, not looked up
        instance.species = self.species_rows[species_id]
        instance.trees_planted = trees
        instance.arrangement = arrangement or instance.arrangement or Arrangement.SHADE
        instance.notes = notes or instance.notes
        check.run(lambda: validate_planting(instance))  # the rules record_plantings applies
        if key in self.seen:
            check.fail(
                "planted_on",
                _("The same parcel, species and date are already on row %(row)s.")
                % {"row": self.seen[key]},
            )
        if not check.ok:
            return None
        self.seen[key] = record.row
        name = self.species_rows[species_id].scientific_name
        label = f"{parcel.code} · {name} · {planted_on:%d/%m/%Y} · {trees}"
        return Planned(record.row, instance, existing is not None, label)

    def write(self, plan: Plan) -> None:
        user, reason = self.context.user, self.context.reason
        record_plantings(rows=[p.instance for p in plan.creates], user=user, reason=reason)
        update_plantings(rows=[p.instance for p in plan.updates], user=user, reason=reason)
