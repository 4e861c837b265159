"""Builders for ledger tests: approved calculation runs with per-parcel vintages, buyers."""

import datetime as dt
from collections.abc import Sequence

from django.contrib.auth.models import User
from django.contrib.gis.geos import MultiPolygon, Polygon

from credits.models import Account, BuyerOrganisation
from credits.services import create_buyer_organisation
from parcels.models import Parcel
from quantification.models import (
    CalculationRun,
    ParameterSet,
    ParcelVintage,
    RunKind,
    RunStatus,
    RunVintage,
)
from quantification.services import approve_calculation_run
from smallholders.models import Cooperative, Project, Smallholder


def make_parcels(project: Project, cooperative: Cooperative, count: int = 3) -> list[Parcel]:
    """`count` parcels of distinct smallholders, small squares near Pichanaki."""
    parcels = []
    for i in range(count):
        holder = Smallholder.objects.create(
            project=project,
            cooperative=cooperative,
            dni=f"{40000000 + project.pk * 100 + i}",
            first_name=f"Nombre{i}",
            last_name=f"Apellido{i}",
        )
        x = -74.90 + i * 0.01
        square = MultiPolygon(Polygon.from_bbox((x, -10.90, x + 0.005, -10.895)), srid=4326)
        parcels.append(
            Parcel.objects.create(
                project=project,
                smallholder=holder,
                code=f"P{project.pk}-{i}",
                boundary=square,
                area_ha="3.0000",
                area_epsg=32718,
                land_use_before="coffee",
            )
        )
    return parcels


def make_run(
    project: Project,
    parcels: Sequence[Parcel],
    *,
    vintages: dict[int, tuple[int, int]],
    kind: str = RunKind.EX_POST,
    status: str = RunStatus.APPROVED,
    weights: Sequence[int] | None = None,
    period: tuple[int, int] | None = None,
) -> CalculationRun:
    """A run with `vintages` {year: (issuable, buffer)}; parcels share each year by `weights`."""
    version = ParameterSet.objects.filter(project=project).count() + 1
    parameters = ParameterSet.objects.create(
        project=project, version=version, parameters={}, fingerprint=f"{version:064d}"
    )
    years = list(period) if period else sorted(vintages)
    run = CalculationRun.objects.create(
        project=project,
        kind=kind,
        period_start=dt.date(years[0], 1, 1),
        period_end=dt.date(years[-1], 12, 31),
        parameter_set=parameters,
        method_version="test",
        status=RunStatus.SUCCEEDED,
    )
    weights = list(weights or [1] * len(parcels))
    for year, (issuable, buffer) in vintages.items():
        RunVintage.objects.create(
            run=run,
            year=year,
            net_tco2e=issuable + buffer,
            buffer_tco2e=buffer,
            issuable_tco2e=issuable,
        )
        for parcel, share in zip(parcels, _split(issuable, weights), strict=True):
            ParcelVintage.objects.create(run=run, parcel=parcel, year=year, issuable_tco2e=share)
    if status == RunStatus.APPROVED:
        # Through the carbon engine's own service: approved runs are immutable (triggers).
        approver = User.objects.filter(is_superuser=True).first()
        run = approve_calculation_run(run_id=run.pk, actor=approver)
    elif status != RunStatus.SUCCEEDED:
        CalculationRun.objects.filter(pk=run.pk).update(status=status)
        run.refresh_from_db()
    return run


def _split(total: int, weights: Sequence[int]) -> list[int]:
    base = [total * w // sum(weights) for w in weights]
    base[0] += total - sum(base)
    return base


def make_buyer(name: str = "Café Comprador SAC") -> tuple[BuyerOrganisation, Account]:
    organisation = create_buyer_organisation(name=name, country="DE")
    return organisation, organisation.account
