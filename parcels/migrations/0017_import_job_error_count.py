"""Import jobs count their errors and keep the first 500 (parcels.models.imports.ERRORS_KEPT):
jobs already stored are counted, and their error lists cut to the same length."""

from django.db import migrations, models

KEPT = 500  # ERRORS_KEPT when this migration was written


def count_and_cut(apps, schema_editor) -> None:
    ImportJob = apps.get_model("parcels", "ImportJob")
    # One job at a time: a stored list may be tens of megabytes.
    for pk in ImportJob.objects.values_list("pk", flat=True):
        errors = ImportJob.objects.values_list("errors", flat=True).get(pk=pk) or []
        ImportJob.objects.filter(pk=pk).update(error_count=len(errors), errors=errors[:KEPT])


class Migration(migrations.Migration):
    dependencies = [
        ("parcels", "0016_list_and_date_indexes"),
    ]

    operations = [
        migrations.AddField(
            model_name="importjob",
            name="error_count",
            field=models.PositiveIntegerField(default=0, verbose_name="errors found"),
        ),
        migrations.RunPython(count_and_cut, migrations.RunPython.noop, elidable=True),
    ]
