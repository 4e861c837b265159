"""The hash chain of ledger events: written with every operation, and any tampering seen by
`verify_ledger` even when the append-only trigger was bypassed by a superuser."""

from collections.abc import Callable, Iterator
from contextlib import contextmanager

import pytest
from django.core.management import CommandError, call_command
from django.db import connection, transaction
from django.db.models import F

from credits import services
from credits.chain import TABLES, event_content, verify_chain
from credits.models import LedgerChainHead, LedgerEvent
from pichanaki.hashchain import CONTENT, HEAD, MISSING, PREVIOUS, link_hash
from tests.credits.helpers import buy, today
from tests.pichanaki.chain_tamper import rewind, rewrite

pytestmark = pytest.mark.django_db


def _history(ledger) -> None:
    """Issue (fixture), reserve, sell, retire and transfer: events of the common kinds."""
    buy(ledger, 50)
    services.retire_credits(
        account_id=ledger.buyer_account.pk,
        project_id=ledger.project_id,
        vintage=2012,
        quantity=20,
        beneficiary="Municipalidad de Ejemplo",
        purpose="Huella 2024",
        retired_on=today(),
        actor=None,
    )
    services.transfer_credits(
        from_account_id=ledger.issuance_account.pk,
        to_account_id=ledger.buyer_account.pk,
        project_id=ledger.project_id,
        unit_type="VER",
        vintage=2013,
        quantity=5,
        actor=ledger.personas.manager_a,
    )


def _events(ledger) -> list[LedgerEvent]:
    return list(LedgerEvent.objects.filter(project_id=ledger.project_id).order_by("sequence"))


@contextmanager
def superuser_bypass() -> Iterator[None]:
    """What a database superuser can do: switch the triggers off (the append-only one and the
    foreign-key checks; PostgreSQL: there is no append-only trigger on SpatiaLite) and write.
    Rolled back afterwards (with the setting, which is local to the savepoint)."""
    with transaction.atomic():
        if connection.vendor == "postgresql":
            with connection.cursor() as cursor:
                cursor.execute("SET LOCAL session_replication_role = replica")
        yield
        transaction.set_rollback(True)


def _verify_fails(ledger, *options: str) -> str:
    code = ledger.personas.project_a.code
    with pytest.raises(CommandError) as failure:
        call_command("verify_ledger", "--project", code, *options)
    assert failure.value.returncode == 1
    return str(failure.value)


def test_every_event_is_chained_in_order(ledger):
    _history(ledger)
    events = _events(ledger)
    assert [e.sequence for e in events] == list(range(1, len(events) + 1))
    previous = "0" * 64
    for event in events:
        assert event.previous_hash == previous
        assert event.chain_hash == link_hash(event_content(vars(event)), previous)
        previous = event.chain_hash
    head = LedgerChainHead.objects.get(project_id=ledger.project_id)
    assert (head.length, head.head_hash) == (len(events), events[-1].chain_hash)
    assert verify_chain(ledger.project_id) is None


def test_verify_ledger_reports_an_intact_chain(ledger, capsys):
    _history(ledger)
    head = LedgerChainHead.objects.get(project_id=ledger.project_id)
    call_command("verify_ledger")
    out = capsys.readouterr().out
    assert f"{ledger.personas.project_a.code}: {head.length} events, head {head.head_hash}" in out


def _edit(event: LedgerEvent) -> None:
    LedgerEvent.objects.filter(pk=event.pk).update(quantity=event.quantity + 1)


def _delete(event: LedgerEvent) -> None:
    with connection.cursor() as cursor:
        cursor.execute("DELETE FROM credits_ledgerevent WHERE id = %s", [event.pk])


@pytest.mark.parametrize(
    ("tamper", "position", "reason", "named"),
    [
        (_edit, 2, CONTENT, 2),
        (_delete, 2, MISSING, 3),
        (_delete, -1, HEAD, None),
    ],
    ids=["edited", "deleted", "tail-deleted"],
)
def test_tampering_is_seen(ledger, tamper: Callable, position: int, reason: str, named):
    _history(ledger)
    events = _events(ledger)
    with superuser_bypass():
        tamper(events[position - 1] if position > 0 else events[position])
        found = verify_chain(ledger.project_id)
        message = _verify_fails(ledger)
    assert found.reason == reason
    if named is not None:
        assert found.key == events[named - 1].pk
        assert f"event #{events[named - 1].pk} (position {named})" in message
    else:
        assert f"position {len(events) - 1}, which is not the published head" in message
    assert verify_chain(ledger.project_id) is None  # rolled back: intact again


def _forge(template: LedgerEvent, *, sequence: int, previous: str) -> LedgerEvent:
    fields = {f: getattr(template, f) for f in ("kind", "unit_type", "vintage", "serials")}
    content = {
        **event_content(vars(template)),
        "sequence": sequence,
        "quantity": 999,
        "reason": "forged",
    }
    return LedgerEvent.objects.create(
        **fields,
        project_id=template.project_id,
        quantity=999,
        from_account_id=template.from_account_id,
        to_account_id=template.to_account_id,
        actor_id=template.actor_id,
        actor_label=template.actor_label,
        reason="forged",
        reference=template.reference,
        created_at=template.created_at,
        sequence=sequence,
        previous_hash=previous,
        chain_hash=link_hash(content, previous),
    )


