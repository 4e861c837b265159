"""Column names as users write them: the Spanish template headers, and errors named by column.

Importers work with canonical field names (``joined_on``); people see the column of their own
file (``fecha_ingreso``), or, for a column their file lacks, the template's header in the active
language.
"""

from __future__ import annotations

from collections.abc import Iterable, Mapping
from dataclasses import replace

from django.utils import translation

from parcels.importing.readers.errors import RowError

SPANISH_HEADERS = {
    "dni": "dni",
    "first_name": "nombres",
    "last_name": "apellidos",
    "gender": "sexo",
    "birth_year": "anio_nacimiento",
    "phone": "telefono",
    "community": "caserio",
    "district": "distrito",
    "cooperative": "cooperativa",
    "joined_on": "fecha_ingreso",
    "agreement_signed_on": "fecha_acuerdo",
    "payment_method": "forma_de_pago",
    "bank_name": "banco",
    "bank_account": "numero_cuenta",
    "cci": "cci",
    "wallet_phone": "billetera",
    "notes": "observaciones",
    "parcel_code": "codigo_parcela",
    "parcel_name": "nombre_parcela",
    "land_use_before": "uso_anterior",
    "eligibility_no_forest": "sin_bosque_10_anios",
    "eligibility_note": "nota_elegibilidad",
    "stratum": "estrato",
    "geometry": "geometria_wkt",
    "species": "especie",
    "planted_on": "fecha_siembra",
    "trees_planted": "cantidad",
    "arrangement": "disposicion",
    "plot_code": "parcela_muestreo",
    "measured_on": "fecha_medicion",
    "tree_tag": "arbol",
    "stem": "tallo",
    "dbh_cm": "dap_cm",
    "height_m": "altura_m",
    "status": "estado",
    "origin": "origen",
    "plot_lat": "latitud",
    "plot_lon": "longitud",
    "plot_radius_m": "radio_m",
    "slope_pct": "pendiente_pct",
    "team": "equipo",
}


def column_label(name: str, headers: Mapping[str, str] | None = None) -> str:
    """The column `name` as the file wrote it, else its template header in the active language."""
    if headers and name in headers:
        return headers[name]
    if (translation.get_language() or "").startswith("es"):
        return SPANISH_HEADERS.get(name, name)
    return name


def name_columns(errors: Iterable[RowError], headers: Mapping[str, str]) -> list[RowError]:
    """The errors with their `column` set to the user's name for their field."""
    return [
        replace(error, column=column_label(error.field, headers)) if error.field else error
        for error in errors
    ]
