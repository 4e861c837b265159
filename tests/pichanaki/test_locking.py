"""The registry of lock purposes and its helpers (pichanaki/locking.py), on both databases;
the numbering race on PostgreSQL with real threads, with its control."""

import threading

import pytest
from django.db import connection, transaction

from pichanaki import locking
from pichanaki.locking import PURPOSES, LockTimeout, Mechanism, take_lock
from quantification import services
from quantification.models import ParameterSet
from tests.base import build_personas


def test_every_purpose_is_registered_once_with_how_it_is_serialised():
    mechanisms = {name: purpose.mechanism for name, purpose in PURPOSES.items()}
    assert mechanisms == {
        "parcel_boundaries": Mechanism.NAMED,
        "import_commit": Mechanism.NAMED,
        "run_approval": Mechanism.NAMED,
        "parameter_set_numbering": Mechanism.NUMBERING,
        "sharing_policy_numbering": Mechanism.NUMBERING,
        "ledger_vintages": Mechanism.ROWS,
    }
    assert len({purpose.key for purpose in PURPOSES.values()}) == len(PURPOSES)


def test_a_timeout_can_be_changed_per_purpose(settings):
    assert locking.RUN_APPROVAL.timeout() == 3000
    settings.LOCK_TIMEOUTS_MS = {"run_approval": 250}
    assert locking.RUN_APPROVAL.timeout() == 250


@pytest.mark.django_db(transaction=True)
def test_a_named_lock_works_on_this_database_inside_a_transaction_only():
    with pytest.raises(RuntimeError):
        take_lock(locking.RUN_APPROVAL, 1)
    with transaction.atomic():
        take_lock(locking.RUN_APPROVAL, 1)
        take_lock(locking.RUN_APPROVAL, 1)  # re-entrant
        take_lock(locking.PARCEL_BOUNDARIES, 2**40)  # ids beyond int4 still lock
        if connection.vendor == "postgresql":
            with connection.cursor() as cursor:
                cursor.execute("SHOW lock_timeout")
                assert cursor.fetchone()[0] == "0"  # the bounded wait did not leak


def test_the_busy_message_names_the_purpose_in_the_persons_language():
    from django.utils import translation

    with translation.override("es"):
        busy = LockTimeout(locking.IMPORT_COMMIT)
    assert busy.message.startswith("Otra importación a este proyecto")
    assert busy.code == "busy"


def race_for_versions(monkeypatch) -> list[object]:
    """Two new versions whose numbers are read before either is saved (a barrier between)."""
    personas = build_personas()
    services.ensure_default_parameter_set(project_id=personas.project_a.pk)
    barrier, real, waited = threading.Barrier(2), ParameterSet.save, set()

    def save_after_both_read(self, *args, **kwargs):
        if threading.get_ident() not in waited:  # only the first attempt of each thread
            waited.add(threading.get_ident())
            barrier.wait(timeout=30)
        return real(self, *args, **kwargs)

    monkeypatch.setattr(ParameterSet, "save", save_after_both_read)
    parameters = ParameterSet.objects.get().parameters
    results: list[object] = []

    def create() -> None:
        try:
            results.append(
                services.create_parameter_set_version(
                    project_id=personas.project_a.pk, parameters=parameters, actor=None
                ).version
            )
        except LockTimeout as exc:
            results.append(exc)
        finally:
            connection.close()

    threads = [threading.Thread(target=create) for _ in range(2)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join()
    return results


@pytest.mark.postgres_only
@pytest.mark.django_db(transaction=True)
def test_concurrent_versions_get_distinct_numbers_without_a_lock(monkeypatch):
    assert sorted(race_for_versions(monkeypatch)) == [2, 3]
    assert sorted(ParameterSet.objects.values_list("version", flat=True)) == [1, 2, 3]


@pytest.mark.postgres_only
@pytest.mark.django_db(transaction=True)
def test_without_the_retry_the_constraint_refuses_one_of_them(monkeypatch):
    """Control: both really read the same maximum, so the previous test proves the retry."""
    monkeypatch.setattr(locking, "NUMBERING_ATTEMPTS", 1)
    results = race_for_versions(monkeypatch)
    assert 2 in results and any(isinstance(r, LockTimeout) for r in results)
    assert ParameterSet.objects.count() == 2
