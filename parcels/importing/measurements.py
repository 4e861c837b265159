"""Import tree measurements (one stem per row) from CSV/XLSX or an ODK/Kobo monitoring export.

A row names its plot visit by parcel code, plot code and date. A visit not yet in the database
is created from the first row that gives its centre (``plot_lat``/``plot_lon``, or the ODK/Kobo
geopoint columns) and radius. The same plot visit, tree tag and stem update an existing row.

Built for 100,000-row files: every lookup is loaded once (:meth:`prepare`), and values that
repeat down a column (plot, date, species, status) are parsed and checked once per distinct
text, then reused for every row that repeats it.
"""

from __future__ import annotations

import re
from decimal import Decimal

from django.contrib.gis.geos import Point
from django.db.models import Min
from django.utils.translation import gettext as _

from parcels import validation
from parcels.choices import TreeOrigin, TreeStatus
from parcels.importing.base import Importer, Plan, Planned, Record, RowCheck
from parcels.importing.lookups import ParcelRef, parcel_index, resolve_parcel
from parcels.importing.writing import insert_with_history, update_with_history
from parcels.models import MonitoringPlot, Planting, TreeMeasurement
from pichanaki.fieldfiles.cells import (
    choice_lookup,
    normalize_label,
    parse_choice,
    parse_date,
    parse_decimal,
    parse_int,
    parse_text,
)
from pichanaki.fieldfiles.geometry import PERU_BOUNDS

_PLAIN_NUMBER = re.compile(r"\d{1,4}(\.\d+)?")
_TENTH = Decimal("0.1")
STATUS_ALIASES = {
    TreeStatus.ALIVE: ("vivo", "viva", "v", "a", "live"),
    TreeStatus.DEAD: ("muerto", "muerta", "m", "d", "ausente"),
    TreeStatus.CUT: ("cortado", "cortada", "talado", "c", "felled"),
}
ORIGIN_ALIASES = {
    TreeOrigin.PLANTED: ("plantado", "sembrado", "p"),
    TreeOrigin.PRE_EXISTING: ("preexistente", "natural", "remanente", "regeneracion"),
}
UPDATED_FIELDS = ("species", "dbh_cm", "height_m", "status", "origin", "notes")
NOTES_MAX = 300
PLOT_FIELDS = ("parcel_code", "plot_code", "measured_on")


def parse_measure(value: object, field: str) -> Decimal | None:
    """A DBH or height: plain "12.5" fast, anything else through the locale-aware parser.

    Rounded to the stored tenth, as the database column would.
    """
    if isinstance(value, str) and _PLAIN_NUMBER.fullmatch(value):
        return Decimal(value).quantize(_TENTH)
    number = parse_decimal(value, field)
    return None if number is None else number.quantize(_TENTH)


