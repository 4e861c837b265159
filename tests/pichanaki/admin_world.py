"""A small world with one row of every model the admin shows, in project A and in project B.

Built on the shared personas (tests/base.py): cooperative A1 works in project A, B1 in project
B. Every scoped model gets one object on each side, so that each persona has an object inside
and one outside their scope on every admin page.
"""

import datetime as dt
from dataclasses import dataclass, field
from decimal import Decimal

from django.contrib.auth.models import Group
from django.contrib.gis.geos import Point
from django.db.models import Model
from django.utils import timezone

from benefits import services as benefits
from benefits.batches import request_statement_batch
from benefits.models import DistributionJob, PaymentEvent, TrustHold
from benefits.models.jobs import JobStatus
from credits import services as credits
from credits.models import (
    Account,
    ApiKey,
    CreditVintage,
    Issuance,
    LedgerEvent,
    ProjectRegistry,
    SerialBlock,
)
from credits.models.access import generate_key, hash_key
from parcels.models import ImportJob, MonitoringPlot, Planting, Species, Stratum, TreeMeasurement
from quantification.models import ParameterSet, RunKind
from smallholders.models import Cooperative, Project
from tests.base import Personas, build_personas
from tests.credits.factories import make_buyer, make_parcels, make_run

SIDES = ("A", "B")


@dataclass
class World:
    personas: Personas
    #: model label -> side ("A", "B", or "*" for rows every reader may see) -> object
    objects: dict[str, dict[str, Model]] = field(default_factory=dict)
    import_jobs: dict[str, ImportJob] = field(default_factory=dict)
    parcels: dict[str, list] = field(default_factory=dict)

    def add(self, side: str, obj: Model) -> None:
        self.objects.setdefault(obj._meta.label, {})[side] = obj

    def project(self, side: str) -> Project:
        return self.personas.project_a if side == "A" else self.personas.project_b

    def cooperative(self, side: str) -> Cooperative:
        return self.personas.coop_a1 if side == "A" else self.personas.coop_b1


def build_world() -> World:
    world = World(personas=build_personas())
    rate = benefits.record_exchange_rate(
        currency="USD",
        rate_to_pen=Decimal("3.75"),
        source="SBS venta",
        rate_date=timezone.localdate(),
    )
    world.add("*", rate)  # exchange rates are registry-wide
    for side in SIDES:
        _field_data(world, side)
        _ledger(world, side)
        _benefits(world, side)
    species = Species.objects.get(code="INGAEDU")
    species.save()  # the catalogue is loaded in bulk: one version in its audit trail
    world.add("*", species)
    world.add("*", Group.objects.create(name="revisores"))
    world.add("*", world.personas.staff_a1)
    new = generate_key()
    key = ApiKey.objects.create(
        name="clave", user=world.personas.buyer, prefix=new.prefix, key_hash=hash_key(new.raw)
    )
    world.add("*", key)
    return world


def _field_data(world: World, side: str) -> None:
    project, cooperative = world.project(side), world.cooperative(side)
    parcels = make_parcels(project, cooperative, count=2)
    species = Species.objects.get(code="INGAEDU")
    stratum = Stratum.objects.create(project=project, code=f"s-{side}", name=f"Estrato {side}")
    planting = Planting.objects.create(
        parcel=parcels[0],
        species=species,
        planted_on=dt.date(2011, 3, 1),
        trees_planted=120,
        arrangement="block",
    )
    plot = MonitoringPlot.objects.create(
        parcel=parcels[0],
        code=f"MP-{side}",
        centre=Point(-74.899, -10.8975, srid=4326),
        radius_m=Decimal("10"),
        area_m2=Decimal("314.16"),
        measured_on=dt.date(2015, 6, 1),
    )
    tree = TreeMeasurement.objects.create(
        plot=plot, tree_tag=f"T-{side}", species=species, dbh_cm=Decimal("12.5")
    )
    job = ImportJob.objects.create(
        kind="smallholders",
        project=project,
        cooperative=cooperative,
        file=f"imports/{side}.csv",
        original_name=f"{side}.csv",
        created_by=world.personas.staff_a1 if side == "A" else world.personas.staff_b1,
    )
    world.import_jobs[side] = job
    for obj in (project, cooperative, parcels[0].smallholder, parcels[0], stratum, planting):
        world.add(side, obj)
    for obj in (plot, tree):
        world.add(side, obj)
    world.parcels[side] = parcels


