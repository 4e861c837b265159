"""The hash chain of payment events: written by every payment operation (bulk or single, in
the order they run), and any tampering seen by `verify_ledger` even when the append-only
trigger was bypassed by a superuser."""

import pytest
from django.core.management import CommandError, call_command
from django.db import connection, transaction
from django.utils import timezone

from benefits import payments, services
from benefits.chain import TABLES, append_payment_events, event_content, verify_payment_chain
from benefits.choices import LineStatus
from benefits.models import PaymentChainHead, PaymentEvent, TrustHold
from pichanaki.hashchain import CONTENT, GENESIS, HEAD, MISSING, PREVIOUS, link_hash
from tests.benefits.test_payments import confirmation_csv, good_rows
from tests.credits.test_chain import superuser_bypass
from tests.pichanaki.chain_tamper import rewind, rewrite

pytestmark = pytest.mark.django_db


@pytest.fixture
def approved(sold):
    personas = sold.ledger.personas
    d = services.create_distribution(project=sold.project, actor=personas.manager_a)
    return services.approve_distribution(distribution_id=d.pk, actor=personas.verifier)


def _pay(approved) -> None:
    data = confirmation_csv(good_rows(approved))
    payments.import_confirmations(
        distribution_id=approved.pk, data=data, filename="pagos.csv", actor=None
    )


def _events(project_id: int) -> list[PaymentEvent]:
    return list(PaymentEvent.objects.filter(project_id=project_id).order_by("sequence"))


def _assert_chained(project_id: int) -> list[PaymentEvent]:
    """Positions 1…n, each event linked to the one before and hashing to its stored hash,
    the head at the last one; and the verifier agrees."""
    events = _events(project_id)
    assert [e.sequence for e in events] == list(range(1, len(events) + 1))
    previous = GENESIS
    for event in events:
        assert event.previous_hash == previous
        assert event.chain_hash == link_hash(event_content(vars(event)), previous)
        previous = event.chain_hash
    head = PaymentChainHead.objects.get(project_id=project_id)
    assert (head.length, head.head_hash) == (len(events), previous)
    assert verify_payment_chain(project_id) is None
    return events


@pytest.mark.parametrize("resolve", [payments.release_trust, payments.return_trust])
def test_approval_payments_and_trust_form_one_chain_in_order(approved, resolve):
    """Bulk (approval, confirmations) and single (trust) appends interleave in the order the
    operations ran, one chain per project."""
    project_id = approved.project_id
    approval = len(_events(project_id))
    hold = TrustHold.objects.get(line__distribution=approved)
    resolve(hold_id=hold.pk, actor=None, reason="survival checked in 2026")
    _pay(approved)
    events = _assert_chained(project_id)
    statuses = [e.status for e in events]
    granted = {LineStatus.ACCRUED, LineStatus.APPROVED, LineStatus.WITHHELD}
    assert set(statuses[:approval]) == granted
    resolved = LineStatus.APPROVED if resolve is payments.release_trust else LineStatus.CANCELLED
    assert statuses[approval] == resolved
    assert set(statuses[approval + 1 :]) == {LineStatus.PAID}
    assert all(e.project_id == project_id for e in events)


def test_a_bulk_append_is_the_chain_of_single_appends(approved):
    """Appending [a, b] at once writes the same links as appending a, then b."""
    template = _events(approved.project_id)[0]
    now = timezone.now()

    def event(amount: str) -> PaymentEvent:
        return PaymentEvent(line_id=template.line_id, status=LineStatus.ACCRUED, amount=amount,
                            reason="test", created_at=now)  # fmt: skip

    with transaction.atomic():
        head = PaymentChainHead.objects.get(project_id=approved.project_id)
        bulk = append_payment_events(
            project_id=approved.project_id, events=[event("1.5"), event("2")]
        )
        transaction.set_rollback(True)
    with transaction.atomic():
        singles = [
            append_payment_events(project_id=approved.project_id, events=[event(amount)])[0]
            for amount in ("1.5", "2")
        ]
    assert bulk[0].previous_hash == head.head_hash
    assert [(e.sequence, e.chain_hash) for e in bulk] == [
        (e.sequence, e.chain_hash) for e in singles
    ]
    _assert_chained(approved.project_id)  # "1.5" was stored and hashed as 1.50


def _verify_fails(project_code: str, *options: str) -> str:
    with pytest.raises(CommandError) as failure:
        call_command("verify_ledger", "--project", project_code, *options)
    assert failure.value.returncode == 1
    return str(failure.value)


def test_an_edited_amount_is_seen_and_named(approved):
    _pay(approved)
    events = _events(approved.project_id)
    paid = next(e for e in events if e.status == LineStatus.PAID)
    with superuser_bypass():
        with connection.cursor() as cursor:
            cursor.execute(
                "UPDATE benefits_paymentevent SET amount = amount + 100 WHERE id = %s", [paid.pk]
            )
        found = verify_payment_chain(approved.project_id)
        message = _verify_fails(approved.project.code)
    assert (found.key, found.reason) == (paid.pk, CONTENT)
    assert "payment ledger" in message
    assert f"event #{paid.pk} (position {paid.sequence})" in message
    assert "its content does not match its hash" in message
    assert verify_payment_chain(approved.project_id) is None  # rolled back: intact again


