"""Reads of the credit ledger and who may see what.

Rules, one per line:
- superusers and verifiers read every account;
- managers read their projects' issuance and buffer accounts and every buyer's (for sales);
- buyers read only the accounts of the organisations they are members of;
- everyone (also anonymous) reads availability, serial lookups and retirements (public);
- the ledger checks of a project: its managers, verifiers and superusers.
Out-of-scope objects are "not found" (404).
"""

from collections.abc import Sequence
from dataclasses import dataclass
from decimal import Decimal
from typing import Any, TypeVar

from django.db.models import Model, Q, QuerySet, Sum
from django.http import Http404
from django.utils.functional import Promise

from credits.choices import AccountKind, BlockState
from credits.models import (
    Account,
    BuyerOrganisation,
    CreditVintage,
    Issuance,
    IssuanceContribution,
    LedgerCheck,
    LedgerEvent,
    ProjectRegistry,
    Reservation,
    Retirement,
    Sale,
    SerialBlock,
)
from credits.serials import SerialFormatError, SerialRange, format_range, parse_serial
from pichanaki.ledgers import chained_ledgers
from smallholders.choices import Role
from smallholders.models import Project
from smallholders.selectors import AnyUser, projects_for, scope_for

_M = TypeVar("_M", bound=Model)


def availability(
    *, project_id: int | None = None, vintage: int | None = None, unit_type: str | None = None
) -> QuerySet[CreditVintage]:
    """Units available for sale per project, unit type and vintage (one indexed row each).

    Reads the CreditVintage counters that every operation keeps in its transaction, so the
    cost does not depend on the number of units or blocks.
    """
    rows = CreditVintage.objects.select_related("project")
    if project_id is not None:
        rows = rows.filter(project_id=project_id)
    if vintage is not None:
        rows = rows.filter(vintage=vintage)
    if unit_type is not None:
        rows = rows.filter(unit_type=unit_type)
    return rows.order_by("project_id", "unit_type", "vintage")


def accounts_for(*, user: AnyUser) -> QuerySet[Account]:
    scope = scope_for(user)
    if scope.reads_everything:
        return Account.objects.all()
    if scope.role == Role.MANAGER:
        return Account.objects.filter(
            Q(project_id__in=scope.project_ids) | Q(kind=AccountKind.BUYER)
        )
    if not user.is_authenticated:
        return Account.objects.none()
    return Account.objects.filter(organisation__members=user)


def managed_projects(*, user: AnyUser) -> QuerySet[Project]:
    """Projects whose ledger `user` may operate: a manager's own projects; all for superusers."""
    return projects_for(user=user) if scope_for(user).manages else Project.objects.none()


def operable_accounts(*, user: AnyUser, kinds: tuple[str, ...]) -> QuerySet[Account]:
    """Accounts of `kinds` that a manager may move units from: their projects' and buyers'."""
    return (
        Account.objects.filter(kind__in=kinds)
        .filter(Q(project__in=managed_projects(user=user)) | Q(kind=AccountKind.BUYER))
        .select_related("project", "organisation")
        .order_by("kind", "project__name", "organisation__name")
    )


def buyer_account_for(*, user: AnyUser) -> Account | None:
    """The account of an API key's organisation (on its principal) or of a buyer's only one."""
    organisation = getattr(user, "organisation", None)
    if organisation is None and user.is_authenticated and scope_for(user).role == Role.BUYER:
        organisations = list(user.buyer_organisations.all()[:2])
        organisation = organisations[0] if len(organisations) == 1 else None
    return Account.objects.filter(organisation=organisation).first() if organisation else None


def ledger_rows_for(queryset: QuerySet[_M], *, user: AnyUser) -> QuerySet[_M]:
    """Rows with `project` and `account` a buyer, manager, verifier or superuser may read."""
    account = buyer_account_for(user=user)
    if account is not None:
        return queryset.filter(account=account)
    scope = scope_for(user)
    if scope.reads_everything:
        return queryset
    if scope.role == Role.MANAGER:
        return queryset.filter(project_id__in=scope.project_ids)
    return queryset.none()


def access_account(*, user: AnyUser, account_id: int) -> Account:
    try:
        return accounts_for(user=user).get(pk=account_id)
    except (Account.DoesNotExist, ValueError, TypeError):
        raise Http404 from None


def access_buyer_account(*, organisation: BuyerOrganisation) -> Account:
    """The ledger account of a buyer organisation (an API key acts for its organisation)."""
    return Account.objects.get(organisation=organisation, kind=AccountKind.BUYER)


def reservations_for(*, user: AnyUser) -> QuerySet[Reservation]:
    return Reservation.objects.filter(account__in=accounts_for(user=user))


def access_reservation(*, user: AnyUser, reservation_id: int) -> Reservation:
    try:
        return reservations_for(user=user).get(pk=reservation_id)
    except (Reservation.DoesNotExist, ValueError, TypeError):
        raise Http404 from None


