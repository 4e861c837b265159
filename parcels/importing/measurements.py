"""Import tree measurements (one stem per row) from CSV/XLSX or an ODK/Kobo monitoring export.

A row names its plot visit by parcel code, plot code and date. A visit not yet in the database
is created from the first row that gives its centre (``plot_lat``/``plot_lon``, or the ODK/Kobo
geopoint columns) and radius. The same plot visit, tree tag and stem update an existing row.

Built for 100,000-row files: the file is read as columns (:mod:`parcels.importing.columns`),
every lookup is loaded once (:meth:`MeasurementImporter.prepare`), each column is parsed and
checked once per distinct value under the per-row rules (:class:`parcels.importing.batch.Batch`),
and the rows and their history rows are written with COPY without building model instances
(:func:`parcels.bulk_monitoring.record_tree_measurement_columns`). Preview and commit run exactly
the same checks.
"""

from __future__ import annotations

from django.db.models import Min
from django.utils.translation import gettext as _

from parcels import selectors, validation
from parcels.bulk_monitoring import (
    TREE_UPDATED_FIELDS,
    monitoring_plot_errors,
    record_monitoring_plots,
    record_tree_measurement_columns,
    update_tree_measurements,
)
from parcels.choices import TreeOrigin, TreeStatus
from parcels.importing.base import SAMPLE_ROWS, Importer, Plan, ProgressCallback, RowCheck
from parcels.importing.batch import Batch, BatchPlan
from parcels.importing.columns import Columns
from parcels.importing.lookups import parcel_index, resolve_parcel
from parcels.importing.measurement_cells import (
    ORIGIN_ALIASES,
    STATUS_ALIASES,
    dbh_cell,
    height_cell,
    new_plot_visit,
    notes_cell,
    stem_cell,
)
from parcels.importing.readers.cells import (
    choice_lookup,
    normalize_label,
    parse_choice,
    parse_date,
    parse_text,
)
from parcels.models import MonitoringPlot, Planting, TreeMeasurement

PLOT_FIELDS = ("parcel_code", "plot_code", "measured_on")
#: the column that gave each field of a new plot visit (others: plot_code)
PLOT_COLUMNS = {
    "centre": "plot_lat",
    "radius_m": "plot_radius_m",
    "area_m2": "plot_radius_m",
    "slope_pct": "slope_pct",
    "measured_on": "measured_on",
    "team": "team",
}
#: the columns of a created row that come from the file (the others take their defaults)
WRITTEN = (
    "plot_id",
    "tree_tag",
    "stem",
    "species_id",
    "dbh_cm",
    "height_m",
    "status",
    "origin",
    "notes",
)


