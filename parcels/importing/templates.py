"""Downloadable import templates: the importer's columns with an example row, CSV or XLSX.

Spanish templates use Spanish headers and Spanish choice labels, English ones the canonical
names and values; the importer accepts both. CSVs follow the project's one rule
(:mod:`pichanaki.exports`): Spanish ``;`` and decimal comma, English ``,`` and decimal point.

The example row imports as it is for the person who downloads it: it names their cooperative,
one of their smallholders or parcels, a DNI and parcel code not yet used, and a boundary that
lies in the project area clear of every parcel (:func:`example_refs`).
"""

from __future__ import annotations

from dataclasses import dataclass

from django.contrib.auth.models import User
from django.contrib.gis.geos import MultiPolygon, Polygon

from parcels.importing.labels import SPANISH_HEADERS
from parcels.importing.services import IMPORTERS
from parcels.models import Parcel
from parcels.selectors import parcels_for
from pichanaki.exports import csv_text, xlsx_bytes
from smallholders.models import Project, Smallholder
from smallholders.selectors import cooperatives_for, projects_for, smallholders_for

#: the example boundary's side in degrees (about 110 m, 1.2 ha) and where it is first tried
_SIDE = 0.001
_DEFAULT_CORNER = (-74.8712, -10.9290)
_TRIES = 60


@dataclass(frozen=True)
class ExampleRefs:
    """Values of the example row that must match (or must not clash with) stored data."""

    cooperative: str = ""
    dni: str = "40123456"
    new_dni: str = "40123456"
    parcel_code: str = "PCH-0147"
    new_parcel_code: str = "PCH-0147"
    boundary: str = ""


def example_refs(user: User) -> ExampleRefs:
    """References from the first project and cooperative `user` may import for."""
    project = projects_for(user=user).order_by("pk").first()
    if project is None:
        return ExampleRefs()
    cooperative = cooperatives_for(user=user).filter(projects=project).order_by("pk").first()
    owners = smallholders_for(user=user).filter(project=project)
    if cooperative is not None:
        owners = owners.filter(cooperative=cooperative)
    owner = owners.order_by("pk").values_list("dni", flat=True).first()
    parcel = (
        parcels_for(user=user)
        .filter(project=project, smallholder__dni=owner)
        .order_by("pk")
        .values_list("code", flat=True)
        .first()
    )
    dnis = set(Smallholder.objects.filter(project=project).values_list("dni", flat=True))
    codes = set(Parcel.objects.filter(project=project).values_list("code", flat=True))
    return ExampleRefs(
        cooperative=cooperative.code if cooperative else "",
        dni=owner or "40123456",
        new_dni=_unused("{:08d}", 40123456, dnis),
        parcel_code=parcel or "PCH-0147",
        new_parcel_code=_unused("PCH-{:04d}", 147, codes),
        boundary=_free_square(project),
    )


def _unused(pattern: str, start: int, taken: set[str]) -> str:
    number = start
    while pattern.format(number) in taken:
        number += 1
    return pattern.format(number)


def _free_square(project: Project) -> str:
    """WKT of a small square inside the project area that touches no parcel of the project."""
    area = project.area
    west, south = _DEFAULT_CORNER
    if area is not None and not area.empty:
        west, south = area.centroid.x, area.centroid.y
    parcels = Parcel.objects.filter(project=project)
    for step in range(_TRIES):
        corner = (west + (step % 8) * 3 * _SIDE, south + (step // 8) * 3 * _SIDE)
        square = Polygon.from_bbox((*corner, corner[0] + _SIDE, corner[1] + _SIDE))
        inside = area is None or area.empty or area.contains(square)
        if (
            inside
            and not parcels.filter(boundary__intersects=MultiPolygon(square, srid=4326)).exists()
        ):
            return square.wkt
    return ""


def template_rows(kind: str, language: str, refs: ExampleRefs | None = None) -> list[list[str]]:
    """Header and example row of `kind`'s template in `language` ("es" or "en")."""
    importer = IMPORTERS[kind]
    refs = refs or ExampleRefs()
    example = {**importer.example, **(importer.example_en if language != "es" else {})}
    example.update(_references(kind, refs))
    headers = [SPANISH_HEADERS[k] if language == "es" else k for k in example]
    values = list(example.values())
    if language != "es":
        values = [v.replace(",", ".") if _looks_numeric(v) else v for v in values]
    return [headers, values]


def _references(kind: str, refs: ExampleRefs) -> dict[str, str]:
    if kind == "smallholders":
        return {"dni": refs.new_dni, "cooperative": refs.cooperative}
    if kind == "parcels":
        found = {"geometry": refs.boundary} if refs.boundary else {}
        return {"parcel_code": refs.new_parcel_code, "dni": refs.dni, **found}
    return {"parcel_code": refs.parcel_code}


def _looks_numeric(value: str) -> bool:
    return value.replace(",", "").replace("-", "").isdigit()


def template_csv(kind: str, language: str, refs: ExampleRefs | None = None) -> bytes:
    """The template as CSV. Its example row holds the user's own references (a parcel code, a
    cooperative): written formula-safe like every export (pichanaki.exports)."""
    delimiter = ";" if language == "es" else ","
    return csv_text(template_rows(kind, language, refs), delimiter=delimiter).encode()


def template_xlsx(kind: str, language: str, refs: ExampleRefs | None = None) -> bytes:
    """The template as XLSX: the data sheet, then a sheet naming each column in both
    languages and whether it is required."""
    columns = [["español", "english", "obligatoria / required"]]
    for name in IMPORTERS[kind].example:
        required = "sí / yes" if name in IMPORTERS[kind].required else ""
        columns.append([SPANISH_HEADERS[name], name, required])
    spanish = language == "es"
    return xlsx_bytes(
        [
            ("datos" if spanish else "data", template_rows(kind, language, refs)),
            ("columnas" if spanish else "columns", columns),
        ]
    )
