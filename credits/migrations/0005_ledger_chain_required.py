"""The hash chain of ledger events, step 3: every event has its place, one per place."""

from django.db import migrations, models


class Migration(migrations.Migration):
    dependencies = [("credits", "0004_ledger_chain_backfill")]

    operations = [
        migrations.AlterField(
            model_name="ledgerevent",
            name="sequence",
            field=models.PositiveBigIntegerField(verbose_name="position in the project's chain"),
        ),
        migrations.AddConstraint(
            model_name="ledgerevent",
            constraint=models.UniqueConstraint(
                fields=("project", "sequence"),
                name="credits_ledgerevent_one_per_position",
                violation_error_message="Two events cannot hold one place in the chain.",
            ),
        ),
    ]
