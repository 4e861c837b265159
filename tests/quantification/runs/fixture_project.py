"""A small field-data project for end-to-end calculation tests, built through the services.

Two strata: S1 (parcels P1 with two plots and P2 with one) and S2 (P3 and P4 with a plot
each, and P5 without plots: its stock is S2's mean × area). Every parcel had a planting in
2011 (P5 a replanting in 2013 and a survival count). Plots were measured in June 2020; 31 of
the 47 stems have a measured height (enough for a local H–D model), the rest are modelled.
Each plot has a pre-existing tree (baseline), one plot a dead tree and one a sapling below
Dmin.
"""

import datetime as dt
from dataclasses import dataclass
from decimal import Decimal

from parcels import services as parcel_services
from parcels.choices import TreeOrigin, TreeStatus
from parcels.models import MonitoringPlot, Parcel, Stratum
from smallholders.models import Project
from tests.parcels.builders import cell, make_parcel, make_smallholder, species

MEASURED_ON = dt.date(2020, 6, 15)
PERIOD = (dt.date(2019, 7, 1), dt.date(2020, 12, 31))
SPECIES = ("INGAEDU", "CEDRODO", "CORDALL", "SWIEMAC")


@dataclass
class FieldProject:
    project: Project
    parcels: dict[str, Parcel]
    strata: dict[str, Stratum]
    plots: list[MonitoringPlot]


def build(personas) -> FieldProject:
    project = personas.project_a
    owner = make_smallholder(project, personas.coop_a1)
    strata = {
        code: Stratum.objects.create(project=project, code=code, name=f"Estrato {code}")
        for code in ("s1", "s2")
    }
    layout = {"P1": "s1", "P2": "s1", "P3": "s2", "P4": "s2", "P5": "s2"}
    parcels = {}
    for i, (code, stratum) in enumerate(layout.items()):
        parcel = make_parcel(owner, code=code, boundary=cell(i))
        parcel.stratum = strata[stratum]
        parcel.save(update_fields=["stratum"])
        parcels[code] = parcel
        _plant(parcel, i)
    plots = [
        _plot(parcels["P1"], "A", 0),
        _plot(parcels["P1"], "B", 1),
        _plot(parcels["P2"], "A", 2),
        _plot(parcels["P3"], "A", 3),
        _plot(parcels["P4"], "A", 4),
    ]
    for parcel in parcels.values():  # runs include validated parcels only
        parcel_services.submit_parcel(parcel_id=parcel.pk, actor=personas.manager_a)
        parcel_services.validate_parcel(parcel_id=parcel.pk, actor=personas.manager_a)
        parcel.refresh_from_db()
    return FieldProject(project, parcels, strata, plots)


def _plant(parcel: Parcel, i: int) -> None:
    first = parcel_services.record_planting(
        parcel=parcel,
        species=species(SPECIES[i % len(SPECIES)]),
        planted_on=dt.date(2011, 3, 1),
        trees_planted=300 + 20 * i,
    )
    if parcel.code == "P5":
        replanting = parcel_services.record_planting(
            parcel=parcel,
            species=species("INGAEDU"),
            planted_on=dt.date(2013, 2, 1),
            trees_planted=120,
            replanting_of=first,
        )
        parcel_services.record_survival_count(
            planting=replanting, counted_on=dt.date(2015, 2, 1), trees_alive=96
        )


def _plot(parcel: Parcel, code: str, k: int) -> MonitoringPlot:
    plot = parcel_services.record_monitoring_plot(
        parcel=parcel,
        code=code,
        centre=parcel.boundary.centroid,
        measured_on=MEASURED_ON,
        radius_m=Decimal("10.00"),
    )
    for n in range(8):
        _tree(plot, k, n)
    pre = Decimal(30 + 4 * k)
    _record(plot, f"PRE{k}", pre, Decimal(14 + k), origin=TreeOrigin.PRE_EXISTING)
    if k == 1:
        _record(plot, "DEAD", Decimal("12.0"), None, status=TreeStatus.DEAD)
    if k == 2:
        _record(plot, "SAPL", Decimal("3.0"), Decimal("2.5"))
    return plot


def _tree(plot: MonitoringPlot, k: int, n: int) -> None:
    """Diameters 8-35 cm spread over the range; heights measured on 5 of 8 trees."""
    dbh = Decimal(8 + ((7 * n + 5 * k) % 28)) + Decimal("0.5")
    height = Decimal(str(round(3.2 * float(dbh) ** 0.55, 1))) if (n + k) % 8 < 5 else None
    _record(plot, f"T{k}{n}", dbh, height, kind=SPECIES[(n + k) % len(SPECIES)])


def _record(plot, tag, dbh, height, *, kind="INGAEDU", **extra):
    return parcel_services.record_tree_measurement(
        plot=plot, species=species(kind), tree_tag=tag, dbh_cm=dbh, height_m=height, **extra
    )


def run(field: FieldProject, actor, *, kind: str, period=PERIOD, parameter_set=None, **extra):
    """Start a run and execute it in this process (the worker path has its own test);
    `extra` goes to `start_calculation_run` (e.g. project_emissions_tco2e)."""
    from quantification import services

    services.ensure_default_parameter_set(project_id=field.project.pk)
    started = services.start_calculation_run(
        project_id=field.project.pk,
        kind=kind,
        period_start=period[0],
        period_end=period[1],
        parameter_set_id=parameter_set.pk if parameter_set else None,
        actor=actor,
        **extra,
    )
    return services.execute_calculation_run(run_id=started.pk)


def remeasure(field: FieldProject, measured_on: dt.date, growth_cm: Decimal) -> None:
    """A second visit of every plot: the same trees, each `growth_cm` thicker."""
    for plot in field.plots:
        again = parcel_services.record_monitoring_plot(
            parcel=plot.parcel,
            code=plot.code,
            centre=plot.centre,
            measured_on=measured_on,
            radius_m=plot.radius_m,
        )
        for tree in plot.trees.order_by("pk"):
            _record(
                again,
                tree.tree_tag,
                tree.dbh_cm + growth_cm,
                tree.height_m,
                kind=tree.species.code,
                status=tree.status,
                origin=tree.origin,
            )
