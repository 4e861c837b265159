"""What someone who can write the ledger tables, and knows how the chain is hashed, can do
that the chain alone does not show (call inside `tests.credits.test_chain.superuser_bypass`):
cut the last events and rewind the head, or rewrite an event and recompute every later link
and the head. Only a head kept outside the database shows either (`verify_ledger --kept-head`)."""

from django.db import connection

from pichanaki.hashchain import GENESIS, link_hash
from pichanaki.ledgers import ChainTables


def rewind(tables: ChainTables, project_id: int, *, keep: int) -> None:
    """Delete the project's events after position `keep`; the head moves back to `keep`."""
    table = connection.ops.quote_name(tables.events._meta.db_table)
    with connection.cursor() as cursor:
        cursor.execute(
            f"DELETE FROM {table} WHERE project_id = %s AND sequence > %s",  # noqa: S608
            [project_id, keep],
        )
    events = tables.events._default_manager.filter(project_id=project_id, sequence=keep)
    last = events.values_list("chain_hash", flat=True).get() if keep else GENESIS
    tables.heads._default_manager.filter(project_id=project_id).update(length=keep, head_hash=last)


def rewrite(tables: ChainTables, project_id: int, *, position: int, **changes: object) -> None:
    """Change the event at `position`, then re-link it and every later event, and the head."""
    events = tables.events._default_manager.filter(project_id=project_id)
    rows = list(events.order_by("sequence").values("pk", "chain_hash", *tables.content_fields))
    previous = rows[position - 2]["chain_hash"] if position > 1 else GENESIS
    for row in rows[position - 1 :]:
        if row["sequence"] == position:
            row.update(changes)
            events.filter(pk=row["pk"]).update(**changes)
        digest = link_hash(tables.content(row), previous)
        events.filter(pk=row["pk"]).update(previous_hash=previous, chain_hash=digest)
        previous = digest
    tables.heads._default_manager.filter(project_id=project_id).update(head_hash=previous)