def manages_project(*, user: AnyUser, project_id: int) -> bool:
    """May `user` run ledger operations (issue, confirm, cancel...) for this project?"""
    scope = scope_for(user)
    return scope.is_superuser or (scope.role == Role.MANAGER and project_id in scope.project_ids)


def holdings_for(*, account: Account) -> QuerySet[SerialBlock]:
    """The account's live blocks (held, reserved for it is separate: reservation.blocks)."""
    return (
        SerialBlock.objects.filter(account=account)
        .exclude(state=BlockState.SUPERSEDED)
        .select_related("project__registry")
        .order_by("project_id", "unit_type", "vintage", "serial_start")
    )


def balances_for(*, account: Account) -> list[dict[str, Any]]:
    """Active units of an account per project, unit type and vintage."""
    return list(
        SerialBlock.objects.filter(account=account, state=BlockState.ACTIVE)
        .values("project_id", "unit_type", "vintage")
        .annotate(quantity=Sum("quantity"))
        .order_by("project_id", "unit_type", "vintage")
    )


def ledger_for(
    *,
    project_id: int | None = None,
    account: Account | None = None,
    unit_type: str | None = None,
    vintage: int | None = None,
) -> QuerySet[LedgerEvent]:
    """Ledger events, newest first, filtered by project, account (either side) and vintage."""
    events = LedgerEvent.objects.select_related("from_account", "to_account", "project")
    if project_id is not None:
        events = events.filter(project_id=project_id)
    if account is not None:
        events = events.filter(Q(from_account=account) | Q(to_account=account))
    if unit_type is not None:
        events = events.filter(unit_type=unit_type)
    if vintage is not None:
        events = events.filter(vintage=vintage)
    return events.order_by("-created_at", "-pk")


@dataclass(frozen=True)
class SerialLookup:
    """A serial's live block and its history (lineage back to the issuance, with events)."""

    serial: SerialRange
    block: SerialBlock
    lineage: Sequence[SerialBlock]  # the block, its parent, ... up to the issued block
    events: Sequence[LedgerEvent]  # events that created or ended those blocks, oldest first


def lookup_serial(text: str) -> SerialLookup:
    """The live block containing a printed serial (or range); Http404 when there is none.

    Raises SerialFormatError for text that is not a serial (the API answers 400).
    """
    serial = parse_serial(text)
    registry = ProjectRegistry.objects.filter(
        number=serial.project_number, prefix=serial.prefix, project__country=serial.country
    ).first()
    if registry is None:
        raise Http404
    block = (
        SerialBlock.objects.filter(
            project_id=registry.project_id,
            unit_type=serial.unit_type,
            vintage=serial.vintage,
            serial_start__lte=serial.start,
            serial_end__gte=serial.end,
        )
        .exclude(state=BlockState.SUPERSEDED)
        .select_related("project__registry", "account__organisation", "retirement")
        .first()
    )
    if block is None:
        raise Http404
    lineage = _lineage(block)
    event_ids = {b.created_event_id for b in lineage} | {
        b.superseded_event_id for b in lineage if b.superseded_event_id
    }
    events = LedgerEvent.objects.filter(pk__in=event_ids).order_by("created_at", "pk")
    return SerialLookup(serial=serial, block=block, lineage=lineage, events=list(events))


def _lineage(block: SerialBlock) -> list[SerialBlock]:
    chain = [block]
    while chain[-1].parent_id is not None:
        chain.append(SerialBlock.objects.get(pk=chain[-1].parent_id))
    return chain


__all__ = ["SerialFormatError"]  # re-exported for callers of lookup_serial


def retirements_public(*, project_id: int | None = None) -> QuerySet[Retirement]:
    retirements = Retirement.objects.select_related("project__registry", "account__organisation")
    if project_id is not None:
        retirements = retirements.filter(project_id=project_id)
    return retirements.prefetch_related("blocks").order_by("-created_at")


def contributions_for(*, user: AnyUser) -> QuerySet[IssuanceContribution]:
    """Which parcels (and so which families) each issuance came from, as a person may see it.

    Contributions name smallholders: staff see their cooperative's, managers their projects',
    verifiers and superusers all; buyers and the public only the registry's aggregates.
    """
    scope = scope_for(user)
    rows = IssuanceContribution.objects.all()
    if scope.reads_everything:
        return rows
    if scope.role == Role.MANAGER:
        return rows.filter(issuance__project_id__in=scope.project_ids)
    if scope.role == Role.STAFF and scope.cooperative_id is not None:
        return rows.filter(smallholder__cooperative_id=scope.cooperative_id)
    return rows.none()


