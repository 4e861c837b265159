"""The hash chain of payment events, step 3: every event has its project and its place, one per
place; and, on PostgreSQL, a trigger makes payment events append-only (no UPDATE, no DELETE)
whatever the client, as for the credit ledger. TRUNCATE (how test databases are flushed) is
deliberately not blocked."""

import django.db.models.deletion
from django.db import migrations, models

APPEND_ONLY = """
CREATE FUNCTION benefits_paymentevent_append_only() RETURNS trigger AS $$
BEGIN
    RAISE EXCEPTION 'benefits_paymentevent is append-only (% refused)', TG_OP
        USING ERRCODE = 'integrity_constraint_violation';
END;
$$ LANGUAGE plpgsql;
CREATE TRIGGER benefits_paymentevent_no_update_delete
    BEFORE UPDATE OR DELETE ON benefits_paymentevent
    FOR EACH ROW EXECUTE FUNCTION benefits_paymentevent_append_only();
"""
DROP = """
DROP TRIGGER IF EXISTS benefits_paymentevent_no_update_delete ON benefits_paymentevent;
DROP FUNCTION IF EXISTS benefits_paymentevent_append_only();
"""


def forwards(apps, schema_editor):
    if schema_editor.connection.vendor == "postgresql":
        schema_editor.execute(APPEND_ONLY, params=None)


def backwards(apps, schema_editor):
    if schema_editor.connection.vendor == "postgresql":
        schema_editor.execute(DROP, params=None)


class Migration(migrations.Migration):
    dependencies = [("benefits", "0003_payment_chain_backfill")]

    operations = [
        migrations.AlterField(
            model_name="paymentevent",
            name="project",
            field=models.ForeignKey(
                on_delete=django.db.models.deletion.PROTECT,
                related_name="+",
                to="smallholders.project",
                verbose_name="project",
            ),
        ),
        migrations.AlterField(
            model_name="paymentevent",
            name="sequence",
            field=models.PositiveBigIntegerField(verbose_name="position in the project's chain"),
        ),
        migrations.AddConstraint(
            model_name="paymentevent",
            constraint=models.UniqueConstraint(
                fields=("project", "sequence"),
                name="benefits_paymentevent_one_per_position",
                violation_error_message="Two events cannot hold one place in the chain.",
            ),
        ),
        migrations.RunPython(forwards, backwards),
    ]
