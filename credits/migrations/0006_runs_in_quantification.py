"""The runs that issuances and conversions point at now live in `quantification` (same table)."""

import django.db.models.deletion
from django.db import migrations, models


class Migration(migrations.Migration):
    dependencies = [
        ("credits", "0005_ledger_chain_required"),
        ("quantification", "0001_initial"),
    ]
    run_before = [("parcels", "0015_calculations_moved_to_quantification")]

    operations = [
        # State only: the tables, constraints and indexes keep their names and data.
        migrations.SeparateDatabaseAndState(
            state_operations=[
                migrations.AlterField(
                    model_name="conversion",
                    name="run",
                    field=models.ForeignKey(
                        on_delete=django.db.models.deletion.PROTECT,
                        related_name="+",
                        to="quantification.calculationrun",
                        verbose_name="verified run",
                    ),
                ),
                migrations.AlterField(
                    model_name="issuance",
                    name="run",
                    field=models.ForeignKey(
                        on_delete=django.db.models.deletion.PROTECT,
                        related_name="issuances",
                        to="quantification.calculationrun",
                        verbose_name="calculation run",
                    ),
                ),
            ],
        ),
    ]
