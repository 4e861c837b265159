"""Demo steps 12–15: the credits issued from the approved runs, a buyer, sales and a retirement.

The story, in ledger order: the ex-ante run's forward units (PER) are issued; Café Solidario
buys forward units of 2014; the verified runs are issued (VER, the buffer share to the buffer
pool) and each converts the ex-ante units of the years it covers (the buyer's 2014 forward
units become verified units, unsold ones are cancelled), leaving forward units only for the
future vintages, 2023 onwards; the buyer then buys verified 2018 units and retires half of them.
Quantities are shares of what is available, so every scale tells the same story.

Every step goes through `credits.services` (each a durable transaction of its own, which is
why these steps run outside the field data's transaction) and, like the run steps, adds only
what is missing and returns whether it wrote anything.
"""

import datetime as dt
from decimal import Decimal
from typing import TYPE_CHECKING

import numpy as np
from django.db import transaction
from django.db.models import Q, Sum
from django.utils import timezone

from credits import services
from credits.choices import BlockState, ReservationStatus, UnitType
from credits.models import (
    Account,
    BuyerOrganisation,
    CreditVintage,
    Issuance,
    Reservation,
    Retirement,
    SerialBlock,
)
from demo import catalogue, logins, runs, story
from demo.clock import story_clock
from quantification.models import CalculationRun, RunKind
from smallholders.choices import Role
from smallholders.models import Project

RESERVATION_LIFETIME = dt.timedelta(hours=1)  # confirmed at once; the expiry only has to be ahead

if TYPE_CHECKING:
    from demo.steps import DemoContext


def step_ex_ante_issuance(ctx: "DemoContext", rng: np.random.Generator) -> bool:
    """The forward units of every vintage of the approved ex-ante run."""
    project = ctx.project
    run = runs.approved_run(
        project, RunKind.EX_ANTE, project.crediting_start, project.crediting_end
    )
    with story_clock(story.EX_ANTE_CALENDAR.issued):
        return _issue(run, project)


def step_forward_sale(ctx: "DemoContext", rng: np.random.Generator) -> bool:
    """The demo buyer and its purchase of 2014 forward units, before any verification."""
    return _sell(ctx.project, catalogue.FORWARD_SALE)


def step_verified_issuance(ctx: "DemoContext", rng: np.random.Generator) -> bool:
    """Each approved ex-post run issued, then converting the ex-ante units of its years."""
    wrote = False
    for start, end in catalogue.EX_POST_PERIODS:
        run = runs.approved_run(ctx.project, RunKind.EX_POST, start, end)
        with story_clock(story.EX_POST_CALENDAR[end].issued):
            wrote = _issue(run, ctx.project) | wrote
            wrote = _convert(run, ctx.project) | wrote
    return wrote


def step_sale_and_retirement(ctx: "DemoContext", rng: np.random.Generator) -> bool:
    """The buyer's purchase of verified 2018 units, and the retirement of half of them."""
    sold = _sell(ctx.project, catalogue.VERIFIED_SALE)
    with story_clock(catalogue.RETIREMENT.retired_on):
        return _retire(ctx.project, catalogue.RETIREMENT) | sold


def ensure_demo_buyer() -> BuyerOrganisation:
    """Café Solidario S.A.C., with its ledger account, created if missing."""
    spec = catalogue.BUYER
    found = BuyerOrganisation.objects.filter(name=spec.name).first()
    if found is not None:
        return found
    # The organisation and its account are created together or not at all.
    with transaction.atomic():
        return services.create_buyer_organisation(
            name=spec.name,
            country=spec.country,
            contact_name=spec.contact_name,
            contact_email=spec.contact_email,
        )


def _manager(project: Project):
    user, _login = logins.ensure_login(
        username=logins.MANAGER, role=Role.MANAGER, password=None, project=project
    )
    return user


def _issue(run: CalculationRun, project: Project) -> bool:
    """Issue the run unless it was issued or has nothing to issue: at small `--scale`s a
    stratum has few plots, and an uncertainty above 100% deducts everything (spec §7)."""
    issuable = run.vintages.filter(Q(issuable_tco2e__gt=0) | Q(buffer_tco2e__gt=0))
    if Issuance.objects.filter(run=run).exists() or not issuable.exists():
        return False
    services.issue_credits(run_id=run.pk, actor=_manager(project))
    return True


def _convert(run: CalculationRun, project: Project) -> bool:
    """Convert when ex-ante units of the run's issued vintages are still live (else no-op)."""
    years = Issuance.objects.filter(run=run).values("vintage")
    pending = SerialBlock.objects.filter(
        project=project, unit_type=UnitType.EX_ANTE, vintage__in=years, state=BlockState.ACTIVE
    )
    if not pending.exists():
        return False
    services.convert_ex_ante(run_id=run.pk, actor=_manager(project))
    return True


def _sell(project: Project, spec: catalogue.SaleSpec) -> bool:
    """Reserve `spec.share` of the vintage's available units for the buyer and confirm the
    sale; resumes a reservation left pending by an interrupted load."""
    with story_clock(spec.sold_on):
        return _sell_now(project, spec)


def _sell_now(project: Project, spec: catalogue.SaleSpec) -> bool:
    account = ensure_demo_buyer().account
    reservations = Reservation.objects.filter(
        account=account, project=project, unit_type=spec.unit_type, vintage=spec.vintage
    )
    if reservations.filter(status=ReservationStatus.CONFIRMED).exists():
        return False
    reservation = reservations.filter(status=ReservationStatus.PENDING).first()
    if reservation is None:
        quantity = _tens(_available(project, spec.unit_type, spec.vintage) * spec.share)
        if quantity == 0:
            return False  # nothing left to sell of this vintage (e.g. already converted)
        reservation = services.reserve_credits(
            account_id=account.pk,
            project_id=project.pk,
            vintage=spec.vintage,
            unit_type=spec.unit_type,
            quantity=quantity,
            expires_at=timezone.now() + RESERVATION_LIFETIME,
            actor=None,  # the buyer's own request, as through its API key
        )
    services.confirm_sale(
        reservation_id=reservation.pk,
        price_per_tonne=Decimal(spec.price_per_tonne),
        currency=spec.currency,
        invoice_reference=spec.invoice_reference,
        actor=_manager(project),
    )
    return True


def _retire(project: Project, spec: catalogue.RetirementSpec) -> bool:
    account = ensure_demo_buyer().account
    if Retirement.objects.filter(account=account, project=project).exists():
        return False
    quantity = _tens(_held(account, project, spec.vintage) * spec.share)
    if quantity == 0:
        return False
    services.retire_credits(
        account_id=account.pk,
        project_id=project.pk,
        vintage=spec.vintage,
        quantity=quantity,
        beneficiary=spec.beneficiary,
        purpose=spec.purpose,
        retired_on=spec.retired_on,
        actor=None,
    )
    return True


def _available(project: Project, unit_type: str, vintage: int) -> int:
    row = CreditVintage.objects.filter(project=project, unit_type=unit_type, vintage=vintage)
    return row.values_list("available", flat=True).first() or 0


def _held(account: Account, project: Project, vintage: int) -> int:
    blocks = SerialBlock.objects.filter(
        account=account,
        project=project,
        unit_type=UnitType.VERIFIED,
        vintage=vintage,
        state=BlockState.ACTIVE,
    )
    return blocks.aggregate(total=Sum("quantity"))["total"] or 0


def _tens(quantity: float) -> int:
    """Rounded down to tens, or to units below ten (a small demo still sells something)."""
    whole = int(quantity)
    return whole - whole % 10 if whole >= 10 else whole
