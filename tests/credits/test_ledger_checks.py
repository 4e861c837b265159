"""The scheduled ledger check: every chain re-hashed through `verify_ledger`'s code, each
result recorded, a break logged as an ERROR naming the ledger, the project and the event, and
the chain compared to the head the last intact check recorded (a cut or a rewrite since then,
which the chain alone does not show, is a break). Tampering with the triggers bypassed."""

import logging
import threading
from collections.abc import Iterator

import pytest
from django.db import connection

from credits.chain import TABLES, describe_break
from credits.choices import ChainProblem
from credits.models import LedgerChainHead, LedgerCheck, LedgerEvent
from credits.tasks import check_ledgers_task
from pichanaki.celery import app
from pichanaki.hashchain import HEAD, Link
from pichanaki.ledgers import ChainedLedger, ChainTables, check_chain
from tests.credits.helpers import reserve
from tests.credits.test_chain import _edit, _events, _history, superuser_bypass
from tests.pichanaki.chain_tamper import rewind, rewrite

pytestmark = pytest.mark.django_db
LOGGER = "credits.services.ledger_checks"


def _run() -> int:
    return check_ledgers_task.apply().get()


def _last(ledger) -> LedgerCheck:
    return LedgerCheck.objects.filter(project_id=ledger.project_id, ledger="credits").first()


def _errors(caplog) -> list[str]:
    return [r.getMessage() for r in caplog.records if r.name == LOGGER and r.levelname == "ERROR"]


def test_each_check_records_the_head_and_the_next_compares_to_it(ledger, caplog):
    _history(ledger)
    head = LedgerChainHead.objects.get(project_id=ledger.project_id)
    caplog.set_level(logging.INFO, logger=LOGGER)
    assert _run() == 0
    first = _last(ledger)
    assert (first.ledger, first.length, first.head_hash) == ("credits", head.length, head.head_hash)
    assert first.intact and first.compared_length is None and first.checked_at
    assert f"ledger check: credits, pa: {head.length} events, head {head.head_hash}: intact" in [
        r.getMessage() for r in caplog.records
    ]
    _history(ledger)  # the chain grows: still holds the recorded head
    assert _run() == 0
    second = _last(ledger)
    assert second.intact and (second.compared_length, second.compared_hash) == (
        head.length,
        head.head_hash,
    )
    assert second.length > head.length
    assert not LedgerCheck.objects.exclude(ledger="credits").exists()  # no payment chain yet


def test_an_edited_event_is_logged_and_recorded_as_a_break(ledger, caplog):
    _history(ledger)
    event = _events(ledger)[1]
    with superuser_bypass():
        _edit(event)
        assert _run() == 1
        check = _last(ledger)
        assert (check.problem, check.position, check.event_id) == (
            ChainProblem.CONTENT,
            2,
            event.pk,
        )
        assert not check.intact
    assert _errors(caplog) == [
        f"ledger check: credits, pa: broken: event #{event.pk} (position 2): "
        "its content does not match its hash (edited)"
    ]


def test_a_chain_cut_since_the_last_check_stays_a_break(ledger, caplog):
    _history(ledger)
    events = _events(ledger)
    assert _run() == 0
    with superuser_bypass():
        rewind(TABLES, ledger.project_id, keep=len(events) - 2)
        assert _run() == 1
        assert _run() == 1  # compared to the last intact head again: it cannot age out of view
        check = _last(ledger)
        assert (check.problem, check.position, check.length) == (
            ChainProblem.SHORTER,
            len(events),
            len(events) - 2,
        )
        assert check.compared_hash == events[-1].chain_hash
    assert len(_errors(caplog)) == 2
    assert (
        f"the chain holds only {len(events) - 2} events, fewer than the {len(events)}"
        in (_errors(caplog)[0])
    )


def test_a_chain_rewritten_since_the_last_check_is_a_break(ledger, caplog):
    _history(ledger)
    events = _events(ledger)
    assert _run() == 0
    with superuser_bypass():
        rewrite(TABLES, ledger.project_id, position=2, quantity=events[1].quantity + 1)
        now = TABLES.hash_at(ledger.project_id, len(events))
        assert _run() == 1
        check = _last(ledger)
        assert (check.problem, check.position, check.found_hash) == (
            ChainProblem.REWRITTEN,
            len(events),
            now,
        )
    assert (
        f"event {len(events)} now hashes to {now}, not to {events[-1].chain_hash}"
        in (_errors(caplog)[0])
    )


def test_a_chain_removed_with_its_head_is_still_checked(ledger, caplog):
    _history(ledger)
    assert _run() == 0
    with superuser_bypass():
        with connection.cursor() as cursor:
            cursor.execute(
                "DELETE FROM credits_ledgerevent WHERE project_id = %s", [ledger.project_id]
            )
        LedgerChainHead.objects.filter(project_id=ledger.project_id).delete()
        assert not LedgerEvent.objects.filter(project_id=ledger.project_id).exists()
        assert _run() == 1
        check = _last(ledger)
        assert (check.problem, check.length) == (ChainProblem.SHORTER, 0)


def test_the_beat_runs_the_check_daily():
    entries = [
        entry
        for entry in app.conf.beat_schedule.values()
        if entry["task"] == check_ledgers_task.name
    ]
    assert [entry["schedule"] for entry in entries] == [86400.0]
    assert check_ledgers_task.name in app.tasks


class AppendWhileReading(ChainTables):
    """The credit ledger's tables, whose read of the events first lets another connection
    append an event and commit: the interleaving a busy registry gives a check by chance,
    between its read of the head and its read of the events."""

    def __init__(self, ledger) -> None:
        super().__init__(TABLES.events, TABLES.heads, TABLES.content_fields, TABLES.content)
        object.__setattr__(self, "fixture", ledger)

    def links(self, project_id: int) -> Iterator[Link]:
        def append() -> None:
            try:
                reserve(self.fixture, 1)
            finally:
                connection.close()

        thread = threading.Thread(target=append)
        thread.start()
        thread.join()
        yield from super().links(project_id)


@pytest.mark.postgres_only
@pytest.mark.django_db(transaction=True)
def test_an_append_during_a_check_is_not_a_break(ledger):
    tables = AppendWhileReading(ledger)
    before = TABLES.head(ledger.project_id)
    # Control: without one snapshot, the events read after the append run past the head read
    # before it, and an intact chain looks broken.
    assert tables.verify(ledger.project_id).reason == HEAD
    assert TABLES.head(ledger.project_id)[0] == before[0] + 1
    hooked = ChainedLedger(
        key="credits",
        name="credit ledger",
        project_ids=tables.project_ids,
        head=tables.head,
        verify=tables.verify,
        describe=describe_break,
        hash_at=tables.hash_at,
    )
    during = TABLES.head(ledger.project_id)
    checked = check_chain(hooked, project_id=ledger.project_id, kept=before)
    assert checked.broken is None and checked.intact
    assert (checked.length, checked.head_hash) == during  # the head as of the snapshot
    assert TABLES.head(ledger.project_id)[0] == during[0] + 1  # the append did commit meanwhile
