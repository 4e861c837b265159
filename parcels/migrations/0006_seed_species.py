from django.db import migrations


def seed(apps, schema_editor):
    from parcels.species_catalogue import load_species

    load_species(apps.get_model("parcels", "Species"))


class Migration(migrations.Migration):
    """Seed the species catalogue from parcels/data/species_selva_central.csv (idempotent)."""

    dependencies = [
        ("parcels", "0005_plot_slope"),
    ]

    operations = [migrations.RunPython(seed, migrations.RunPython.noop)]
