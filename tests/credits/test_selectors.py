"""Who reads which part of the ledger, serial lookups inside split blocks, and block tracing."""

import pytest
from django.contrib.auth.models import AnonymousUser
from django.http import Http404

from credits import selectors, traceability
from credits.choices import AccountKind, BlockState, EventKind
from credits.models import IssuanceContribution, SerialBlock
from credits.serials import SerialFormatError
from credits.services import issue_credits
from smallholders.choices import Role
from tests.base import make_user
from tests.credits.factories import make_buyer, make_parcels, make_run
from tests.credits.helpers import buy, reserve

pytestmark = pytest.mark.django_db


@pytest.fixture
def two_buyers(ledger):
    """The persona `buyer` is a member of the ledger's buyer; a second organisation is not his."""
    ledger.buyer.members.add(ledger.personas.buyer)
    other, other_account = make_buyer("Otra Compradora GmbH")
    mine = buy(ledger, 30)
    theirs = buy(ledger, 20, account=other_account)
    pending = reserve(ledger, 5, account=other_account)
    return other_account, mine, theirs, pending


def test_buyers_read_only_their_organisations_account(ledger, two_buyers):
    other_account, *_ = two_buyers
    buyer = ledger.personas.buyer
    assert list(selectors.accounts_for(user=buyer)) == [ledger.buyer_account]
    assert selectors.access_account(user=buyer, account_id=ledger.buyer_account.pk)
    with pytest.raises(Http404):
        selectors.access_account(user=buyer, account_id=other_account.pk)
    with pytest.raises(Http404):
        selectors.access_account(user=buyer, account_id=ledger.issuance_account.pk)


def test_buyers_read_only_their_organisations_reservations(ledger, two_buyers):
    _other, mine, theirs, pending = two_buyers
    buyer = ledger.personas.buyer
    assert list(selectors.reservations_for(user=buyer)) == [mine.reservation]
    for foreign in (theirs.reservation, pending):
        with pytest.raises(Http404):
            selectors.access_reservation(user=buyer, reservation_id=foreign.pk)


def test_holdings_are_the_accounts_own_live_blocks(ledger, two_buyers):
    other_account, *_ = two_buyers
    mine = list(selectors.holdings_for(account=ledger.buyer_account))
    assert [b.quantity for b in mine] == [30]
    assert all(b.account_id == ledger.buyer_account.pk for b in mine)
    assert [b.quantity for b in selectors.holdings_for(account=other_account)] == [20]
    assert selectors.balances_for(account=ledger.buyer_account) == [
        {"project_id": ledger.project_id, "unit_type": "VER", "vintage": 2012, "quantity": 30}
    ]


def test_managers_read_their_projects_accounts_and_every_buyer(ledger, two_buyers):
    other_account, *_ = two_buyers
    b_parcels = make_parcels(ledger.personas.project_b, ledger.personas.coop_b1, count=1)
    issue_credits(
        run_id=make_run(ledger.personas.project_b, b_parcels, vintages={2012: (5, 1)}).pk,
        actor=None,
    )
    visible = set(selectors.accounts_for(user=ledger.personas.manager_a))
    assert {ledger.issuance_account, ledger.buffer_account, ledger.buyer_account} <= visible
    assert other_account in visible
    assert not [a for a in visible if a.project_id == ledger.personas.project_b.pk]
    assert selectors.manages_project(user=ledger.personas.manager_a, project_id=ledger.project_id)
    assert not selectors.manages_project(
        user=ledger.personas.manager_a, project_id=ledger.personas.project_b.pk
    )


@pytest.mark.parametrize("persona", ["staff_a1", "nobody"])
def test_staff_and_people_without_a_role_read_no_accounts(ledger, persona):
    user = getattr(ledger.personas, persona)
    assert not selectors.accounts_for(user=user).exists()
    assert not selectors.reservations_for(user=user).exists()
    assert not selectors.manages_project(user=user, project_id=ledger.project_id)


