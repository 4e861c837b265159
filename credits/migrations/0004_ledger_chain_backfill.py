"""The hash chain of ledger events, step 2: chain the existing events of each project in the
order they were written (primary key) and set each project's head.

The append-only trigger refuses every UPDATE, so it is disabled for this migration only (it
runs in its own transaction on PostgreSQL: the trigger is back before anyone else sees the
table). SpatiaLite has no such trigger.
"""

from django.db import migrations

from credits.chain import CONTENT_FIELDS, event_content
from pichanaki.hashchain import GENESIS, link_hash

TRIGGER = "credits_ledgerevent_no_update_delete"


def _set_trigger(schema_editor, state: str) -> None:
    if schema_editor.connection.vendor == "postgresql":
        schema_editor.execute("SET CONSTRAINTS ALL IMMEDIATE")  # ALTER refuses pending checks
        schema_editor.execute(f"ALTER TABLE credits_ledgerevent {state} TRIGGER {TRIGGER}")


def backfill(apps, schema_editor):
    LedgerEvent = apps.get_model("credits", "LedgerEvent")
    LedgerChainHead = apps.get_model("credits", "LedgerChainHead")
    _set_trigger(schema_editor, "DISABLE")
    project_ids = LedgerEvent.objects.values_list("project_id", flat=True).distinct()
    for project_id in sorted(set(project_ids)):
        previous, sequence = GENESIS, 0
        rows = LedgerEvent.objects.filter(project_id=project_id).order_by("pk")
        for row in rows.values("pk", *[f for f in CONTENT_FIELDS if f != "sequence"]):
            sequence += 1
            digest = link_hash(event_content({**row, "sequence": sequence}), previous)
            LedgerEvent.objects.filter(pk=row["pk"]).update(
                sequence=sequence, previous_hash=previous, chain_hash=digest
            )
            previous = digest
        LedgerChainHead.objects.create(project_id=project_id, length=sequence, head_hash=previous)
    _set_trigger(schema_editor, "ENABLE")


class Migration(migrations.Migration):
    dependencies = [("credits", "0003_ledger_chain_columns")]

    operations = [migrations.RunPython(backfill, migrations.RunPython.noop)]
