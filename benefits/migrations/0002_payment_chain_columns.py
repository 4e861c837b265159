"""The hash chain of payment events, step 1: the columns (nullable until step 2 fills them)
and the chain heads."""

import django.db.models.deletion
from django.db import migrations, models

import pichanaki.hashchain


class Migration(migrations.Migration):
    dependencies = [
        ("benefits", "0001_initial"),
        ("smallholders", "0001_initial"),
    ]

    operations = [
        migrations.AddField(
            model_name="paymentevent",
            name="project",
            field=models.ForeignKey(
                null=True,
                on_delete=django.db.models.deletion.PROTECT,
                related_name="+",
                to="smallholders.project",
                verbose_name="project",
            ),
        ),
        migrations.AddField(
            model_name="paymentevent",
            name="sequence",
            field=models.PositiveBigIntegerField(
                null=True, verbose_name="position in the project's chain"
            ),
        ),
        migrations.AddField(
            model_name="paymentevent",
            name="previous_hash",
            field=models.CharField(default="", max_length=64, verbose_name="previous event's hash"),
            preserve_default=False,
        ),
        migrations.AddField(
            model_name="paymentevent",
            name="chain_hash",
            field=models.CharField(default="", max_length=64, verbose_name="chain hash"),
            preserve_default=False,
        ),
        migrations.CreateModel(
            name="PaymentChainHead",
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
                        related_name="payment_head",
                        to="smallholders.project",
                        verbose_name="project",
                    ),
                ),
            ],
            options={
                "verbose_name": "payment chain head",
                "verbose_name_plural": "payment chain heads",
            },
        ),
    ]
