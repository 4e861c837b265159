"""The species catalogue's curated seed list (`data/species_selva_central.csv`) and its loader.

`load_species` is idempotent: rows are matched on the scientific name, updated in place,
never deleted. The data migration passes the historical model; the command the real one.
"""

import csv
from decimal import Decimal
from pathlib import Path
from typing import Any

CATALOGUE = Path(__file__).resolve().parent / "data" / "species_selva_central.csv"
_INTEGERS = ("min_density_per_ha", "max_density_per_ha")


def read_catalogue(path: Path = CATALOGUE) -> list[dict[str, Any]]:
    """The CSV's rows as model field values (booleans, decimals and integers converted)."""
    with path.open(encoding="utf-8", newline="") as handle:
        return [_as_fields(row) for row in csv.DictReader(handle)]


def _as_fields(row: dict[str, str]) -> dict[str, Any]:
    fields: dict[str, Any] = {key: value.strip() for key, value in row.items()}
    fields["native_to_peru"] = fields["native_to_peru"] == "yes"
    fields["wood_density"] = Decimal(fields["wood_density"]) if fields["wood_density"] else None
    for name in _INTEGERS:
        fields[name] = int(fields[name])
    return fields


def load_species(species_model: Any, rows: list[dict[str, Any]] | None = None) -> tuple[int, int]:
    """Create or update each catalogue row by scientific name; returns (created, updated)."""
    created = updated = 0
    for row in read_catalogue() if rows is None else rows:
        defaults = {key: value for key, value in row.items() if key != "scientific_name"}
        _obj, was_created = species_model.objects.update_or_create(
            scientific_name=row["scientific_name"], defaults=defaults
        )
        created += was_created
        updated += not was_created
    return created, updated
