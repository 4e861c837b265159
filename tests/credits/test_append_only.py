import pytest
from django.db import DatabaseError, connection, transaction

from credits.models import AppendOnlyError, LedgerEvent, SerialBlock


def test_it_refuses_to_update_or_delete_events_through_the_model(ledger):
    event = LedgerEvent.objects.first()
    event.reason = "rewritten"
    with pytest.raises(AppendOnlyError):
        event.save()
    with pytest.raises(AppendOnlyError):
        event.delete()


@pytest.mark.postgres_only
def test_the_database_refuses_updates_and_deletes_of_events(ledger):
    pk = LedgerEvent.objects.first().pk
    for sql in (
        "UPDATE credits_ledgerevent SET reason = 'x' WHERE id = %s",
        "DELETE FROM credits_ledgerevent WHERE id = %s",
    ):
        with (
            pytest.raises(DatabaseError, match="append-only"),
            transaction.atomic(),
            connection.cursor() as cursor,
        ):
            cursor.execute(sql, [pk])
    assert LedgerEvent.objects.filter(pk=pk, reason="").exists()


@pytest.mark.postgres_only
def test_the_database_refuses_overlapping_live_blocks(ledger):
    block = SerialBlock.objects.filter(vintage=2012).first()
    with pytest.raises(DatabaseError, match="live_serials_disjoint"), transaction.atomic():
        SerialBlock.objects.create(
            project_id=block.project_id,
            unit_type=block.unit_type,
            vintage=block.vintage,
            serial_start=block.serial_end,
            serial_end=block.serial_end + 5,
            quantity=6,
            account_id=block.account_id,
            issuance_id=block.issuance_id,
            created_event_id=block.created_event_id,
            created_at=block.created_at,
        )


def test_the_database_checks_block_ranges(ledger):
    block = SerialBlock.objects.first()
    with pytest.raises(DatabaseError), transaction.atomic():
        SerialBlock.objects.filter(pk=block.pk).update(quantity=block.quantity + 1)