def _ledger(world: World, side: str) -> None:
    """Issued ex-ante and verified units, a sale, a conversion, a retirement, a reversal and a
    pending reservation, all through the ledger services."""
    project, parcels = world.project(side), world.parcels[side]
    ex_ante = make_run(project, parcels, vintages={2014: (100, 25)}, kind=RunKind.EX_ANTE)
    credits.issue_credits(run_id=ex_ante.pk, actor=None)
    verified = make_run(project, parcels, vintages={2012: (700, 300), 2014: (60, 20)})
    credits.issue_credits(run_id=verified.pk, actor=None)
    buyer, account = make_buyer(f"Comprador {side} SAC")
    sale = _buy(project, account, 80, vintage=2014, unit_type="PER")
    (conversion,) = credits.convert_ex_ante(run_id=verified.pk, actor=None)
    _buy(project, account, 20, vintage=2012, unit_type="VER")
    retirement = credits.retire_credits(
        account_id=account.pk,
        project_id=project.pk,
        vintage=2012,
        quantity=5,
        beneficiary=f"Beneficiario {side}",
        purpose="Compensación",
        retired_on=timezone.localdate(),
        actor=None,
    )
    reversal = credits.record_reversal(
        project_id=project.pk,
        quantity_tco2e=Decimal("1"),
        parcel_ids=[parcels[0].pk],
        reason=f"Incendio {side}",
        actor=None,
    )
    reservation = _reserve(project, account, 10, vintage=2012, unit_type="VER")
    rows = (
        verified,
        verified.parameter_set,
        ProjectRegistry.objects.get(project=project),
        Account.objects.filter(project=project).order_by("pk").first(),
        CreditVintage.objects.filter(project=project).order_by("pk").first(),
        SerialBlock.objects.filter(project=project).order_by("pk").first(),
        LedgerEvent.objects.filter(project=project).order_by("pk").first(),
        Issuance.objects.filter(project=project).order_by("pk").first(),
        reservation,
        sale,
        retirement,
        reversal,
        conversion,
    )
    if side == "A":  # managers deal with every buyer: buyer organisations are registry-wide
        world.add("*", buyer)
    for obj in rows:
        world.add(side, obj)
    assert isinstance(verified.parameter_set, ParameterSet)


def _benefits(world: World, side: str) -> None:
    """A policy, an advance, a distribution of the side's sales approved by the verifier (its
    lines, payment events and a share held in trust), a grievance and a statement batch, all
    through the benefits services, and a finished distribution job."""
    project, cooperative = world.project(side), world.cooperative(side)
    personas = world.personas
    staff = personas.staff_a1 if side == "A" else personas.staff_b1
    policy = benefits.create_policy(
        project=project,
        actor=None,
        producers_share=Decimal("0.60"),
        cooperative_share=Decimal("0.10"),
        community_fund_share=Decimal("0.05"),
    )
    advance = benefits.record_advance(
        project=project,
        smallholder_id=world.parcels[side][0].smallholder_id,
        amount=Decimal("5.00"),
        paid_on=timezone.localdate(),
        reason=f"Adelanto {side}",
    )
    distribution = benefits.create_distribution(project=project, actor=None)
    benefits.approve_distribution(distribution_id=distribution.pk, actor=personas.verifier)
    line = distribution.lines.order_by("pk").first()
    grievance = benefits.file_grievance(line_id=line.pk, actor=staff, description="Monto bajo")
    batch = request_statement_batch(
        project=project, cooperative=cooperative, period=None, actor=staff
    )
    hold = TrustHold.objects.filter(line__distribution=distribution).order_by("pk").first()
    event = PaymentEvent.objects.filter(line__distribution=distribution).order_by("pk").first()
    # A job as a large distribution leaves it (its distribution made); the matrix only reads
    # the admin's pages of jobs, so the job row is written as the worker would finish it.
    job = DistributionJob.objects.create(
        project=project,
        requested_by=personas.manager_a if side == "A" else personas.superuser,
        status=JobStatus.DONE,
        progress=100,
        distribution=distribution,
    )
    for obj in (policy, advance, distribution, line, grievance, batch, hold, event, job):
        world.add(side, obj)


def _reserve(project: Project, account: Account, quantity: int, **key: object):
    return credits.reserve_credits(
        account_id=account.pk,
        project_id=project.pk,
        quantity=quantity,
        expires_at=timezone.now() + dt.timedelta(hours=1),
        actor=None,
        **key,
    )


def _buy(project: Project, account: Account, quantity: int, **key: object):
    reservation = _reserve(project, account, quantity, **key)
    return credits.confirm_sale(
        reservation_id=reservation.pk,
        price_per_tonne=Decimal("15.00"),
        currency="USD",
        invoice_reference=f"F-{reservation.pk}",
        actor=None,
    )
