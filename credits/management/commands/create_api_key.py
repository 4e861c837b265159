"""`manage.py create_api_key USERNAME [--expires-days N]`: a personal API key, printed once."""

from argparse import ArgumentParser
from typing import Any

from django.contrib.auth import get_user_model
from django.core.management.base import BaseCommand, CommandError

from credits.api.keys import create_api_key


class Command(BaseCommand):
    help = "Create a personal API key for a user (it acts with the user's role) and print it once."

    def add_arguments(self, parser: ArgumentParser) -> None:
        parser.add_argument("username")
        parser.add_argument("--name", default="", help="what the key is for")
        parser.add_argument("--expires-days", type=int, default=None)

    def handle(self, *args: object, **options: Any) -> None:  # argparse values
        if options["expires_days"] is not None and options["expires_days"] <= 0:
            raise CommandError("--expires-days must be a positive number of days")
        user_model = get_user_model()
        try:
            user = user_model.objects.get(**{user_model.USERNAME_FIELD: options["username"]})
        except user_model.DoesNotExist:
            raise CommandError(f"No user named {options['username']!r}.") from None
        if not user.is_active:
            raise CommandError(f"User {options['username']!r} is inactive.")
        _key, raw = create_api_key(
            name=options["name"] or f"{user.get_username()} (create_api_key)",
            user=user,
            expires_days=options["expires_days"],
        )
        self.stdout.write(f"Personal API key for {user.get_username()} (shown once; store it now):")
        self.stdout.write(raw)
