"""A management command whose help text is translated (a lazy string) and still prints."""

from typing import Any

from django.core.management.base import BaseCommand, CommandParser


class TranslatedHelpCommand(BaseCommand):
    def create_parser(self, prog_name: str, subcommand: str, **kwargs: Any) -> CommandParser:
        # argparse formats the description with regular expressions, which take a str and not
        # Django's lazy proxy: translate it now, in the language the command runs in.
        self.help = str(self.help)
        return super().create_parser(prog_name, subcommand, **kwargs)
