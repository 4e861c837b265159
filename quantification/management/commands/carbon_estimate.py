from typing import Any

from django.core.management.base import BaseCommand, CommandError
from django.utils.translation import gettext, gettext_noop

from quantification.cli import estimate, parameters
from quantification.engine.notices import Notice, ParameterError


def _translated(notice: Notice) -> str:
    return notice.render(gettext)


class Command(BaseCommand):
    help_text = gettext_noop(
        "Stratified estimate of the project stock from tree, plot and stratum CSVs: per "
        "stratum and project mean tCO2e/ha, SE, n, 90% CI half-width, total and the total "
        "after the uncertainty deduction, as JSON."
    )

    def create_parser(self, prog_name: str, subcommand: str, **kwargs: object):
        # argparse needs plain text: translate when the command runs, not at import.
        self.help = gettext(self.help_text)
        return super().create_parser(prog_name, subcommand, **kwargs)

    def add_arguments(self, parser) -> None:
        parser.add_argument("--trees", required=True, help=gettext("trees CSV (with plot_id)"))
        parser.add_argument(
            "--plots", required=True, help=gettext("plots CSV: plot_id, stratum, area_m2")
        )
        parser.add_argument("--strata", required=True, help=gettext("strata CSV: stratum, area_ha"))
        parser.add_argument("-o", "--output", help=gettext("also write the JSON to this file"))
        parameters.add_parameter_arguments(parser, gettext)

    def handle(self, *args: object, **options: Any) -> None:  # argparse values
        try:
            params = parameters.parameters_from_options(options)
        except ParameterError as error:
            raise CommandError(error.notice.render(gettext)) from None
        status = estimate.carbon_estimate(
            options["trees"],
            options["plots"],
            options["strata"],
            options["output"],
            params=params,
            stdout=self.stdout,
            stderr=self.stderr,
            render=_translated,
        )
        if status:
            raise CommandError(gettext("bad input: no estimate was produced"), returncode=status)
