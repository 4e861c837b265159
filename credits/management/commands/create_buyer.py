"""`manage.py create_buyer NAME [--country PE] [--expires-days N]`: a buyer organisation, its
ledger account and an API key, printed once."""

from argparse import ArgumentParser
from typing import Any

from django.core.exceptions import ValidationError
from django.core.management.base import BaseCommand, CommandError
from django.db import transaction

from credits.api.keys import create_api_key
from credits.services.accounts import create_buyer_organisation


class Command(BaseCommand):
    help = "Create a buyer organisation with its account and print its API key (shown once)."

    def add_arguments(self, parser: ArgumentParser) -> None:
        parser.add_argument("name")
        parser.add_argument("--country", default="", help="ISO 3166-1 alpha-2 code, e.g. PE")
        parser.add_argument("--email", default="", help="contact e-mail")
        parser.add_argument("--expires-days", type=int, default=None)

    def handle(self, *args: object, **options: Any) -> None:  # argparse values
        if options["expires_days"] is not None and options["expires_days"] <= 0:
            raise CommandError("--expires-days must be a positive number of days")
        try:
            # One transaction: never an organisation without its key, or the reverse.
            with transaction.atomic():
                organisation = create_buyer_organisation(
                    name=options["name"],
                    country=options["country"],
                    contact_email=options["email"],
                )
                _key, raw = create_api_key(
                    name=f"{organisation.name} (create_buyer)",
                    organisation=organisation,
                    expires_days=options["expires_days"],
                )
        except ValidationError as exc:
            raise CommandError("; ".join(exc.messages)) from exc
        self.stdout.write(f"Buyer organisation #{organisation.pk}: {organisation.name}")
        self.stdout.write("API key (shown once; store it now):")
        self.stdout.write(raw)
