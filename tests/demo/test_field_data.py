"""The demo's field data from `seed_demo`, at a small scale to stay fast: layout, determinism,
valid rows, plantings and growing measurements."""

import io
from decimal import Decimal

import numpy as np
import pytest
from django.contrib.gis.geos import MultiPolygon
from django.core.management import call_command
from django.core.management.base import CommandError

from demo import catalogue, layout
from demo.selectors import demo_summary
from parcels import geo, overlaps
from parcels.choices import ParcelStatus, TreeOrigin, TreeStatus
from parcels.models import MonitoringPlot, Parcel, Planting, SurvivalCount, TreeMeasurement
from smallholders.models import Cooperative, Project, Smallholder
from tests.demo.helpers import (
    demo_project,
    seed,
    snapshot,
    snapshot_of_a_fresh_load,
)


def test_it_draws_quadrilaterals_of_the_requested_area_that_fit_their_cell() -> None:
    rng = np.random.default_rng(3)
    for area in (10_000.0, 35_000.0, 59_000.0):
        ring = layout.parcel_ring(area, rng)
        x, y = ring.T
        shoelace = 0.5 * (np.dot(x, np.roll(y, -1)) - np.dot(np.roll(x, -1), y))
        assert shoelace == pytest.approx(area)  # positive: counter-clockwise
        assert np.abs(ring).max() <= layout.CELL_M / 2 - layout.MARGIN_M


def test_it_gives_every_parcel_its_own_cell_near_its_community() -> None:
    rng = np.random.default_rng(5)
    cells = np.array([(x, y) for x in range(0, 8000, 400) for y in range(0, 8000, 400)], float)
    centres = np.array([[1000.0, 1000.0], [7000.0, 7000.0]])
    communities = np.array([0] * 30 + [1] * 30)

    chosen = layout.assign_cells(cells, centres, communities, rng)

    assert len(set(chosen.tolist())) == 60
    near = np.hypot(*(cells[chosen] + layout.CELL_M / 2 - centres[communities]).T)
    assert near.max() < 3000


@pytest.mark.django_db
def test_it_loads_a_project_in_the_pichanaki_district_at_scale() -> None:
    output = seed()

    project = demo_project()
    summary = demo_summary(project)
    assert "Captura de Carbono Pichanaki" in output
    assert project.methodology == "CarbonFix v3.2 / AR-AMS0007"
    assert (project.crediting_start.year, project.crediting_end.year) == (2010, 2039)
    assert project.area.equals(layout.load_district("120303"))
    assert geo.area_m2(project.area) == pytest.approx(1_242.4e6, rel=1e-3)
    assert summary.cooperatives == 3
    assert summary.smallholders == 24
    assert 24 <= summary.parcels <= 72
    assert abs(summary.hectares - Decimal(80)) < 4
    assert summary.plot_visits >= 3 * 6  # at least two permanent plots per stratum, 3 visits
    assert summary.tree_measurements > 0


@pytest.mark.django_db
def test_it_gives_identical_rows_for_the_same_seed_and_different_rows_for_another() -> None:
    first = snapshot_of_a_fresh_load(11)
    second = snapshot_of_a_fresh_load(11)
    other = snapshot_of_a_fresh_load(12)

    assert first["trees"] and first["runs"] and first["blocks"] and first == second
    assert not Project.objects.exists()
    assert other["parcels"] != first["parcels"]
    assert other["smallholders"] != first["smallholders"]


@pytest.mark.django_db
def test_it_changes_nothing_on_a_second_run() -> None:
    seed()
    before = snapshot()
    history = Smallholder.history.count(), Parcel.history.count(), Planting.history.count()

    again = seed()
    if_empty = seed("--if-empty")

    assert snapshot() == before
    assert (Smallholder.history.count(), Parcel.history.count(), Planting.history.count()) == (
        history
    )
    assert "nothing changed" in again or "no se cambió nada" in again
    assert Project.objects.count() == 1
    assert if_empty.strip()


@pytest.mark.django_db
def test_it_loads_nothing_with_if_empty_when_a_project_exists(personas) -> None:
    seed("--if-empty")

    assert not Project.objects.filter(code=catalogue.PROJECT_CODE).exists()
    assert Parcel.objects.count() == 0


