"""Helpers of the demo tests: a small-scale seed, table snapshots and the demo API key."""

import datetime as dt
import io
import re

from django.apps import apps
from django.core.management import call_command
from django.core.management.color import no_style
from django.db import connection, transaction
from rest_framework.test import APIClient

from credits.models import (
    Issuance,
    LedgerEvent,
    Retirement,
    Sale,
    SerialBlock,
)
from demo import catalogue
from demo.services import load_demo
from parcels.models import MonitoringPlot, Parcel, Planting, SurvivalCount, TreeMeasurement
from quantification.models import CalculationRun, ParcelResult
from smallholders.models import Cooperative, Project, Smallholder

SCALE = 0.1  # 24 smallholders, ~80 ha


def seed(*args: str) -> str:
    out = io.StringIO()
    call_command("seed_demo", "--scale", str(SCALE), *args, stdout=out)
    return out.getvalue()


def demo_project() -> Project:
    return Project.objects.get(code=catalogue.PROJECT_CODE)


def snapshot() -> dict[str, list[tuple]]:
    """Every demo row by natural keys (no ids, no timestamps), in a stable order."""
    project = demo_project()
    return {
        "project": [(project.name, project.standard, project.methodology, project.area.wkt)],
        "cooperatives": sorted(Cooperative.objects.values_list("code", "name", "ruc")),
        "smallholders": sorted(
            Smallholder.objects.filter(project=project).values_list(
                "dni",
                "first_name",
                "last_name",
                "gender",
                "birth_year",
                "phone",
                "community",
                "cooperative__code",
                "agreement_signed_on",
                "payment_method",
                "bank_account",
                "cci",
                "wallet_phone",
            )
        ),
        "parcels": sorted(
            (p.code, p.smallholder.dni, p.boundary.wkt, p.area_ha, p.status, p.stratum.code)
            for p in Parcel.objects.filter(project=project).select_related("smallholder", "stratum")
        ),
        "plantings": sorted(
            Planting.objects.filter(parcel__project=project).values_list(
                "parcel__code",
                "species__scientific_name",
                "planted_on",
                "trees_planted",
                "arrangement",
                "replanting_of__planted_on",
            )
        ),
        "counts": sorted(
            SurvivalCount.objects.filter(planting__parcel__project=project).values_list(
                "planting__parcel__code",
                "planting__species__scientific_name",
                "planting__planted_on",
                "counted_on",
                "trees_alive",
            )
        ),
        "plots": sorted(
            (v.code, v.parcel.code, v.centre.wkt, v.measured_on, v.radius_m, v.area_m2)
            for v in MonitoringPlot.objects.filter(parcel__project=project).select_related("parcel")
        ),
        "trees": sorted(
            TreeMeasurement.objects.filter(plot__parcel__project=project).values_list(
                "plot__code",
                "plot__measured_on",
                "tree_tag",
                "stem",
                "species__scientific_name",
                "dbh_cm",
                "height_m",
                "status",
                "origin",
            )
        ),
    }


def registry_snapshot(project: Project) -> dict[str, list[tuple]]:
    """The runs (with their input hashes) and the ledger (with its serials), by natural keys."""
    runs = CalculationRun.objects.filter(project=project)
    return {
        "runs": sorted(
            runs.values_list(
                "kind",
                "period_start",
                "period_end",
                "status",
                "input_hash",
                "stock_tco2e",
                "net_tco2e",
                "issuable_tco2e",
                "buffer_tco2e",
                "previous_run__period_end",
                "started_by__username",
                "reviewed_by__username",
            )
        ),
        "parcel_results": sorted(
            ParcelResult.objects.filter(run__project=project).values_list(
                "run__kind", "run__period_start", "parcel__code", "stock_tco2e", "issuable_tco2e"
            )
        ),
        "issuances": sorted(
            Issuance.objects.filter(project=project).values_list(
                "run__kind",
                "run__period_start",
                "unit_type",
                "vintage",
                "quantity",
                "buffer_quantity",
            )
        ),
        "blocks": sorted(
            (b.printed_serial, b.state, b.account.kind)
            for b in SerialBlock.objects.filter(project=project).select_related(
                "project__registry", "account"
            )
        ),
        "events": sorted(
            (e.kind, e.unit_type, e.vintage, e.quantity, str(e.serials), e.actor_label)
            for e in LedgerEvent.objects.filter(project=project)
        ),
        "sales": sorted(
            Sale.objects.filter(reservation__project=project).values_list(
                "reservation__unit_type",
                "reservation__vintage",
                "quantity",
                "price_per_tonne",
                "currency",
                "invoice_reference",
            )
        ),
        "retirements": sorted(
            Retirement.objects.filter(project=project).values_list(
                "unit_type", "vintage", "quantity", "beneficiary", "purpose", "retired_on"
            )
        ),
    }


def _restart_id_sequences() -> None:
    """On PostgreSQL, rolled-back inserts still consume ids; restart every sequence after the
    highest id so that two loads get the same ids (which the runs' input hashes cover). SQLite
    rolls its counters back with the transaction and needs nothing."""
    statements = connection.ops.sequence_reset_sql(no_style(), apps.get_models())
    with connection.cursor() as cursor:
        for statement in statements:
            cursor.execute(statement)


def snapshot_of_a_fresh_load(seed_value: int) -> dict[str, list[tuple]]:
    """Load the demo, take its snapshot, and roll everything back (species included).

    A savepoint, not an atomic block: the ledger services are durable transactions, which
    refuse to nest in any atomic block but the test's own.
    """
    _restart_id_sequences()
    savepoint = transaction.savepoint()
    try:
        load_demo(scale=SCALE, seed=seed_value)
        return {**snapshot(), **registry_snapshot(demo_project())}
    finally:
        transaction.savepoint_rollback(savepoint)


EX_POST_PERIODS = [
    (dt.date(2010, 1, 1), dt.date(2015, 12, 31)),
    (dt.date(2016, 1, 1), dt.date(2018, 12, 31)),
    (dt.date(2019, 1, 1), dt.date(2022, 12, 31)),
]
KEY_PATTERN = re.compile(r"pch_[0-9a-f]{8}_[A-Za-z0-9_-]+")


def demo_key(output: str) -> str:
    found = KEY_PATTERN.findall(output)
    assert found, output
    return found[0]


def key_client(raw_key: str) -> APIClient:
    client = APIClient()
    client.credentials(HTTP_AUTHORIZATION=f"Api-Key {raw_key}")
    return client
