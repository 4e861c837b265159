from typing import Any

from django.core.management.base import BaseCommand, CommandError
from django.utils.translation import gettext, gettext_noop

from quantification.cli import parameters, trees
from quantification.engine.notices import Notice, ParameterError


def _translated(notice: Notice) -> str:
    return notice.render(gettext)


class Command(BaseCommand):
    help_text = gettext_noop(
        "Compute wood density, height, biomass, carbon and CO2e of every tree of a CSV "
        "(columns tree_id, species, dbh_cm, height_m; optional wood_density, plot_id). "
        "Any bad row: every error is printed, nothing is written, exit status 1."
    )

    def create_parser(self, prog_name: str, subcommand: str, **kwargs: object):
        # argparse needs plain text: translate when the command runs, not at import.
        self.help = gettext(self.help_text)
        return super().create_parser(prog_name, subcommand, **kwargs)

    def add_arguments(self, parser) -> None:
        parser.add_argument("input", help=gettext("trees CSV"))
        parser.add_argument("-o", "--output", required=True, help=gettext("output CSV"))
        parameters.add_parameter_arguments(parser, gettext)

    def handle(self, *args: object, **options: Any) -> None:  # argparse values
        try:
            params = parameters.parameters_from_options(options)
        except ParameterError as error:
            raise CommandError(error.notice.render(gettext)) from None
        status = trees.carbon_trees(
            options["input"],
            options["output"],
            params=params,
            stderr=self.stderr,
            render=_translated,
        )
        if status:
            raise CommandError(gettext("bad input: nothing was written"), returncode=status)