@dataclass(frozen=True)
class YearActivity:
    """What the registry did for a project in one calendar year (UTC dates)."""

    issued: dict[str, int]  # unit type -> units issued (buffer included)
    sold: dict[str, int]  # unit type -> units sold
    revenue: dict[str, Decimal]  # currency -> quantity × price of those sales
    retired: dict[str, int]  # unit type -> units retired


def year_activity(*, project_id: int, year: int) -> YearActivity:
    issued = (
        Issuance.objects.filter(project_id=project_id, issued_at__year=year)
        .values("unit_type")
        .annotate(units=Sum("quantity"), buffer=Sum("buffer_quantity"))
        .order_by("unit_type")
    )
    sales = Sale.objects.filter(reservation__project_id=project_id, sold_at__year=year)
    sold = sales.values("reservation__unit_type").annotate(units=Sum("quantity")).order_by()
    revenue: dict[str, Decimal] = {}
    for sale in sales.only("quantity", "price_per_tonne", "currency"):
        revenue[sale.currency] = revenue.get(sale.currency, Decimal(0)) + (
            sale.quantity * sale.price_per_tonne
        )
    retired = (
        Retirement.objects.filter(project_id=project_id, retired_on__year=year)
        .values("unit_type")
        .annotate(units=Sum("quantity"))
        .order_by("unit_type")
    )
    return YearActivity(
        issued={row["unit_type"]: row["units"] + row["buffer"] for row in issued},
        sold={row["reservation__unit_type"]: row["units"] for row in sold},
        revenue=revenue,
        retired={row["unit_type"]: row["units"] for row in retired},
    )


@dataclass(frozen=True)
class SoldBlock:
    """A block a sale's SELL event created, with the issuance its units come from."""

    sale_id: int
    block_id: int
    issuance_id: int
    quantity: int
    serial: str  # the printed serial range, e.g. "PCH-PE-001-VER-2018-000000101-000000150"


@dataclass(frozen=True)
class IssuanceShare:
    """A parcel's part of an issuance (issued + buffer units: its weight in the issuance)."""

    issuance_id: int
    parcel_id: int
    smallholder_id: int
    weight: int


def confirmed_sales(*, project_id: int, sale_ids: Sequence[int] | None = None) -> QuerySet[Sale]:
    """Confirmed sales of a project, oldest first (for benefit sharing and reports)."""
    sales = Sale.objects.filter(reservation__project_id=project_id)
    if sale_ids is not None:
        sales = sales.filter(pk__in=sale_ids)
    return sales.select_related("reservation").order_by("sold_at", "pk")


def sold_blocks(*, sale_ids: Sequence[int]) -> list[SoldBlock]:
    """sale → the blocks its SELL event created (one query, whatever the number of sales)."""
    rows: QuerySet[SerialBlock, tuple[Any, ...]] = (
        SerialBlock.objects.filter(created_event__sale__in=sale_ids)
        .values_list(
            "created_event__sale",
            "pk",
            "issuance_id",
            "quantity",
            "unit_type",
            "vintage",
            "serial_start",
            "serial_end",
            "project__registry__prefix",
            "project__country",
            "project__registry__number",
        )  # fmt: skip
        .order_by("created_event__sale", "serial_start")
    )
    return [
        SoldBlock(sale, pk, issuance, qty, _printed_range(*serial))
        for sale, pk, issuance, qty, *serial in rows
    ]


def _printed_range(
    unit_type: str, vintage: int, start: int, end: int, prefix: str, country: str, number: int
) -> str:
    return format_range(prefix=prefix, country=country, project_number=number,
                        unit_type=unit_type, vintage=vintage, start=start, end=end)  # fmt: skip


def units_contributed(*, smallholder_id: int, year: int | None = None) -> int:
    """Units (tonnes) a smallholder's parcels contributed to issuances (issuance year filter)."""
    rows = IssuanceContribution.objects.filter(smallholder_id=smallholder_id)
    if year is not None:
        rows = rows.filter(issuance__issued_at__year=year)
    return rows.aggregate(n=Sum("units"))["n"] or 0


@dataclass(frozen=True)
class LastLedgerCheck:
    key: str  # the ledger's key ("credits", "payments")
    name: str | Promise
    check: LedgerCheck | None  # None: never checked yet


def last_ledger_checks(*, user: AnyUser, project_id: int) -> list[LastLedgerCheck]:
    """The last scheduled check of each chained ledger of the project (one query per ledger),
    for its managers, verifiers and superusers; an empty list for anyone else."""
    scope = scope_for(user)
    if not (scope.reads_everything or manages_project(user=user, project_id=project_id)):
        return []
    checks = LedgerCheck.objects.filter(project_id=project_id).order_by("-checked_at", "-pk")
    return [
        LastLedgerCheck(ledger.key, ledger.name, checks.filter(ledger=ledger.key).first())
        for ledger in chained_ledgers()
    ]