@pytest.mark.parametrize(("position", "reason"), [(2, MISSING), (-1, HEAD)])
def test_a_deleted_event_is_seen(approved, position: int, reason: str):
    events = _events(approved.project_id)
    gone = events[position - 1] if position > 0 else events[-1]
    with superuser_bypass():
        with connection.cursor() as cursor:
            cursor.execute("DELETE FROM benefits_paymentevent WHERE id = %s", [gone.pk])
        found = verify_payment_chain(approved.project_id)
        message = _verify_fails(approved.project.code)
    assert found.reason == reason
    assert "payment ledger" in message


def test_reordered_and_inserted_events_are_seen(approved):
    _pay(approved)
    events = _events(approved.project_id)
    first, second = events[-2:]  # two payments: swap their places
    with superuser_bypass():
        chain = PaymentEvent.objects.filter(project_id=approved.project_id)
        chain.filter(pk=first.pk).update(sequence=1_000_000)
        chain.filter(pk=second.pk).update(sequence=first.sequence)
        chain.filter(pk=first.pk).update(sequence=second.sequence)
        found = verify_payment_chain(approved.project_id)
        message = _verify_fails(approved.project.code)
    assert (found.key, found.reason) == (second.pk, PREVIOUS)
    assert f"event #{second.pk} (position {first.sequence})" in message
    with superuser_bypass():
        # The last payment copied in once more (paid twice), the head moved to the copy.
        copy = PaymentEvent(**{f: getattr(second, f) for f in event_content(vars(second))})
        copy.sequence, copy.previous_hash = second.sequence + 1, second.chain_hash
        copy.chain_hash = second.chain_hash
        PaymentEvent.objects.bulk_create([copy])
        PaymentChainHead.objects.filter(project_id=approved.project_id).update(
            length=copy.sequence, head_hash=copy.chain_hash
        )
        found = verify_payment_chain(approved.project_id)
    assert (found.key, found.reason) == (copy.pk, CONTENT)


@pytest.mark.parametrize("tamper", ["cut", "rewritten"])
def test_a_cut_or_rewritten_chain_is_seen_against_a_kept_head(approved, capsys, tamper: str):
    """Cutting the last payments and rewinding the head, or rewriting an amount and every later
    hash, leaves a chain that verifies: only a head kept earlier shows it."""
    _pay(approved)
    events, code = _events(approved.project_id), approved.project.code
    kept = f"payments:{code}:{len(events)}:{events[-1].chain_hash}"
    call_command("verify_ledger", "--kept-head", kept)
    held = f"{code}, payment ledger: the kept head ({len(events)} events) is in the chain"
    assert held in capsys.readouterr().out
    with superuser_bypass():
        if tamper == "cut":
            rewind(TABLES, approved.project_id, keep=len(events) - 1)
        else:
            rewrite(TABLES, approved.project_id, position=2, amount=events[1].amount + 100)
        assert verify_payment_chain(approved.project_id) is None  # the chain alone cannot tell
        call_command("verify_ledger", "--project", code)
        message = _verify_fails(code, "--kept-head", kept)
    assert f"the kept head ({len(events)} events, {events[-1].chain_hash}) is gone" in message
    assert ("events cut off its end" if tamper == "cut" else "was rewritten") in message


@pytest.mark.postgres_only
def test_the_trigger_refuses_updates_and_deletes(approved):
    event = _events(approved.project_id)[0]
    for sql in (
        "UPDATE benefits_paymentevent SET amount = 0 WHERE id = %s",
        "DELETE FROM benefits_paymentevent WHERE id = %s",
    ):
        with (
            pytest.raises(Exception, match="append-only"),
            transaction.atomic(),
            connection.cursor() as cursor,
        ):
            cursor.execute(sql, [event.pk])


def test_verify_ledger_reports_both_chains(approved, capsys):
    _pay(approved)
    head = PaymentChainHead.objects.get(project_id=approved.project_id)
    call_command("verify_ledger")
    out = capsys.readouterr().out
    payment_part = out.split("Payment ledger:")[1]
    assert f"{approved.project.code}: {head.length} events, head {head.head_hash}" in payment_part
    assert "Credit ledger:" in out.split("Payment ledger:")[0]


def test_the_public_benefits_page_shows_the_payment_head(approved, client):
    _pay(approved)
    head = PaymentChainHead.objects.get(project_id=approved.project_id)
    response = client.get(f"/registry/projects/{approved.project.code}/benefits/")
    page = response.content.decode()
    assert head.head_hash in page
    assert f"<dd>{head.length}</dd>" in page