def test_anonymous_people_read_no_accounts_but_the_public_registry(ledger):
    buy(ledger, 10)
    assert not selectors.accounts_for(user=AnonymousUser()).exists()
    rows = selectors.availability(project_id=ledger.project_id, unit_type="VER")
    assert [(r.vintage, r.available) for r in rows] == [(2012, 690), (2013, 70)]


def test_verifiers_read_every_account_but_manage_nothing(ledger):
    verifier = ledger.personas.verifier
    assert selectors.accounts_for(user=verifier).count() == 3
    assert not selectors.manages_project(user=verifier, project_id=ledger.project_id)


def test_another_projects_manager_does_not_manage_this_one(ledger):
    other = make_user("manager_b", Role.MANAGER, projects=(ledger.personas.project_b,))
    assert not selectors.manages_project(user=other, project_id=ledger.project_id)


def printed(block: SerialBlock, serial: int) -> str:
    stem = block.printed_serial.rsplit("-", 2)[0]
    return f"{stem}-{serial:09d}"


def test_it_looks_up_one_serial_inside_a_split_block(ledger):
    buy(ledger, 100)  # 1..100 reserved, then sold: the issued block 1..700 is split
    sold = SerialBlock.objects.get(account=ledger.buyer_account, state=BlockState.ACTIVE)
    found = selectors.lookup_serial(printed(sold, 42))
    assert found.block == sold
    assert (found.serial.start, found.serial.end, found.serial.quantity) == (42, 42, 1)
    assert [b.state for b in found.lineage] == ["active", "superseded", "superseded"]
    assert found.lineage[-1].parent_id is None and found.lineage[-1].quantity == 700
    assert [e.kind for e in found.events] == [EventKind.ISSUE, EventKind.RESERVE, EventKind.SELL]
    tail = selectors.lookup_serial(printed(sold, 101)).block
    assert (tail.serial_start, tail.serial_end, tail.account.kind) == (101, 700, "issuance")


def test_it_looks_up_a_serial_in_the_buffer_and_refuses_unknown_ones(ledger):
    block = selectors.lookup_serial(printed(ledger.issuances[0].blocks.first(), 701)).block
    assert block.account.kind == AccountKind.BUFFER and block.serial_end == 1000
    with pytest.raises(Http404):
        selectors.lookup_serial(printed(block, 1001))  # never issued
    with pytest.raises(Http404):
        selectors.lookup_serial("PCH-PE-999-VER-2012-000000001")  # no such project
    with pytest.raises(SerialFormatError):
        selectors.lookup_serial("PCH-PE-001-XYZ-2012-1")


def test_it_traces_a_block_to_its_parcels_pro_rata(ledger):
    """Parcels weigh 5:3:2 (units + buffer units); 7 units split 3.5/2.1/1.4 → 4/2/1."""
    buy(ledger, 7)
    block = SerialBlock.objects.get(account=ledger.buyer_account, state=BlockState.ACTIVE)
    rows = IssuanceContribution.objects.filter(issuance=block.issuance).order_by("parcel_id")
    assert [r.units + r.buffer_units for r in rows] == [500, 300, 200]
    trace = sorted(traceability.block_shares(block=block), key=lambda s: s.parcel_id)
    assert [(s.parcel_id, s.units) for s in trace] == [
        (ledger.parcels[0].pk, 4),
        (ledger.parcels[1].pk, 2),
        (ledger.parcels[2].pk, 1),
    ]
    assert [s.parcel_code for s in trace] == [p.code for p in ledger.parcels]
    whole = traceability.block_shares(block=block.parent.parent)  # the issued block, 700 units
    assert sorted(s.units for s in whole) == [140, 210, 350]


def test_sold_blocks_print_their_serials_as_the_registry_does(ledger):
    first, second = buy(ledger, 30), buy(ledger, 20)
    sold = selectors.sold_blocks(sale_ids=[first.pk, second.pk])
    assert [(b.sale_id, b.quantity) for b in sold] == [(first.pk, 30), (second.pk, 20)]
    for block in sold:
        printed = SerialBlock.objects.get(pk=block.block_id).printed_serial
        assert block.serial == printed
        assert selectors.parse_serial(block.serial).quantity == block.quantity
