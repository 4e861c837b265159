"""The migration that introduced the payment hash chain back-fills it for events written
before: each event gets its project and its place, in the order the events were written."""

import pytest
from django.db import connection
from django.db.migrations.executor import MigrationExecutor

from benefits import payments, services
from benefits.chain import verify_payment_chain
from benefits.models import PaymentChainHead, PaymentEvent, TrustHold
from tests.benefits.test_concurrency import Stub

pytestmark = pytest.mark.django_db(transaction=True)  # migrations run outside a transaction

BEFORE_CHAIN = [("benefits", "0001_initial")]


def _migrate(targets: list[tuple[str, str]]) -> None:
    executor = MigrationExecutor(connection)
    executor.loader.build_graph()
    executor.migrate(targets)


def test_existing_payment_events_are_chained_in_the_order_they_were_written():
    stub = Stub()
    project = stub.personas.project_a
    for sale in stub.sales[:2]:
        d = services.create_distribution(
            project=project, actor=stub.managers[0], sale_ids=[sale.pk]
        )
        services.approve_distribution(distribution_id=d.pk, actor=stub.personas.verifier)
    for hold in TrustHold.objects.all():
        payments.return_trust(hold_id=hold.pk, actor=None, reason="deadline passed")
    written = dict(PaymentEvent.objects.values_list("pk", "chain_hash"))
    head = PaymentChainHead.objects.get(project=project)
    # Every app's latest: going back here also unapplies the later migrations that depend on it
    # (benefits 0006 needs credits 0006), and the database must end as every test expects it.
    latest = MigrationExecutor(connection).loader.graph.leaf_nodes()

    _migrate(BEFORE_CHAIN)  # the chain columns and heads are gone; the events stay
    _migrate(latest)

    assert verify_payment_chain(project.pk) is None
    assert dict(PaymentEvent.objects.values_list("pk", "chain_hash")) == written
    again = PaymentChainHead.objects.get(project=project)
    assert (again.length, again.head_hash) == (head.length, head.head_hash)
    assert (again.length, again.head_hash) == (len(written), written[max(written)])
