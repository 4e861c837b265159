"""The scheduled checks of the hash-chained ledgers: one row per ledger, project and check."""

import django.db.models.deletion
from django.db import migrations, models


class Migration(migrations.Migration):
    dependencies = [
        ("credits", "0006_runs_in_quantification"),
        ("smallholders", "0003_one_open_membership"),
    ]

    operations = [
        migrations.CreateModel(
            name="LedgerCheck",
            fields=[
                (
                    "id",
                    models.BigAutoField(
                        auto_created=True, primary_key=True, serialize=False, verbose_name="ID"
                    ),
                ),
                ("checked_at", models.DateTimeField(verbose_name="checked at")),
                ("ledger", models.CharField(max_length=20, verbose_name="ledger")),
                ("length", models.PositiveBigIntegerField(verbose_name="events")),
                ("head_hash", models.CharField(max_length=64, verbose_name="head hash")),
                (
                    "problem",
                    models.CharField(
                        blank=True,
                        choices=[
                            ("missing", "Events missing"),
                            ("duplicate", "An event inserted"),
                            ("previous", "An event not linked to the one before"),
                            ("content", "An event edited"),
                            ("head", "The chain does not end at its head"),
                            ("shorter", "Shorter than at an earlier check"),
                            ("rewritten", "Rewritten since an earlier check"),
                        ],
                        max_length=10,
                        verbose_name="problem",
                    ),
                ),
                (
                    "position",
                    models.PositiveBigIntegerField(
                        blank=True, null=True, verbose_name="position of the break"
                    ),
                ),
                (
                    "event_id",
                    models.PositiveBigIntegerField(blank=True, null=True, verbose_name="event"),
                ),
                (
                    "compared_length",
                    models.PositiveBigIntegerField(
                        blank=True, null=True, verbose_name="events at the earlier check"
                    ),
                ),
                (
                    "compared_hash",
                    models.CharField(
                        blank=True, max_length=64, verbose_name="head hash at the earlier check"
                    ),
                ),
                (
                    "found_hash",
                    models.CharField(
                        blank=True, max_length=64, verbose_name="hash found at that position"
                    ),
                ),
                (
                    "project",
                    models.ForeignKey(
                        on_delete=django.db.models.deletion.PROTECT,
                        related_name="+",
                        to="smallholders.project",
                        verbose_name="project",
                    ),
                ),
            ],
            options={
                "verbose_name": "ledger check",
                "verbose_name_plural": "ledger checks",
                "ordering": ["-checked_at", "-pk"],
                "indexes": [
                    models.Index(
                        fields=["project", "ledger", "-checked_at", "-id"],
                        name="credits_check_last_idx",
                    )
                ],
                "constraints": [
                    models.CheckConstraint(
                        condition=models.Q(
                            models.Q(("position__isnull", True), ("problem", "")),
                            models.Q(
                                models.Q(("problem", ""), _negated=True),
                                ("position__isnull", False),
                            ),
                            _connector="OR",
                        ),
                        name="credits_ledgercheck_break_has_position",
                        violation_error_message="A break names its position; an intact chain none.",
                    )
                ],
            },
        ),
    ]
