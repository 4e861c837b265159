"""The hash chain of ledger events, step 1: the columns (nullable until step 2 fills them)
and the chain heads."""

import django.db.models.deletion
from django.db import migrations, models

import pichanaki.hashchain


class Migration(migrations.Migration):
    dependencies = [
        ("credits", "0002_ledger_guards"),
        ("smallholders", "0001_initial"),
    ]

    operations = [
        migrations.AddField(
            model_name="ledgerevent",
            name="sequence",
            field=models.PositiveBigIntegerField(
                null=True, verbose_name="position in the project's chain"
            ),
        ),
        migrations.AddField(
            model_name="ledgerevent",
            name="previous_hash",
            field=models.CharField(default="", max_length=64, verbose_name="previous event's hash"),
            preserve_default=False,
        ),
        migrations.AddField(
            model_name="ledgerevent",
            name="chain_hash",
            field=models.CharField(default="", max_length=64, verbose_name="chain hash"),
            preserve_default=False,
        ),
        migrations.CreateModel(
            name="LedgerChainHead",
            fields=[
                (
                    "id",
                    models.BigAutoField(
                        auto_created=True, primary_key=True, serialize=False, verbose_name="ID"
                    ),
                ),
                ("length", models.PositiveBigIntegerField(default=0, verbose_name="events")),
                (
                    "head_hash",
                    models.CharField(
                        default=pichanaki.hashchain.GENESIS,
                        max_length=64,
                        verbose_name="head hash",
                    ),
                ),
                (
                    "project",
                    models.OneToOneField(
                        on_delete=django.db.models.deletion.PROTECT,
                        related_name="ledger_head",
                        to="smallholders.project",
                        verbose_name="project",
                    ),
                ),
            ],
            options={
                "verbose_name": "ledger chain head",
                "verbose_name_plural": "ledger chain heads",
            },
        ),
    ]