class MeasurementImporter(Importer):
    """Rows: one stem measured in one plot visit."""

    kind = "measurements"
    columnar = True
    aliases = {
        "parcel_code": ("parcela", "codigo_parcela", "parcel", "parcel"),
        "plot_code": (
            "parcela_muestreo",
            "codigo_parcela_muestreo",
            "plot",
            "plot_uid",
            "plot_id",
            "cod_plot",
        ),
        "measured_on": ("fecha", "fecha_medicion", "fecha_visita", "visit_date", "date"),
        "tree_tag": ("arbol", "n_arbol", "numero_arbol", "tree_no", "tree", "tag", "placa"),
        "stem": ("tallo", "fuste", "stem_no"),
        "species": ("especie", "species_name", "species_code", "codigo_especie"),
        "dbh_cm": ("dap", "dap_cm", "dbh", "diametro"),
        "height_m": ("altura", "altura_m", "height", "altura_total"),
        "status": ("estado", "condicion", "tree_status"),
        "origin": ("origen",),
        "notes": ("notas", "observaciones", "comments"),
        "plot_lat": (
            "latitud",
            "lat",
            "plot_center-Latitude",
            "_plot_center_latitude",
            "centro-Latitude",
            "latitude",
        ),
        "plot_lon": (
            "longitud",
            "lon",
            "plot_center-Longitude",
            "_plot_center_longitude",
            "centro-Longitude",
            "longitude",
        ),
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
    example_en = {"status": "alive", "origin": "planted", "team": "Team 2"}

    def prepare(self, columns: Columns) -> None:
        self.parcels = parcel_index(self.context)
        parcel_ids = [p.pk for p in self.parcels.values()]
        self.species = selectors.species_index()
        self.first_planting = dict(
            Planting.objects.filter(parcel_id__in=parcel_ids)
            .values("parcel_id")
            .annotate(first=Min("planted_on"))
            .values_list("parcel_id", "first")
        )
        self.plots = {
            (parcel_id, normalize_label(code), day): pk
            for pk, parcel_id, code, day in MonitoringPlot.objects.filter(
                parcel_id__in=parcel_ids
            ).values_list("pk", "parcel_id", "code", "measured_on")
        }
        self.existing = self._existing_measurements(columns)
        self.statuses = choice_lookup(TreeStatus.choices, aliases=STATUS_ALIASES)
        self.origins = choice_lookup(TreeOrigin.choices, aliases=ORIGIN_ALIASES)
        #: new plot visits by (parcel pk, folded code, date): the token rows carry instead of a
        #: pk (-1, -2, ...), the unsaved plot (None if it has errors) and its errors
        self.new_plots: dict[tuple, tuple[int, MonitoringPlot | None, list]] = {}

    def _existing_measurements(self, columns: Columns) -> dict[tuple, TreeMeasurement]:
        """Measurements already stored for the visits the file names (usually none)."""
        pairs = set(zip(columns.column("parcel_code"), columns.column("plot_code"), strict=True))
        visits = {
            (self._parcel_pk(normalize_label(str(parcel or ""))), normalize_label(str(plot or "")))
            for parcel, plot in pairs
        }
        plot_ids = [
            pk for (parcel_id, code, _day), pk in self.plots.items() if (parcel_id, code) in visits
        ]
        if not plot_ids:
            return {}
        return {
            (m.plot_id, m.tree_tag, m.stem): m
            for m in TreeMeasurement.objects.filter(plot_id__in=plot_ids)
        }

    def _parcel_pk(self, folded_code: str) -> int | None:
        parcel = self.parcels.get(folded_code)
        return parcel.pk if parcel else None

    def plan_columns(self, columns: Columns, progress: ProgressCallback | None = None) -> Plan:
        """Check every row, column by column, in the order a row's checks run."""
        self.prepare(columns)
        batch = Batch(columns)
        plot_keys = batch.keys(*PLOT_FIELDS)
        plots = batch.memo_rows(plot_keys, self._plot, columns.record)
        self._check_new_plots(batch, plots)
        species = batch.memo("species", self._species)
        status = batch.memo(
            "status",
            lambda c: c.parse(parse_choice, "status", lookup=self.statuses) or TreeStatus.ALIVE,
        )
        origin = batch.memo(
            "origin",
            lambda c: c.parse(parse_choice, "origin", lookup=self.origins) or TreeOrigin.PLANTED,
        )
        tags = batch.memo("tree_tag", lambda c: c.parse(parse_text, "tree_tag", required=True))
        stems = batch.memo("stem", stem_cell)
        notes = batch.memo("notes", notes_cell)
        dbh = batch.memo("dbh_cm", dbh_cell)
        height = batch.memo("height_m", height_cell)
        self._check_low_heights(batch, height, dbh)
        if progress is not None:
            progress(len(columns), len(columns))
        self.cells = {
            "plot_id": plots,
            "tree_tag": tags,
            "stem": stems,
            "species_id": species,
            "dbh_cm": dbh,
            "height_m": height,
            "status": status,
            "origin": origin,
            "notes": notes,
        }
        return self._plan(batch)

    def _check_new_plots(self, batch: Batch, plots: list) -> None:
        """The rules of record_monitoring_plots for all new visits at once (centre inside the
        parcel among them); a visit's errors go on each of its rows, under the columns that
        gave the visit (the centre's under plot_lat)."""
        built = [
            (token, plot) for token, plot, errors in self.new_plots.values() if plot and not errors
        ]
        found = monitoring_plot_errors([plot for _token, plot in built])
        failed = {built[number - 1][0]: error.message_dict for number, error in found.items()}
        if not failed:
            return
        for index, token in enumerate(plots):
            for name, messages in failed.get(token, {}).items():
                for message in messages:
                    batch.fail(index, PLOT_COLUMNS.get(name, "plot_code"), message)

    def _species(self, check: RowCheck) -> int | None:
        return check.run(lambda: self.species.resolve(check.record.values.get("species")))

    def _check_low_heights(self, batch: Batch, height: list, dbh: list) -> None:
        """The DBH rule for trees not taller than breast height, row by row (they are few).

        `height_cell` checked each height's range alone; only a height at or under
        BREAST_HEIGHT_M can also fail with the row's DBH, so only those rows are re-checked.
        """
        low = {
            value
            for value in set(height)
            if value is not None and value <= validation.BREAST_HEIGHT_M
        }
        if not low:
            return
        rows = [i for i, value in enumerate(height) if value in low]
        batch.check_rows(
            rows, lambda c, i: c.run(lambda: validation.validate_height(height[i], dbh_cm=dbh[i]))
        )

    def _plot(self, check: RowCheck) -> int | None:
        """The visit: an existing plot's pk, or -n for the n-th new one built from this row."""
        parcel = resolve_parcel(self.parcels, check)
        code = check.parse(parse_text, "plot_code", required=True)
        day = check.parse(parse_date, "measured_on", required=True)
        check.run(lambda: validation.validate_not_future(day, field_name="measured_on"))
        if parcel is not None:
            check.run(
                lambda: validation.validate_after_planting(
                    day, first_planted_on=self.first_planting.get(parcel.pk)
                )
            )
        if not check.ok:
            return None
        key = (parcel.pk, normalize_label(code), day)
        if key in self.plots:
            return self.plots[key]
        if key not in self.new_plots:
            probe = RowCheck(check.record)
            plot = new_plot_visit(probe, parcel, code, day)
            self.new_plots[key] = (-1 - len(self.new_plots), plot, probe.errors)
        token, _plot, errors = self.new_plots[key]
        check.errors.extend(errors)  # every spelling of the visit gets the same errors
        return token

    def _plan(self, batch: Batch) -> BatchPlan:
        """Rows without errors become creates or updates; a repeated plot visit, tag and stem
        is an error on the later row."""
        cells, rows = self.cells, batch.columns.rows
        self.columns = batch.columns
        seen: dict[tuple, int] = {}
        for index in batch.ok_indexes():
            key = (cells["plot_id"][index], cells["tree_tag"][index], cells["stem"][index])
            first = seen.setdefault(key, index)
            if first != index:
                batch.fail(
                    index,
                    "tree_tag",
                    _("The same plot visit, tree tag and stem are already on row %(row)s.")
                    % {"row": rows[first]},
                )
        ok = batch.ok_indexes()
        self.updates = (
            {
                index: self.existing[key]
                for key, index in seen.items()
                if key[0] > 0 and key in self.existing
            }
            if self.existing
            else {}
        )
        self.creates = [index for index in ok if index not in self.updates] if self.updates else ok
        plan = BatchPlan(
            rows=len(rows),
            errors=batch.all_errors(),
            created=len(self.creates),
            updated=len(self.updates),
        )
        plan.preview = [self._sample(index) for index in ok[:SAMPLE_ROWS]]
        return plan

    def _sample(self, index: int) -> dict[str, object]:
        plot_code = self.columns.column("plot_code")[index]
        label = f"{plot_code} · {self.cells['tree_tag'][index]}/{self.cells['stem'][index]}"
        action = "update" if index in self.updates else "create"
        return {"row": self.columns.rows[index], "action": action, "label": label}

    def write(self, plan: Plan) -> None:
        user, reason = self.context.user, self.context.reason
        # No row has an error here, so every new visit was built.
        new_plots = {token: plot for token, plot, _errors in self.new_plots.values()}
        record_monitoring_plots(rows=list(new_plots.values()), user=user, reason=reason)
        cells = dict(self.cells)
        if new_plots:
            pks = {token: plot.pk for token, plot in new_plots.items()}
            cells["plot_id"] = [pks.get(plot, plot) for plot in cells["plot_id"]]
        total = len(self.columns)
        picked = {name: _pick(cells[name], self.creates, total) for name in WRITTEN}
        record_tree_measurement_columns(
            columns=picked, count=len(self.creates), user=user, reason=reason
        )
        update_tree_measurements(rows=self._updated(cells), user=user, reason=reason)

    def _updated(self, cells: dict[str, list]) -> list[TreeMeasurement]:
        for index, instance in self.updates.items():
            for name in TREE_UPDATED_FIELDS:
                setattr(
                    instance,
                    "species_id" if name == "species" else name,
                    cells["species_id" if name == "species" else name][index],
                )
        return list(self.updates.values())


def _pick(cells: list, indexes: list[int], total: int) -> list:
    """The cells of these rows (the whole column when every row is picked, the usual case)."""
    return cells if len(indexes) == total else [cells[index] for index in indexes]
