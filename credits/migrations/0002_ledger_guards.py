"""PostgreSQL backstops of the ledger (no-ops on SpatiaLite, where the service tests still run):

- btree_gist + an exclusion constraint: two live blocks (state <> 'superseded') of one project,
  unit type and vintage can never have overlapping serial ranges;
- a trigger that makes ledger events append-only (no UPDATE, no DELETE), whatever the client.
  TRUNCATE (an administrator's whole-table operation, and how test databases are flushed) is
  deliberately not blocked.
"""

from django.contrib.postgres.operations import BtreeGistExtension
from django.db import migrations

EXCLUSION = """
ALTER TABLE credits_serialblock ADD CONSTRAINT credits_serialblock_live_serials_disjoint
EXCLUDE USING gist (
    project_id WITH =, unit_type WITH =, vintage WITH =,
    int8range(serial_start, serial_end, '[]') WITH &&
) WHERE (state <> 'superseded');
"""
APPEND_ONLY = """
CREATE FUNCTION credits_ledgerevent_append_only() RETURNS trigger AS $$
BEGIN
    RAISE EXCEPTION 'credits_ledgerevent is append-only (% refused)', TG_OP
        USING ERRCODE = 'integrity_constraint_violation';
END;
$$ LANGUAGE plpgsql;
CREATE TRIGGER credits_ledgerevent_no_update_delete
    BEFORE UPDATE OR DELETE ON credits_ledgerevent
    FOR EACH ROW EXECUTE FUNCTION credits_ledgerevent_append_only();
"""
DROP = """
DROP TRIGGER IF EXISTS credits_ledgerevent_no_update_delete ON credits_ledgerevent;
DROP FUNCTION IF EXISTS credits_ledgerevent_append_only();
ALTER TABLE credits_serialblock DROP CONSTRAINT IF EXISTS credits_serialblock_live_serials_disjoint;
"""


def forwards(apps, schema_editor):
    if schema_editor.connection.vendor == "postgresql":
        schema_editor.execute(EXCLUSION, params=None)
        schema_editor.execute(APPEND_ONLY, params=None)


def backwards(apps, schema_editor):
    if schema_editor.connection.vendor == "postgresql":
        schema_editor.execute(DROP, params=None)


class Migration(migrations.Migration):
    dependencies = [("credits", "0001_ledger")]

    operations = [
        BtreeGistExtension(),
        migrations.RunPython(forwards, backwards),
    ]