@pytest.mark.django_db
def test_it_lays_parcels_inside_the_district_without_overlaps() -> None:
    seed()
    project = demo_project()
    parcels = list(Parcel.objects.filter(project=project))

    union = MultiPolygon([poly for p in parcels for poly in p.boundary], srid=4326).unary_union
    assert geo.area_m2(union) == pytest.approx(sum(geo.area_m2(p.boundary) for p in parcels))
    for parcel in parcels:
        assert (
            overlaps.find_overlaps(
                parcel.boundary, project_id=project.pk, exclude_id=parcel.pk, tolerance_m2=0.0
            )
            == []
        )
        assert project.area.contains(parcel.boundary)
        geo.validate_boundary(parcel.boundary, project=project)
        assert parcel.area_epsg == 32718 == geo.utm_epsg_for(parcel.boundary)
        assert parcel.area_ha == geo.area_hectares(parcel.boundary)
        assert Decimal(1) <= parcel.area_ha <= Decimal(6)
    assert len({p.smallholder_id for p in parcels}) == 24


@pytest.mark.django_db
def test_it_writes_rows_that_pass_the_models_validation() -> None:
    seed()
    project = demo_project()
    rows = [
        project,
        *Cooperative.objects.all(),
        *Smallholder.objects.filter(project=project),
        *Parcel.objects.filter(project=project),
        *Planting.objects.filter(parcel__project=project),
        *SurvivalCount.objects.filter(planting__parcel__project=project),
        *MonitoringPlot.objects.filter(parcel__project=project),
    ]
    for row in rows:
        row.full_clean()
    for planting in Planting.objects.filter(parcel__project=project).select_related(
        "species", "parcel"
    ):
        per_ha = planting.trees_planted / planting.parcel.area_ha
        assert planting.species.min_density_per_ha <= per_ha <= planting.species.max_density_per_ha
        assert 2010 <= planting.planted_on.year <= 2012
        assert planting.parcel.status != ParcelStatus.REJECTED
        assert planting.planted_on > planting.parcel.smallholder.agreement_signed_on


@pytest.mark.django_db
def test_it_plants_about_eighty_percent_native_trees_with_replantings_and_counts() -> None:
    seed()
    project = demo_project()
    summary = demo_summary(project)
    plantings = Planting.objects.filter(parcel__project=project)

    assert 0.75 <= summary.native_share <= 0.85
    assert plantings.filter(replanting_of__isnull=False).exists()
    assert len(set(plantings.values_list("arrangement", flat=True))) >= 3
    assert SurvivalCount.objects.filter(planting__parcel__project=project).count() == (
        2 * plantings.count()
    )
    assert project.strata.count() == 3


@pytest.mark.django_db
def test_it_measures_permanent_plots_that_grow_over_the_visits() -> None:
    seed()
    trees = TreeMeasurement.objects.filter(plot__parcel__project=demo_project()).select_related(
        "plot", "plot__parcel"
    )
    by_stem: dict[tuple, list[TreeMeasurement]] = {}
    for tree in trees.order_by("plot__measured_on"):
        by_stem.setdefault((tree.plot.code, tree.tree_tag, tree.stem), []).append(tree)

    plots = MonitoringPlot.objects.filter(parcel__project=demo_project())
    assert {v.measured_on.year for v in plots} == {2015, 2018, 2022}
    assert {v.radius_m for v in plots} == {Decimal("12.62")}
    assert all(v.parcel.boundary.contains(v.centre) for v in plots.select_related("parcel"))
    growing = [m for m in by_stem.values() if len(m) == 3 and m[0].origin == TreeOrigin.PLANTED]
    assert growing
    assert all(a.dbh_cm <= b.dbh_cm <= c.dbh_cm for a, b, c in growing)
    assert all(m[-1].dbh_cm > m[0].dbh_cm for m in growing)
    assert trees.filter(stem=2).exists() and trees.filter(height_m__isnull=False).exists()
    assert trees.exclude(status=TreeStatus.ALIVE).exists()
    for tree in trees:
        tree.full_clean()


@pytest.mark.django_db
def test_it_rejects_a_scale_that_is_not_positive() -> None:
    with pytest.raises(CommandError):
        call_command("seed_demo", "--scale", "0", stdout=io.StringIO())


@pytest.mark.django_db
def test_it_refuses_a_scale_whose_parcels_do_not_fit_the_district() -> None:
    with pytest.raises(CommandError, match="--scale"):
        call_command("seed_demo", "--scale", "20", stdout=io.StringIO())
    assert not Project.objects.exists()
