import django.db.models.deletion  # noqa: F401
from django.db import migrations, models


class Migration(migrations.Migration):
    """Species get a short code (used by field forms and imports) and an English common name.

    The catalogue is empty before 0004 seeds it, so the temporary empty default is never shared.
    """

    dependencies = [
        ("parcels", "0002_importjob"),
    ]

    operations = [
        migrations.AddField(
            model_name="species",
            name="code",
            field=models.CharField(
                default="",
                help_text="Short code used in field forms and import files, e.g. INGAEDU.",
                max_length=20,
                unique=True,
                verbose_name="code",
            ),
            preserve_default=False,
        ),
        migrations.AddField(
            model_name="historicalspecies",
            name="code",
            field=models.CharField(
                db_index=True,
                default="",
                help_text="Short code used in field forms and import files, e.g. INGAEDU.",
                max_length=20,
                verbose_name="code",
            ),
            preserve_default=False,
        ),
        migrations.AddField(
            model_name="species",
            name="common_name_en",
            field=models.CharField(
                blank=True, max_length=150, verbose_name="common name (English)"
            ),
        ),
        migrations.AddField(
            model_name="historicalspecies",
            name="common_name_en",
            field=models.CharField(
                blank=True, max_length=150, verbose_name="common name (English)"
            ),
        ),
    ]