def test_an_event_inserted_in_the_middle_is_seen(ledger):
    _history(ledger)
    events = _events(ledger)
    with superuser_bypass():
        # Make room at position 2 (two steps: the positions are unique), then forge an event
        # there whose own hashes are right.
        moved = LedgerEvent.objects.filter(project_id=ledger.project_id, sequence__gte=2)
        moved.update(sequence=F("sequence") + 1_000_000)
        moved = LedgerEvent.objects.filter(project_id=ledger.project_id, sequence__gte=1_000_000)
        moved.update(sequence=F("sequence") - 999_999)
        _forge(events[0], sequence=2, previous=events[0].chain_hash)
        found = verify_chain(ledger.project_id)
        message = _verify_fails(ledger)
    assert (found.key, found.reason) == (events[1].pk, PREVIOUS)
    assert f"event #{events[1].pk} (position 3)" in message


def test_an_event_appended_behind_the_head_is_seen(ledger):
    _history(ledger)
    events = _events(ledger)
    with superuser_bypass():
        _forge(events[-1], sequence=len(events) + 1, previous=events[-1].chain_hash)
        message = _verify_fails(ledger)
    assert "which is not the published head" in message


def test_an_unknown_project_is_an_error(ledger):
    with pytest.raises(CommandError, match="No project with the code “nope”"):
        call_command("verify_ledger", "--project", "nope")


def test_the_registry_page_shows_the_head_hash(ledger, client):
    _history(ledger)
    head = LedgerChainHead.objects.get(project_id=ledger.project_id)
    response = client.get(f"/registry/projects/{ledger.personas.project_a.code}/")
    page = response.content.decode()
    assert head.head_hash in page
    assert f"<dd>{head.length}</dd>" in page


def test_reordered_events_are_seen(ledger):
    _history(ledger)
    events = _events(ledger)
    with superuser_bypass():
        # Swap positions 2 and 3 (through a free position: the positions are unique).
        chain = LedgerEvent.objects.filter(project_id=ledger.project_id)
        chain.filter(pk=events[1].pk).update(sequence=1_000_000)
        chain.filter(pk=events[2].pk).update(sequence=2)
        chain.filter(pk=events[1].pk).update(sequence=3)
        found = verify_chain(ledger.project_id)
        message = _verify_fails(ledger)
    assert (found.key, found.reason) == (events[2].pk, PREVIOUS)
    assert f"event #{events[2].pk} (position 2)" in message


def test_an_edited_head_is_seen(ledger):
    _history(ledger)
    count = len(_events(ledger))
    with superuser_bypass():
        LedgerChainHead.objects.filter(project_id=ledger.project_id).update(head_hash="a" * 64)
        found = verify_chain(ledger.project_id)
        message = _verify_fails(ledger)
    assert found.reason == HEAD
    assert f"position {count}, which is not the published head" in message


@pytest.mark.parametrize("tamper", ["cut", "rewritten"])
def test_a_cut_or_rewritten_chain_is_seen_against_a_kept_head(ledger, capsys, tamper: str):
    """Cutting the last events and rewinding the head, or rewriting an event and every later
    hash, leaves a chain that verifies: only a head kept earlier shows it."""
    _history(ledger)
    events = _events(ledger)
    code = ledger.personas.project_a.code
    kept = f"credits:{code}:{len(events)}:{events[-1].chain_hash}"
    call_command("verify_ledger", "--kept-head", kept)
    held = f"{code}, credit ledger: the kept head ({len(events)} events) is in the chain"
    assert held in capsys.readouterr().out
    with superuser_bypass():
        if tamper == "cut":
            rewind(TABLES, ledger.project_id, keep=len(events) - 2)
        else:
            rewrite(TABLES, ledger.project_id, position=2, quantity=events[1].quantity + 1)
        assert verify_chain(ledger.project_id) is None  # the chain alone cannot tell
        call_command("verify_ledger", "--project", code)
        message = _verify_fails(ledger, "--kept-head", kept)
    assert f"the kept head ({len(events)} events, {events[-1].chain_hash}) is gone" in message
    if tamper == "cut":
        assert f"holds only {len(events) - 2} events (events cut off its end)" in message
    else:
        assert f"event {len(events)} now hashes to" in message and "rewritten" in message


@pytest.mark.parametrize(
    ("kept", "error"),
    [
        ("credits:pa:1:abc", "is not LEDGER:CODE:LENGTH:HASH"),
        (f"sales:pa:1:{'0' * 64}", "No ledger “sales”: use one of credits, payments"),
        (f"credits:nope:1:{'0' * 64}", "No project with the code “nope”"),
    ],
)
def test_a_kept_head_must_name_a_ledger_and_a_project(ledger, kept: str, error: str):
    with pytest.raises(CommandError, match=error):
        call_command("verify_ledger", "--kept-head", kept)