class MeasurementImporter(Importer):
    """Rows: one stem measured in one plot visit."""

    kind = "measurements"
    aliases = {
        "parcel_code": ("parcela", "codigo_parcela", "parcel", "parcel"),
        "plot_code": ("parcela_muestreo", "codigo_parcela_muestreo", "plot", "plot_uid", "plot_id",
                      "cod_plot"),
        "measured_on": ("fecha", "fecha_medicion", "fecha_visita", "visit_date", "date"),
        "tree_tag": ("arbol", "n_arbol", "numero_arbol", "tree_no", "tree", "tag", "placa"),
        "stem": ("tallo", "fuste", "stem_no"),
        "species": ("especie", "species_name", "species_code", "codigo_especie"),
        "dbh_cm": ("dap", "dap_cm", "dbh", "diametro"),
        "height_m": ("altura", "altura_m", "height", "altura_total"),
        "status": ("estado", "condicion", "tree_status"),
        "origin": ("origen",),
        "notes": ("notas", "observaciones", "comments"),
        "plot_lat": ("latitud", "lat", "plot_center-Latitude", "_plot_center_latitude",
                     "centro-Latitude", "latitude"),
        "plot_lon": ("longitud", "lon", "plot_center-Longitude", "_plot_center_longitude",
                     "centro-Longitude", "longitude"),
        "plot_radius_m": ("radio", "radio_m", "radius", "radius_m"),
        "slope_pct": ("pendiente", "pendiente_pct", "slope"),
        "team": ("equipo", "observer", "observador", "brigada"),
    }
    required = ("parcel_code", "plot_code", "measured_on", "tree_tag", "species", "dbh_cm")
    example = {
        "parcel_code": "PCH-0147",
        "plot_code": "P1",
        "measured_on": "20/06/2024",
        "tree_tag": "17",
        "stem": "1",
        "species": "Inga edulis",
        "dbh_cm": "23,4",
        "height_m": "11,5",
        "status": "vivo",
        "origin": "plantado",
        "notes": "",
        "plot_lat": "-10,927811",
        "plot_lon": "-74,871234",
        "plot_radius_m": "11,28",
        "slope_pct": "",
        "team": "Brigada 2",
    }

    def prepare(self, records: list[Record]) -> None:
        self.parcels = parcel_index(self.context)
        parcel_ids = [p.pk for p in self.parcels.values()]
        self.species = validation.species_index()
        self.first_planting = dict(
            Planting.objects.filter(parcel_id__in=parcel_ids)
            .values("parcel_id").annotate(first=Min("planted_on"))
            .values_list("parcel_id", "first")
        )
        self.plots = {
            (parcel_id, normalize_label(code), day): pk
            for pk, parcel_id, code, day in MonitoringPlot.objects.filter(
                parcel_id__in=parcel_ids
            ).values_list("pk", "parcel_id", "code", "measured_on")
        }
        self.existing = self._existing_measurements(records)
        self.statuses = choice_lookup(TreeStatus.choices, aliases=STATUS_ALIASES)
        self.origins = choice_lookup(TreeOrigin.choices, aliases=ORIGIN_ALIASES)
        self.cache: dict[tuple, tuple[object, list[tuple[str, str]]]] = {}
        self.new_plots: dict[tuple, MonitoringPlot] = {}
        self.seen: dict[tuple, int] = {}

    def _existing_measurements(self, records: list[Record]) -> dict[tuple, TreeMeasurement]:
        """Measurements already stored for the visits the file names (usually none)."""
        folded = {(normalize_label(str(r.values.get("parcel_code") or "")),
                   normalize_label(str(r.values.get("plot_code") or ""))) for r in records}
        visits = {(self._parcel_pk(parcel), code) for parcel, code in folded}
        plot_ids = [pk for (parcel_id, code, _day), pk in self.plots.items()
                    if (parcel_id, code) in visits]
        if not plot_ids:
            return {}
        return {(m.plot_id, m.tree_tag, m.stem): m
                for m in TreeMeasurement.objects.filter(plot_id__in=plot_ids)}

    def _parcel_pk(self, folded_code: str) -> int | None:
        parcel = self.parcels.get(folded_code)
        return parcel.pk if parcel else None

    def _cached(self, key: tuple, check: RowCheck, compute) -> object:
        """`compute(check)` once per distinct key; its errors are replayed on every row."""
        if key not in self.cache:
            probe = RowCheck(check.record)
            value = compute(probe)
            self.cache[key] = (value, [(e.field, e.message) for e in probe.errors])
        value, errors = self.cache[key]
        for name, message in errors:
            check.fail(name, message)
        return value

    def check(self, record: Record, check: RowCheck) -> Planned | None:
        values = record.values
        plot = self._cached(("plot", *(values.get(n) for n in PLOT_FIELDS)), check, self._plot)
        species_id = self._cached(("species", values.get("species")), check, self._species)
        status = self._cached(("status", values.get("status")), check, lambda c: c.parse(
            parse_choice, "status", lookup=self.statuses) or TreeStatus.ALIVE)
        origin = self._cached(("origin", values.get("origin")), check, lambda c: c.parse(
            parse_choice, "origin", lookup=self.origins) or TreeOrigin.PLANTED)
        tag = check.parse(parse_text, "tree_tag", required=True)
        stem = self._cached(("stem", values.get("stem")), check,
                            lambda c: c.parse(parse_int, "stem") or 1)
        notes = check.parse(parse_text, "notes") or ""
        if len(notes) > NOTES_MAX:
            check.fail("notes", _("At most %(count)s characters.") % {"count": NOTES_MAX})
        dbh = check.parse(parse_measure, "dbh_cm")
        height = check.parse(parse_measure, "height_m")
        check.run(lambda: validation.validate_dbh(dbh))
        check.run(lambda: validation.validate_height(height, dbh_cm=dbh))
        if not check.ok:
            return None
        return self._planned(record, check, plot, (tag, stem), species_id, {
            "dbh_cm": dbh, "height_m": height, "status": status, "origin": origin,
            "notes": notes,
        })

    def _species(self, check: RowCheck) -> int | None:
        return check.run(lambda: self.species.resolve(check.record.values.get("species")))

    def _plot(self, check: RowCheck) -> int | MonitoringPlot | None:
        """The visit's pk, or a new (unsaved) MonitoringPlot built from this row."""
        parcel = resolve_parcel(self.parcels, check)
        code = check.parse(parse_text, "plot_code", required=True)
        day = check.parse(parse_date, "measured_on", required=True)
        check.run(lambda: validation.validate_not_future(day, field_name="measured_on"))
        if parcel is not None:
            check.run(lambda: validation.validate_after_planting(
                day, first_planted_on=self.first_planting.get(parcel.pk)))
        if not check.ok:
            return None
        key = (parcel.pk, normalize_label(code), day)
        if key in self.plots:
            return self.plots[key]
        if key not in self.new_plots:
            self.new_plots[key] = self._new_plot(check, parcel, code, day)
        return self.new_plots[key]

    def _new_plot(self, check: RowCheck, parcel: ParcelRef, code: str, day: object
                  ) -> MonitoringPlot | None:
        lat = check.parse(parse_decimal, "plot_lat")
        lon = check.parse(parse_decimal, "plot_lon")
        radius = check.parse(parse_decimal, "plot_radius_m")
        slope = check.parse(parse_decimal, "slope_pct")
        if None in (lat, lon, radius) and check.ok:
            check.fail("plot_code", _("Unknown plot visit; to create it, give plot_lat, "
                                      "plot_lon and plot_radius_m on its first row."))
            return None
        area = check.run(lambda: validation.plot_area_m2(radius, slope_pct=slope))
        if not self._inside_peru(check, lon, lat) or area is None:
            return None
        return MonitoringPlot(
            parcel_id=parcel.pk, code=code, measured_on=day, radius_m=radius, area_m2=area,
            slope_pct=slope, centre=Point(float(lon), float(lat), srid=4326),
            team=check.parse(parse_text, "team") or "",
        )

    def _inside_peru(self, check: RowCheck, lon: Decimal, lat: Decimal) -> bool:
        west, south, east, north = PERU_BOUNDS
        if west <= lon <= east and south <= lat <= north:
            return True
        check.fail("plot_lat", _("The plot centre (%(lat)s, %(lon)s) is outside Peru; check the "
                                 "latitude/longitude order and signs.") % {"lat": lat, "lon": lon})
        return False

    def _planned(self, record: Record, check: RowCheck, plot: object, stem_key: tuple,
                 species_id: int, values: dict) -> Planned | None:
        key = (id(plot) if isinstance(plot, MonitoringPlot) else plot, *stem_key)
        if key in self.seen:
            check.fail("tree_tag", _("The same plot visit, tree tag and stem are already on row "
                                     "%(row)s.") % {"row": self.seen[key]})
            return None
        self.seen[key] = record.row
        existing = None if isinstance(plot, MonitoringPlot) else self.existing.get(key)
        instance = existing or TreeMeasurement(tree_tag=stem_key[0], stem=stem_key[1])
        if isinstance(plot, MonitoringPlot):
            instance._import_plot = plot
        else:
            instance.plot_id = plot
        instance.species_id = species_id
        for name, value in values.items():
            setattr(instance, name, value)
        label = f"{record.values.get('plot_code')} · {stem_key[0]}/{stem_key[1]}"
        return Planned(record.row, instance, existing is not None, label)

    def write(self, plan: Plan) -> None:
        user, reason = self.context.user, self.context.reason
        plots = [plot for plot in self.new_plots.values() if plot is not None]
        insert_with_history(MonitoringPlot, plots, user=user,
                            reason=reason)
        creates = [p.instance for p in plan.creates]
        for instance in creates:
            plot = getattr(instance, "_import_plot", None)
            if plot is not None:
                instance.plot_id = plot.pk
        insert_with_history(TreeMeasurement, creates, user=user, reason=reason)
        update_with_history(TreeMeasurement, [p.instance for p in plan.updates], UPDATED_FIELDS,
                            user=user, reason=reason)
