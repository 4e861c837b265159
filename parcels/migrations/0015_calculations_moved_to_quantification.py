"""The calculation models moved to the `quantification` app: drop them from this app's state.

State only: the tables stay, and `quantification.0001_initial` took them over.
"""

from django.db import migrations


class Migration(migrations.Migration):
    dependencies = [
        ("parcels", "0014_merge_outbox_and_failure_code"),
        ("quantification", "0001_initial"),
    ]

    operations = [
        migrations.SeparateDatabaseAndState(
            state_operations=[
                migrations.RemoveField(
                    model_name="calculationrun",
                    name="parameter_set",
                ),
                migrations.RemoveField(
                    model_name="calculationrun",
                    name="previous_run",
                ),
                migrations.RemoveField(
                    model_name="calculationrun",
                    name="project",
                ),
                migrations.RemoveField(
                    model_name="calculationrun",
                    name="reviewed_by",
                ),
                migrations.RemoveField(
                    model_name="calculationrun",
                    name="started_by",
                ),
                migrations.RemoveField(
                    model_name="plotresult",
                    name="run",
                ),
                migrations.RemoveField(
                    model_name="parcelvintage",
                    name="run",
                ),
                migrations.RemoveField(
                    model_name="treeresult",
                    name="run",
                ),
                migrations.RemoveField(
                    model_name="parcelresult",
                    name="run",
                ),
                migrations.RemoveField(
                    model_name="stratumresult",
                    name="run",
                ),
                migrations.RemoveField(
                    model_name="parameterset",
                    name="created_by",
                ),
                migrations.RemoveField(
                    model_name="parameterset",
                    name="project",
                ),
                migrations.RemoveField(
                    model_name="parcelresult",
                    name="parcel",
                ),
                migrations.RemoveField(
                    model_name="parcelresult",
                    name="stratum",
                ),
                migrations.RemoveField(
                    model_name="parcelvintage",
                    name="parcel",
                ),
                migrations.RemoveField(
                    model_name="plotresult",
                    name="parcel",
                ),
                migrations.RemoveField(
                    model_name="plotresult",
                    name="plot",
                ),
                migrations.RemoveField(
                    model_name="stratumresult",
                    name="stratum",
                ),
                migrations.RemoveField(
                    model_name="treeresult",
                    name="plot",
                ),
                migrations.RemoveField(
                    model_name="treeresult",
                    name="tree_measurement",
                ),
                migrations.DeleteModel(
                    name="RunVintage",
                ),
                migrations.DeleteModel(
                    name="CalculationRun",
                ),
                migrations.DeleteModel(
                    name="ParameterSet",
                ),
                migrations.DeleteModel(
                    name="ParcelResult",
                ),
                migrations.DeleteModel(
                    name="ParcelVintage",
                ),
                migrations.DeleteModel(
                    name="PlotResult",
                ),
                migrations.DeleteModel(
                    name="StratumResult",
                ),
                migrations.DeleteModel(
                    name="TreeResult",
                ),
            ],
        ),
    ]
