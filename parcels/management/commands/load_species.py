from django.core.management.base import BaseCommand
from django.db import transaction
from django.utils.translation import gettext as _

from parcels.models import Species
from parcels.species_catalogue import CATALOGUE, load_species


class Command(BaseCommand):
    help = "Create or update the species catalogue from parcels/data/species_selva_central.csv."

    def handle(self, *args: object, **options: object) -> None:
        with transaction.atomic():  # all rows or none
            created, updated = load_species(Species)
        self.stdout.write(
            _("%(created)s species created, %(updated)s updated from %(file)s.")
            % {"created": created, "updated": updated, "file": CATALOGUE.name}
        )
