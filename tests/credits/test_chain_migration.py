"""The migration that introduced the hash chain back-fills it for events written before."""

import pytest
from django.db import connection
from django.db.migrations.executor import MigrationExecutor

from credits import services
from credits.chain import verify_chain
from credits.models import LedgerChainHead, LedgerEvent
from tests.base import build_personas
from tests.credits.factories import make_buyer, make_parcels, make_run

pytestmark = pytest.mark.django_db(transaction=True)  # migrations run outside a transaction

BEFORE_CHAIN = [("credits", "0002_ledger_guards")]


def _migrate(targets: list[tuple[str, str]]) -> None:
    executor = MigrationExecutor(connection)
    executor.loader.build_graph()
    executor.migrate(targets)


def test_existing_events_are_chained_in_the_order_they_were_written():
    personas = build_personas()
    parcels = make_parcels(personas.project_a, personas.coop_a1, count=2)
    run = make_run(personas.project_a, parcels, vintages={2012: (70, 30), 2013: (7, 3)})
    services.issue_credits(run_id=run.pk, actor=personas.manager_a)
    _buyer, account = make_buyer()
    services.transfer_credits(
        from_account_id=LedgerEvent.objects.first().to_account_id,
        to_account_id=account.pk,
        project_id=personas.project_a.pk,
        unit_type="VER",
        vintage=2012,
        quantity=10,
        actor=None,
    )
    written = dict(LedgerEvent.objects.values_list("pk", "chain_hash"))
    head = LedgerChainHead.objects.get(project=personas.project_a)
    # Every app's latest: going back here also unapplies the later migrations that depend on it
    # (benefits 0006 needs credits 0006), and the database must end as every test expects it.
    latest = MigrationExecutor(connection).loader.graph.leaf_nodes()

    _migrate(BEFORE_CHAIN)  # the chain columns and heads are gone; the events stay
    _migrate(latest)

    assert verify_chain(personas.project_a.pk) is None
    assert dict(LedgerEvent.objects.values_list("pk", "chain_hash")) == written
    again = LedgerChainHead.objects.get(project=personas.project_a)
    assert (
        (again.length, again.head_hash)
        == (head.length, head.head_hash)
        == (3, written[max(written)])
    )
